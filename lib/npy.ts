/**
 * NumPy `.npy` reading and writing for float32 and float64 arrays (little-endian, C order),
 * format versions 1.0, 2.0 and 3.0. Anything else is refused with ERR_NPY_HEADER.
 */
import { ConvregError, ConvregTypeError } from "./errors.js";
import { describe } from "./validate.js";

/** An array read from a `.npy` file, widened to float64. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
  /** The file's dtype: "<f8" or "<f4". */
  dtype: "<f8" | "<f4";
}

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
  const parts = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw headerError(source, `shape entry ${JSON.stringify(p)} is not a non-negative integer`);
    return Number(p);
  });
  return { descr, fortran: fortran === "True", shape };
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
  if (descr !== "<f8" && descr !== "<f4")
    throw headerError(source, `dtype ${JSON.stringify(descr)} is not supported (only little-endian float64 "<f8" and float32 "<f4")`);
  if (fortran) throw headerError(source, "fortran_order is True; save the array in C order (numpy.ascontiguousarray)");
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === "<f8" ? 8 : 4;
  const available = bytes.length - dataStart;
  if (available !== count * itemSize)
    throw headerError(source, `shape (${shape.join(", ")}) needs ${count * itemSize} data bytes but the file has ${available}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++)
    data[i] = itemSize === 8 ? view.getFloat64(dataStart + 8 * i, true) : view.getFloat32(dataStart + 4 * i, true);
  return { shape, data, dtype: descr };
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
