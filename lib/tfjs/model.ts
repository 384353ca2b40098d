/**
 * Reading a TensorFlow.js model from disk: a layers model or graph model (`model.json` with
 * `modelTopology` and `weightsManifest`) or a bare weight manifest (an array of groups). All
 * shards are read and checked against the manifest before anything is decoded.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { decodeWeight } from "./decode.js";
import { elementCount, modelError, parseManifest, storedElementBytes, type WeightEntry, type WeightGroup } from "./manifest.js";

/** What kind of file was read. */
export type ModelKind = "layers" | "graph" | "weights";

/** Where one weight's bytes are. */
export interface WeightLocation {
  entry: WeightEntry;
  /** Index of its group in the manifest. */
  group: number;
  /** Byte offset inside the group's concatenated shards. */
  offset: number;
  byteLength: number;
}

/** A model read from disk: its JSON, its manifest, the bytes of each group, and where each weight lies. */
export interface TfjsModel {
  /** The file that was read. */
  readonly path: string;
  readonly kind: ModelKind;
  /** The parsed JSON document (model.json object, or the manifest array). */
  readonly document: unknown;
  readonly manifest: WeightGroup[];
  /** Each group's shards concatenated in order. */
  readonly groupBytes: Uint8Array[];
  /** Each group's shard sizes in bytes (in the order of `paths`). */
  readonly shardSizes: number[][];
  /** Every weight by name, in manifest order. */
  readonly weights: Map<string, WeightLocation>;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw modelError(path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw modelError(path, `malformed JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
}

function kindOf(doc: unknown, path: string): { kind: ModelKind; manifest: unknown; field: string } {
  if (Array.isArray(doc)) return { kind: "weights", manifest: doc, field: "manifest" };
  if (doc === null || typeof doc !== "object") throw modelError(path, "expected a TF.js model.json object or a weights manifest array");
  const d = doc as Record<string, unknown>;
  if (d.weightsManifest === undefined) throw modelError(path, "has no weightsManifest (not a TF.js model.json or weights manifest)");
  const topology = d.modelTopology as Record<string, unknown> | undefined;
  const graph = d.format === "graph-model" || Array.isArray(topology?.node);
  return { kind: graph ? "graph" : "layers", manifest: d.weightsManifest, field: "weightsManifest" };
}

async function readShards(dir: string, group: WeightGroup, index: number, path: string): Promise<{ bytes: Uint8Array; sizes: number[] }> {
  const parts: Uint8Array[] = [];
  for (const shard of group.paths) {
    try {
      parts.push(await readFile(join(dir, shard)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "is missing" : `cannot be read (${code ?? String(e)})`;
      throw modelError(path, `shard "${shard}" of weight group ${index} ${why} (looked in ${dir})`, e);
    }
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, sizes: parts.map((p) => p.length) };
}

// String tensors are stored as a 4-byte length then the bytes, per element.
function stringBytes(bytes: Uint8Array, offset: number, count: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) return Number.POSITIVE_INFINITY;
    at += 4 + view.getUint32(at, true);
  }
  return at - offset;
}

function locate(manifest: WeightGroup[], groupBytes: Uint8Array[], path: string): Map<string, WeightLocation> {
  const weights = new Map<string, WeightLocation>();
  manifest.forEach((group, g) => {
    const bytes = groupBytes[g];
    let offset = 0;
    for (const entry of group.weights) {
      const count = elementCount(entry.shape);
      const byteLength = entry.dtype === "string" && !entry.quantization ? stringBytes(bytes, offset, count) : count * storedElementBytes(entry);
      if (offset + byteLength > bytes.length) {
        const size = Number.isFinite(byteLength) ? `${byteLength} bytes` : "its bytes";
        throw modelError(
          path,
          `weight "${entry.name}" (shape [${entry.shape.join(", ")}], ${entry.quantization?.dtype ?? entry.dtype}) needs ${size} at offset ${offset} ` +
            `of weight group ${g}, but its shards [${group.paths.join(", ")}] hold only ${bytes.length} bytes (a shard is short, or the shape is wrong)`,
        );
      }
      if (weights.has(entry.name)) throw modelError(path, `weight "${entry.name}" is listed twice in the manifest`);
      weights.set(entry.name, { entry, group: g, offset, byteLength });
      offset += byteLength;
    }
    if (offset !== bytes.length)
      throw modelError(
        path,
        `weight group ${g}: the shapes and dtypes of its weights need ${offset} bytes but its shards [${group.paths.join(", ")}] ` +
          `hold ${bytes.length} bytes (shape and byte count disagree)`,
      );
  });
  return weights;
}

/** Reads a TF.js model.json (layers or graph model) or weights manifest and all its shards. */
export async function readTfjsModel(path: string): Promise<TfjsModel> {
  const document = await readJson(path);
  const { kind, manifest: raw, field } = kindOf(document, path);
  const manifest = parseManifest(raw, path, field);
  const dir = dirname(path);
  const groupBytes: Uint8Array[] = [];
  const shardSizes: number[][] = [];
  for (let g = 0; g < manifest.length; g++) {
    const { bytes, sizes } = await readShards(dir, manifest[g], g, path);
    groupBytes.push(bytes);
    shardSizes.push(sizes);
  }
  return { path, kind, document, manifest, groupBytes, shardSizes, weights: locate(manifest, groupBytes, path) };
}

/** Looks up a weight by name, throwing ERR_MODEL_FORMAT when it is absent. */
export function weightLocation(model: TfjsModel, name: string): WeightLocation {
  const at = model.weights.get(name);
  if (!at) throw modelError(model.path, `has no weight named "${name}"`);
  return at;
}

/** The stored bytes of one weight (a view into the group's bytes). */
export function weightBytes(model: TfjsModel, name: string): Uint8Array {
  const at = weightLocation(model, name);
  return model.groupBytes[at.group].subarray(at.offset, at.offset + at.byteLength);
}

/** Decodes a numeric weight to doubles (quantized weights decode as TF.js does). */
export function readWeight(model: TfjsModel, name: string): Float64Array {
  const at = weightLocation(model, name);
  if (at.entry.dtype === "string" || at.entry.dtype === "complex64") throw modelError(model.path, `weight "${name}" has dtype ${at.entry.dtype}, not a real numeric tensor`);
  return decodeWeight(at.entry, weightBytes(model, name));
}
