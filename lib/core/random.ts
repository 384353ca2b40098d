/**
 * Seeded standard normal kernels that are bit-identical on every machine and JavaScript engine.
 *
 * The algorithm, fully specified so that anyone can reimplement it:
 * 1. Seeding: SplitMix64 started at `seed` (an integer in [0, 2^53)) produces two 64-bit words;
 *    their high and low 32-bit halves (first word high, first word low, second word high, second
 *    word low) are the xoshiro128** state s0..s3.
 * 2. Integers: xoshiro128** (Blackman and Vigna 2018), one 32-bit output per call.
 * 3. Uniforms in [0, 1): two outputs a, b give `((a >>> 5) * 2^26 + (b >>> 6)) / 2^53`.
 * 4. Normals: Marsaglia's polar method. Draw u = 2U1 - 1 and v = 2U2 - 1 until
 *    0 < s = u^2 + v^2 < 1; then emit `u * f` and `v * f` (in that order) with
 *    `f = sqrt(-2 ln(s) / s)`. Entries are filled in HWIO order (`kernel.data` order).
 *
 * Why this is reproducible: ECMAScript defines integer operations (`Math.imul`, shifts) exactly and
 * `+ - * /` as IEEE-754 double arithmetic rounded to nearest, but leaves `Math.log`, `Math.sqrt`
 * and `Math.cos` "implementation-approximated" (engines may differ in the last bit). So `ln` and
 * `sqrt` here are computed from `+ - * /` and exact scalings by 2 only (see {@link deterministicLog}
 * and {@link deterministicSqrt}); both are accurate to about one ulp, and no trigonometry is needed.
 */
import { requireShape, shapeSize, type Kernel, type KernelShape } from "./kernel.js";
import { requireInteger, requireOptions } from "./validate.js";

/** Options of {@link randomKernel}. */
export interface RandomKernelOptions {
  /** Integer seed in [0, 2^53 - 1] (default 1). */
  seed?: number;
}

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea and Flood 2014): the standard seeder for the xoshiro family. */
function splitMix64(seed: bigint): () => bigint {
  let x = seed & MASK64;
  return () => {
    x = (x + 0x9e3779b97f4a7c15n) & MASK64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** xoshiro128** seeded by SplitMix64; returns a function giving the next 32-bit unsigned output. */
export function xoshiro128ss(seed: number): () => number {
  const next64 = splitMix64(BigInt(seed));
  const w0 = next64();
  const w1 = next64();
  const s = new Uint32Array([Number(w0 >> 32n), Number(w0 & 0xffffffffn), Number(w1 >> 32n), Number(w1 & 0xffffffffn)]);
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's published digits, kept verbatim (they round to the intended double)
const LN2_HI = 6.9314718036912381649e-1; // ln 2 split so that e * LN2_HI is exact for |e| < 2^11
// biome-ignore lint/correctness/noPrecisionLoss: as above
const LN2_LO = 1.90821492927058770002e-10;
const SQRT_HALF = Math.SQRT1_2;

/**
 * Natural logarithm of a positive finite double from `+ - * /` only: x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)) by exact scalings by 2, then ln m = 2 atanh(f), f = (m-1)/(m+1), |f| < 0.172,
 * by its odd series to f^25 (truncation below 1e-19 relative).
 */
export function deterministicLog(x: number): number {
  let m = x;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e--;
  }
  while (m >= 2 * SQRT_HALF) {
    m *= 0.5;
    e++;
  }
  const f = (m - 1) / (m + 1);
  const f2 = f * f;
  let series = 1 / 25;
  for (let j = 23; j >= 1; j -= 2) series = 1 / j + f2 * series;
  return e * LN2_HI + (2 * f * series + e * LN2_LO);
}

/**
 * Square root of a positive finite double from `+ - * /` only: x = m 4^e with m in [1/4, 1) by
 * exact scalings, a linear first guess, then Newton's iteration y <- (y + m/y)/2 a fixed number
 * of times (6 doublings of the correct digits from >= 3: converged to rounding).
 */
export function deterministicSqrt(x: number): number {
  let m = x;
  let scale = 1;
  while (m < 0.25) {
    m *= 4;
    scale *= 0.5;
  }
  while (m >= 1) {
    m *= 0.25;
    scale *= 2;
  }
  let y = 0.41731 + 0.59016 * m; // minimax line for sqrt on [1/4, 1), error < 0.01
  for (let i = 0; i < 6; i++) y = 0.5 * (y + m / y);
  return y * scale;
}

/** A reproducible stream of standard normal numbers (the algorithm in this module's header). */
export function normalStream(seed: number): () => number {
  const next = xoshiro128ss(seed);
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = deterministicSqrt((-2 * deterministicLog(s)) / s);
      spare = v * f;
      return u * f;
    }
  };
}

/**
 * A `k x k x g x h` kernel with independent standard normal entries, reproducible across runs,
 * machines and JavaScript engines for a given seed (the paper draws `randn(k,k,g,h)` in MATLAB,
 * whose stream we do not reproduce). See this module's header for the exact algorithm.
 */
export function randomKernel(shape: readonly number[], options: RandomKernelOptions = {}): Kernel {
  const s: KernelShape = requireShape(shape);
  const o = requireOptions(options);
  const seed = o.seed === undefined ? 1 : requireInteger(o.seed, "options.seed", 0, Number.MAX_SAFE_INTEGER);
  const normal = normalStream(seed);
  const data = new Float64Array(shapeSize(s));
  for (let i = 0; i < data.length; i++) data[i] = normal();
  return { shape: s, data };
}
