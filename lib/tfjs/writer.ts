/**
 * Writing a TF.js model back with one weight replaced: same format, same file names, same
 * shard sizes, every other byte unchanged. Quantized weights are re-quantized with the same
 * scheme (uint8/uint16 get a new affine scale and min, float16 stays float16). The files
 * go to a temporary directory renamed into place at the end, so nothing appears on failure.
 */
import { mkdir, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize, sep } from "node:path";
import { ConvregError } from "../core/errors.js";
import { affineQuantization, encodeWeight } from "./decode.js";
import { elementCount, modelError, type WeightEntry, type WeightGroup } from "./manifest.js";
import { weightLocation, type TfjsModel } from "./model.js";

/** How the replaced weight was stored. */
export interface WrittenWeight {
  name: string;
  /** e.g. "float32", "uint8 quantization, new scale 0.0012 and min -0.15 (affine, 0 exact)". */
  storage: string;
  entry: WeightEntry;
}

/** What {@link writeModelWithWeight} wrote. */
export interface WriteResult {
  dir: string;
  /** The model file (model.json or the manifest's file name) inside `dir`. */
  modelFile: string;
  files: string[];
  weight: WrittenWeight;
}

function storageText(entry: WeightEntry): string {
  const q = entry.quantization;
  if (!q) return entry.dtype;
  if (q.dtype === "float16") return `${entry.dtype} stored as float16 (same quantization as the input)`;
  return `${q.dtype} affine quantization as in the input, re-fitted to the new values: scale ${q.scale}, min ${q.min}`;
}

function safeShardPath(model: TfjsModel, shard: string): string {
  const p = normalize(shard);
  if (isAbsolute(p) || p === ".." || p.startsWith(`..${sep}`)) throw modelError(model.path, `shard path "${shard}" leaves the model directory; cannot write a copy of it`);
  return p;
}

/** Throws unless `dir` is absent or an empty directory (called again before writing). */
export async function checkOutputDirectory(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new ConvregError("ERR_ARGUMENT", `output directory ${dir}: cannot be used (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  if (entries.length > 0) throw new ConvregError("ERR_ARGUMENT", `output directory ${dir} exists and is not empty; choose a new directory`);
}

/**
 * Writes `model` to `outDir` with weight `name` replaced by `values` (flat, in the weight's own
 * layout and shape). Fails, writing nothing, if `outDir` exists and is not empty.
 */
export async function writeModelWithWeight(model: TfjsModel, name: string, values: ArrayLike<number>, outDir: string): Promise<WriteResult> {
  const at = weightLocation(model, name);
  if (values.length !== elementCount(at.entry.shape))
    throw new ConvregError("ERR_SHAPE", `new values for "${name}" have ${values.length} entries, the weight has shape [${at.entry.shape.join(", ")}]`);
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new ConvregError("ERR_NONFINITE", `new values for "${name}" contain a non-finite entry at ${i}`);
  const q = at.entry.quantization;
  const entry: WeightEntry = q && q.dtype !== "float16" ? { ...at.entry, quantization: { ...q, ...affineQuantization(values, q.dtype) } } : { ...at.entry };
  const bytes = encodeWeight(entry, values);
  if (bytes.length !== at.byteLength) throw new Error(`convreg: re-encoded "${name}" has ${bytes.length} bytes, expected ${at.byteLength}`);

  const manifest: WeightGroup[] = model.manifest.map((g, gi) => ({ ...g, weights: g.weights.map((w) => (gi === at.group && w.name === name ? entry : w)) }));
  const group = new Uint8Array(model.groupBytes[at.group]);
  group.set(bytes, at.offset);
  const document = model.kind === "weights" ? manifest : { ...(model.document as Record<string, unknown>), weightsManifest: manifest };
  const modelFile = basename(model.path);
  const shards = model.manifest.flatMap((g, gi) => {
    const data = gi === at.group ? group : model.groupBytes[gi];
    let offset = 0;
    return g.paths.map((p, si) => {
      const size = model.shardSizes[gi][si];
      const part = data.subarray(offset, offset + size);
      offset += size;
      return { path: safeShardPath(model, p), data: part };
    });
  });

  await checkOutputDirectory(outDir);
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(outDir)}.convreg-${process.pid}-${Date.now()}`);
  try {
    await mkdir(temp);
    for (const s of shards) {
      await mkdir(dirname(join(temp, s.path)), { recursive: true });
      await writeFile(join(temp, s.path), s.data);
    }
    await writeFile(join(temp, modelFile), JSON.stringify(document) + "\n");
    await rmdir(outDir).catch(() => undefined); // an empty directory the user made is replaced
    await rename(temp, outDir);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw new ConvregError("ERR_ARGUMENT", `cannot write ${outDir}: ${(e as Error).message}`, { cause: e });
  }
  return {
    dir: outDir,
    modelFile: join(outDir, modelFile),
    files: [modelFile, ...shards.map((s) => s.path)],
    weight: { name, storage: storageText(entry), entry },
  };
}
