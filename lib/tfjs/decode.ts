/**
 * Decoding and encoding of TensorFlow.js weight bytes (little-endian, as TF.js writes them).
 * Decoding mirrors TF.js: quantized float32 weights become float32 values `q * scale + min`.
 */
import { elementCount, storedElementBytes, type Quantization, type WeightEntry } from "./manifest.js";

/** A half-precision (IEEE binary16) bit pattern as a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// Math.round with ties to even (x >= 0).
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The nearest half-precision bit pattern, rounded directly from the double (ties to even; overflow gives infinity). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00;
  // Subnormals (and the rounding up into the smallest normal, 0x400): multiples of 2^-24.
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let fraction = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | fraction;
}

/** Decodes one numeric weight from its stored bytes; `bytes` must hold exactly its stored size. */
export function decodeWeight(entry: WeightEntry, bytes: Uint8Array): Float64Array {
  const count = elementCount(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const q = entry.quantization;
  if (q !== undefined) {
    if (q.dtype === "float16") for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
    else {
      const scale = q.scale as number;
      const min = q.min as number;
      const wide = q.dtype === "uint16";
      const round = entry.dtype === "int32" ? Math.round : Math.fround;
      for (let i = 0; i < count; i++) out[i] = round((wide ? view.getUint16(2 * i, true) : view.getUint8(i)) * scale + min);
    }
    return out;
  }
  switch (entry.dtype) {
    case "float32":
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case "int32":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case "float16":
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      break;
    case "bool":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) ? 1 : 0;
      break;
    default:
      throw new Error(`convreg: ${entry.dtype} weights are not numeric tensors`);
  }
  return out;
}

/**
 * Affine quantization as the TF.js converter does it: scale = (max - min) / qmax with the
 * minimum nudged so that 0 is exactly representable; values are clipped and rounded.
 */
export function affineQuantization(values: ArrayLike<number>, dtype: "uint8" | "uint16"): { scale: number; min: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (!(hi > lo)) return { scale: 1, min: Number.isFinite(lo) ? lo : 0 };
  const qmax = dtype === "uint8" ? 255 : 65535;
  const scale = (hi - lo) / qmax;
  const zeroPoint = Math.round(-lo / scale);
  return { scale, min: -zeroPoint * scale };
}

/**
 * Encodes values in an entry's storage format. For uint8/uint16 quantization the entry's
 * `quantization.scale`/`min` are used as given (compute them with {@link affineQuantization}).
 */
export function encodeWeight(entry: WeightEntry, values: ArrayLike<number>): Uint8Array {
  const count = elementCount(entry.shape);
  const out = new Uint8Array(count * storedElementBytes(entry));
  const view = new DataView(out.buffer);
  const q: Quantization | undefined = entry.quantization;
  if (q !== undefined && q.dtype !== "float16") {
    const scale = q.scale as number;
    const min = q.min as number;
    const qmax = q.dtype === "uint8" ? 255 : 65535;
    for (let i = 0; i < count; i++) {
      const level = Math.min(qmax, Math.max(0, Math.round((values[i] - min) / scale)));
      if (q.dtype === "uint8") view.setUint8(i, level);
      else view.setUint16(2 * i, level, true);
    }
    return out;
  }
  if (q?.dtype === "float16" || entry.dtype === "float16") {
    for (let i = 0; i < count; i++) view.setUint16(2 * i, numberToHalf(values[i]), true);
    return out;
  }
  switch (entry.dtype) {
    case "float32":
      for (let i = 0; i < count; i++) view.setFloat32(4 * i, values[i], true);
      return out;
    case "int32":
      for (let i = 0; i < count; i++) view.setInt32(4 * i, Math.round(values[i]), true);
      return out;
    default:
      throw new Error(`convreg: cannot encode ${entry.dtype} weights`);
  }
}
