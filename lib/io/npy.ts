/**
 * NumPy `.npy` reading of float16, float32 and float64 arrays in either byte order and either
 * memory order (Fortran order is converted to C order), format versions 1.0, 2.0 and 3.0;
 * writing of float64 in C order. Any other dtype is refused with ERR_NPY_HEADER.
 */
import { ConvregError, ConvregTypeError } from "../core/errors.js";
import { describe } from "../core/validate.js";

/** An array read from a `.npy` file, widened to float64. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
  /** The file's dtype with its byte order made explicit ("=" resolved to this machine's). */
  dtype: NpyFloatDtype;
  /** True when the file was in Fortran order (`data` is in C order regardless). */
  fortranOrder: boolean;
}

/** The float dtypes read from `.npy` files. */
export type NpyFloatDtype = "<f2" | ">f2" | "<f4" | ">f4" | "<f8" | ">f8";

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function headerError(source: string, what: string): ConvregError {
  return new ConvregError("ERR_NPY_HEADER", `${source}: not a readable .npy kernel: ${what}`);
}

function parseHeaderDict(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw headerError(source, `header dictionary lacks descr, fortran_order or shape: ${JSON.stringify(text.trim().slice(0, 120))}`);
  const parts = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw headerError(source, `shape entry ${JSON.stringify(p)} is not a non-negative integer`);
    return Number(p);
  });
  return { descr, fortran: fortran === "True", shape };
}

/**
 * The float dtype of a descr string, or an error naming it. "<" and ">" are explicit; "=" and
 * no prefix mean the reader's native order (as numpy reads them); "|" (no byte order) is
 * meaningless for a multi-byte float and refused.
 */
function floatDtype(descr: string, source: string): NpyFloatDtype {
  const m = /^([<>=]?)f([248])$/.exec(descr);
  if (!m)
    throw headerError(source, `dtype ${JSON.stringify(descr)} is not supported (only float16, float32 and float64 in either byte order: "<f2", ">f2", "<f4", ">f4", "<f8", ">f8")`);
  const order = m[1] === "<" || m[1] === ">" ? m[1] : littleEndianHost ? "<" : ">";
  return `${order}f${m[2]}` as NpyFloatDtype;
}

/** IEEE 754 binary16 bits to a number: subnormals are multiples of 2^-24; exponent 31 is Inf or NaN. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** Reads `count` values of `dtype` starting at byte `start`, in file order. */
function readValues(view: DataView, start: number, count: number, dtype: NpyFloatDtype): Float64Array {
  const little = dtype[0] === "<";
  const out = new Float64Array(count);
  if (dtype[2] === "8") for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, little);
  else if (dtype[2] === "4") for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, little);
  else for (let i = 0; i < count; i++) out[i] = float16ToNumber(view.getUint16(start + 2 * i, little));
  return out;
}

/** Fortran-order values (first index fastest) rearranged into C order (last index fastest). */
function fortranToC(values: Float64Array, shape: readonly number[]): Float64Array {
  const rank = shape.length;
  if (rank < 2) return values;
  const strides = new Array<number>(rank); // Fortran strides of each index
  strides[0] = 1;
  for (let d = 1; d < rank; d++) strides[d] = strides[d - 1] * shape[d - 1];
  const out = new Float64Array(values.length);
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = values[from];
    // Advance the C-order odometer (last index fastest) and keep `from` in step.
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        from += strides[d];
        break;
      }
      from -= (shape[d] - 1) * strides[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Parses a `.npy` buffer. `source` names the file in error messages. */
export function parseNpy(bytes: Uint8Array, source = "npy"): NpyArray {
  requireBytes(bytes, "bytes");
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw headerError(source, "bad magic (expected \\x93NUMPY)");
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw headerError(source, `unsupported format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw headerError(source, "file ends inside the header length");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw headerError(source, `header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lengthBytes, dataStart));
  const { descr, fortran, shape } = parseHeaderDict(headerText, source);
  const dtype = floatDtype(descr, source);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = Number(dtype[2]);
  const available = bytes.length - dataStart;
  if (available !== count * itemSize) throw headerError(source, `shape (${shape.join(", ")}) needs ${count * itemSize} data bytes but the file has ${available}`);
  const stored = readValues(view, dataStart, count, dtype);
  return { shape, data: fortran ? fortranToC(stored, shape) : stored, dtype, fortranOrder: fortran };
}

/** Checks that file contents are a Uint8Array (a Buffer is one). */
export function requireBytes(bytes: unknown, name: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a Uint8Array or Buffer, got ${describe(bytes)}`);
  return bytes;
}

/** Serializes a float64 array as a version 1.0 `.npy` file in C order. */
export function formatNpy(shape: readonly number[], data: Float64Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary, ending in a newline.
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + data.length * 8);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat64(start + 8 * i, data[i], true);
  return out;
}
