import { describe, expect, it } from "vitest";
import { randomKernel } from "../lib/index.js";
import { deterministicLog, deterministicSqrt, xoshiro128ss } from "../lib/core/random.js";

// The documented algorithm reimplemented independently: 64-bit arithmetic with BigInt for both
// SplitMix64 and xoshiro128** (the library uses Math.imul on 32-bit words), and Math.log /
// Math.sqrt for the polar method (the library uses its own + - * / versions).
const M32 = 0xffffffffn;
const M64 = (1n << 64n) - 1n;

function referenceNormals(seed: number, count: number): { ints: bigint[]; normals: number[] } {
  let x = BigInt(seed);
  const split = () => {
    x = (x + 0x9e3779b97f4a7c15n) & M64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
  const a = split();
  const b = split();
  const s = [a >> 32n, a & M32, b >> 32n, b & M32];
  const rotl = (v: bigint, k: bigint) => ((v << k) | (v >> (32n - k))) & M32;
  const ints: bigint[] = [];
  const next = () => {
    const result = (rotl((s[1] * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1] << 9n) & M32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    ints.push(result);
    return result;
  };
  const uniform = () => Number((next() >> 5n) * 2n ** 26n + (next() >> 6n)) / 2 ** 53;
  const normals: number[] = [];
  while (normals.length < count) {
    const u = 2 * uniform() - 1;
    const v = 2 * uniform() - 1;
    const q = u * u + v * v;
    if (q >= 1 || q === 0) continue;
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    normals.push(u * f, v * f);
  }
  return { ints, normals: normals.slice(0, count) };
}

describe("randomKernel", () => {
  it.each([0, 1, 42, 2 ** 40 + 7])("seed %i follows the documented algorithm (SplitMix64, xoshiro128**, polar method)", (seed) => {
    const kernel = randomKernel([3, 3, 6, 3], { seed });
    expect(kernel.shape).toEqual([3, 3, 6, 3]);
    const { normals } = referenceNormals(seed, kernel.data.length);
    for (let i = 0; i < normals.length; i++) expect(Math.abs(kernel.data[i] - normals[i])).toBeLessThanOrEqual(4e-15 * Math.max(1, Math.abs(normals[i])));
  });

  it("pins SplitMix64 to its published first outputs and the library's xoshiro128** words to BigInt arithmetic", () => {
    const first = (seed: bigint) => {
      let x = (seed + 0x9e3779b97f4a7c15n) & M64;
      x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
      x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M64;
      return (x ^ (x >> 31n)).toString(16);
    };
    expect(first(0n)).toBe("e220a8397b1dcdaf");
    expect(first(1n)).toBe("910a2dec89025cc1");
    for (const seed of [0, 1, 123456789]) {
      const { ints } = referenceNormals(seed, 200);
      const next = xoshiro128ss(seed);
      for (const v of ints) expect(next()).toBe(Number(v));
    }
  });

  it("is reproducible for a seed, differs across seeds and defaults to seed 1", () => {
    const a = randomKernel([3, 3, 3, 1], { seed: 7 });
    const b = randomKernel([3, 3, 3, 1], { seed: 7 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(randomKernel([3, 3, 3, 1], { seed: 8 }).data)).not.toEqual(Array.from(a.data));
    expect(Array.from(randomKernel([3, 3, 3, 1]).data)).toEqual(Array.from(randomKernel([3, 3, 3, 1], { seed: 1 }).data));
  });

  it("draws standard normal entries (mean, variance and tail frequencies of 200k draws)", () => {
    const d = randomKernel([1, 1, 400, 500], { seed: 3 }).data;
    const n = d.length;
    const mean = d.reduce((s, v) => s + v, 0) / n;
    const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const beyond2 = d.filter((v) => Math.abs(v) > 2).length / n;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(beyond2 - 0.0455003)).toBeLessThan(5 * Math.sqrt(0.0455 / n));
  });

  it("computes ln and sqrt from + - * / to about one ulp", () => {
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: 0.7071 is a test point near 1/sqrt(2), not the constant
    for (const x of [1e-300, 2.2e-16, 0.001, 0.49, 0.5, 0.7071, 0.99999, 1, 1.5, 1e6, 3.7e200]) {
      expect(Math.abs(deterministicLog(x) - Math.log(x))).toBeLessThanOrEqual(2.3e-16 * Math.max(1, Math.abs(Math.log(x))));
      expect(Math.abs(deterministicSqrt(x) - Math.sqrt(x))).toBeLessThanOrEqual(2.3e-16 * Math.sqrt(x));
    }
  });

  it("rejects bad shapes and seeds naming the argument", () => {
    expect(() => randomKernel([3, 2, 1, 1])).toThrow(/square/);
    expect(() => randomKernel([3, 3, 1, 1], { seed: -1 })).toThrow(/options\.seed/);
    expect(() => randomKernel([3, 3, 1, 1], { seed: 1.5 })).toThrow(/options\.seed/);
  });
});
