/**
 * TensorFlow.js weight manifests: the `weightsManifest` of a model.json (or a bare
 * weights_manifest.json), an array of groups `{ paths, weights }`. Each group's shards,
 * concatenated in order, hold its weights back to back in the listed order.
 */
import { ConvregError } from "../core/errors.js";

/** Data types a manifest entry may name (float16 is accepted as a raw half-precision tensor). */
export const WEIGHT_DTYPES = ["float32", "float16", "int32", "bool", "complex64", "string"] as const;
/** Storage types of quantized weights. */
export const QUANTIZATION_DTYPES = ["uint8", "uint16", "float16"] as const;

/** A manifest entry's data type. */
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];
/** A quantized entry's storage type. */
export type QuantizationDtype = (typeof QUANTIZATION_DTYPES)[number];

/** Quantization of one weight: stored value q decodes to `q * scale + min` (uint8/uint16) or from half floats. */
export interface Quantization {
  dtype: QuantizationDtype;
  scale?: number;
  min?: number;
  /** Other fields found in the file (kept when the manifest is written back). */
  [extra: string]: unknown;
}

/** One weight of a manifest group as the file lists it. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  quantization?: Quantization;
  [extra: string]: unknown;
}

/** A group of weights stored in one sequence of shards. */
export interface WeightGroup {
  paths: string[];
  weights: WeightEntry[];
}

/** The error every malformed model file raises: names the file and the problem. */
export function modelError(file: string, problem: string, cause?: unknown): ConvregError {
  return new ConvregError("ERR_MODEL_FORMAT", `${file}: ${problem}`, cause === undefined ? undefined : { cause });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function checkQuantization(q: unknown, file: string, where: string, dtype: WeightDtype): Quantization {
  if (!isObject(q)) throw modelError(file, `${where}.quantization must be an object { dtype, scale, min }`);
  if (typeof q.dtype !== "string" || !(QUANTIZATION_DTYPES as readonly string[]).includes(q.dtype))
    throw modelError(file, `${where}.quantization.dtype is ${JSON.stringify(q.dtype)}, not one of ${QUANTIZATION_DTYPES.join(", ")}`);
  if (dtype !== "float32" && dtype !== "int32") throw modelError(file, `${where} is quantized but its dtype is ${dtype} (only float32 and int32 weights can be quantized)`);
  if (q.dtype !== "float16")
    for (const key of ["scale", "min"] as const)
      if (typeof q[key] !== "number" || !Number.isFinite(q[key]))
        throw modelError(file, `${where}.quantization.${key} must be a finite number for ${q.dtype} quantization, got ${JSON.stringify(q[key])}`);
  return q as Quantization;
}

function checkEntry(w: unknown, file: string, where: string): WeightEntry {
  if (!isObject(w)) throw modelError(file, `${where} must be an object { name, shape, dtype }`);
  if (typeof w.name !== "string" || w.name === "") throw modelError(file, `${where}.name must be a non-empty string`);
  const at = `${where} ("${w.name}")`;
  if (!Array.isArray(w.shape) || !w.shape.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0))
    throw modelError(file, `${at}.shape must be an array of non-negative integers, got ${JSON.stringify(w.shape)}`);
  if (typeof w.dtype !== "string" || !(WEIGHT_DTYPES as readonly string[]).includes(w.dtype))
    throw modelError(file, `${at} names the unknown dtype ${JSON.stringify(w.dtype)} (known: ${WEIGHT_DTYPES.join(", ")})`);
  const entry = w as WeightEntry;
  if (w.quantization !== undefined) checkQuantization(w.quantization, file, at, entry.dtype);
  return entry;
}

/** Checks a weights manifest (array of groups) and returns it typed; throws ERR_MODEL_FORMAT naming `file`. */
export function parseManifest(doc: unknown, file: string, field = "weightsManifest"): WeightGroup[] {
  if (!Array.isArray(doc)) throw modelError(file, `${field} must be an array of groups { paths, weights }`);
  return doc.map((g, i) => {
    const where = `${field}[${i}]`;
    if (!isObject(g)) throw modelError(file, `${where} must be an object { paths, weights }`);
    if (!Array.isArray(g.paths) || g.paths.length === 0 || !g.paths.every((p) => typeof p === "string" && p !== ""))
      throw modelError(file, `${where}.paths must be a non-empty array of shard file names`);
    if (!Array.isArray(g.weights)) throw modelError(file, `${where}.weights must be an array`);
    const weights = g.weights.map((w, j) => checkEntry(w, file, `${where}.weights[${j}]`));
    return { ...g, paths: g.paths as string[], weights };
  });
}

/** Bytes one stored element takes (strings excepted: they are length-prefixed). */
export function storedElementBytes(entry: WeightEntry): number {
  const q = entry.quantization?.dtype;
  if (q !== undefined) return q === "uint8" ? 1 : 2;
  switch (entry.dtype) {
    case "float32":
    case "int32":
      return 4;
    case "float16":
      return 2;
    case "bool":
      return 1;
    case "complex64":
      return 8;
    case "string":
      return Number.NaN;
  }
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
