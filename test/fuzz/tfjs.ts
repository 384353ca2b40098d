/** Fuzz class over the TF.js model reader: hostile model.json documents, manifests and shards. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readTfjsModel, readWeight } from "../../lib/tfjs/index.js";
import type { FuzzClass, Rng } from "./harness.js";

let root: string | undefined;
const scratch = () => (root ??= mkdtempSync(path.join(tmpdir(), "convreg-fuzz-tfjs-")));

type Entry = Record<string, unknown>;

/** A model directory: model.json plus shards, one of its parts broken (or none). */
function hostileModel(r: Rng, seed: number): { label: string; file: string } {
  const dir = path.join(scratch(), `m${seed}`);
  mkdirSync(dir, { recursive: true });
  const shape = [r.int(1, 3), r.int(1, 3), r.int(1, 3), r.int(1, 3)];
  const count = shape.reduce((a, b) => a * b, 1);
  const dtype = r.pick(["float32", "float32", "float16", "int32"]);
  const quantized = dtype === "float32" && r.chance(0.3);
  const entry: Entry = { name: "conv/kernel", shape, dtype };
  if (quantized) entry.quantization = { dtype: r.pick(["uint8", "uint16"]), scale: 0.01, min: -1 };
  const elementBytes = quantized ? ((entry.quantization as Entry).dtype === "uint8" ? 1 : 2) : dtype === "float16" ? 2 : 4;
  let shard = Uint8Array.from({ length: count * elementBytes }, () => r.int(0, 255));
  if (dtype === "float32" && !quantized) shard = new Uint8Array(Float32Array.from({ length: count }, () => r.normal()).buffer);
  const group: Entry = { paths: ["group1-shard1of1.bin"], weights: [entry] };
  const doc: Entry = { format: "layers-model", modelTopology: { config: { layers: [] } }, weightsManifest: [group] };
  let label = "valid";
  let text: string | undefined;
  switch (r.int(0, 13)) {
    case 0:
      label = "short shard";
      shard = shard.subarray(0, Math.max(0, shard.length - r.int(1, 4)));
      break;
    case 1:
      label = "long shard";
      shard = Uint8Array.from([...shard, 1, 2, 3]);
      break;
    case 2:
      label = "missing shard";
      group.paths = ["nope.bin"];
      break;
    case 3:
      label = "unknown dtype";
      entry.dtype = r.pick(["float64", "qint8", 3, null, ""]);
      break;
    case 4:
      label = "bad shape";
      entry.shape = r.pick([[-1, 3], [1.5], "3", null, [1e9, 1e9, 1e9], [2 ** 53, 2]]);
      break;
    case 5:
      label = "bad quantization";
      entry.quantization = r.pick([{ dtype: "int4" }, { dtype: "uint8", scale: NaN, min: 0 }, { dtype: "uint8" }, 3]);
      break;
    case 6:
      label = "duplicate weight";
      group.weights = [entry, { ...entry }];
      break;
    case 7:
      label = "no manifest";
      delete doc.weightsManifest;
      break;
    case 8:
      label = "manifest not an array";
      doc.weightsManifest = r.pick([{}, 3, "x", null]);
      break;
    case 9:
      label = "bad paths";
      group.paths = r.pick([[], [3], [""], "a.bin", [path.join("..", "..", "etc", "passwd")]]);
      break;
    case 10:
      label = "not JSON";
      text = r.pick(["{", "", "null", "[[[", "\u0000"]);
      break;
    case 11:
      label = "bare manifest";
      text = JSON.stringify([group]);
      break;
    case 12:
      label = "shard is a directory";
      mkdirSync(path.join(dir, "dir.bin"), { recursive: true });
      group.paths = ["dir.bin"];
      break;
    default:
      break;
  }
  writeFileSync(path.join(dir, "group1-shard1of1.bin"), shard);
  const file = path.join(dir, "model.json");
  writeFileSync(file, text ?? JSON.stringify(doc));
  return { label: `${label} (${dtype}${quantized ? " quantized" : ""} [${shape.join(",")}])`, file };
}

export const tfjsClasses: FuzzClass[] = [
  {
    name: "malformed TF.js models",
    weight: 1,
    make: (r) => {
      const seed = r.int(0, 2 ** 30);
      const { label, file } = hostileModel(r, seed);
      return {
        label: `readTfjsModel ${label}`,
        run: async () => {
          const model = await readTfjsModel(file);
          // Every weight the manifest lists decodes to the number of elements its shape says.
          for (const [name, at] of model.weights) {
            const values = readWeight(model, name);
            const count = at.entry.shape.reduce((a: number, b: number) => a * b, 1);
            if (values.length !== count) throw new Error(`weight ${name}: ${values.length} values for ${count} elements`);
          }
          return model.weights.size;
        },
      };
    },
  },
];
