/** Hostile and valid values the fuzz classes draw from. */
import { createKernel, type Kernel } from "../../lib/index.js";
import type { Rng } from "./harness.js";

/** Values that are not a valid size, count or positive number in some way. */
export const HOSTILE_SCALARS: readonly unknown[] = [
  0,
  -0,
  -1,
  -7,
  0.5,
  1.5,
  2.999,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** 31,
  2 ** 32 + 3,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  -1e-300,
  "3",
  "",
  " ",
  "abc",
  null,
  undefined,
  true,
  false,
  {},
  [],
  [3],
  3n,
  Symbol("s"),
  () => 3,
  new Date(0),
  Object.create(null),
  new Number(3),
];

/** Sizes n that are far too large for any computation (each must be refused, never allocated). */
export const ENORMOUS_N: readonly number[] = [2 ** 15, 40_000, 99_991, 2 ** 17, 500_000, 2 ** 20];

export function randomData(r: Rng, length: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, () => r.normal() * scale);
}

/** A valid small kernel: k 1..5, g and h 1..3. */
export function smallKernel(r: Rng, maxK = 5, maxC = 3): Kernel {
  const k = r.int(1, maxK),
    g = r.int(1, maxC),
    h = r.int(1, maxC);
  return createKernel(randomData(r, k * k * g * h), [k, k, g, h]);
}

/** Shapes that are wrong in one way or another. */
export function hostileShape(r: Rng): unknown {
  const base = [r.int(1, 4), 0, r.int(1, 3), r.int(1, 3)];
  base[1] = base[0];
  switch (r.int(0, 11)) {
    case 0:
      return r.pick(HOSTILE_SCALARS);
    case 1:
      return base.slice(0, r.int(0, 3));
    case 2:
      return [...base, 1];
    case 3:
      return [base[0], base[0] + 1, base[2], base[3]];
    case 4: {
      const s = [...base];
      s[r.int(0, 3)] = r.pick(HOSTILE_SCALARS) as number;
      return s;
    }
    case 5:
      return [1025, 1025, 1, 1];
    case 6:
      return [1, 1, 65537, 1];
    case 7:
      return new Array(4);
    case 8:
      return { length: 4, 0: 1, 1: 1, 2: 1, 3: 1 };
    case 9:
      return Int32Array.from(base);
    case 10:
      return base.map(String);
    default:
      return [1024, 1024, 65536, 65536];
  }
}

/** Data that does not fit a shape or holds non-finite entries. */
export function hostileData(r: Rng, length: number): unknown {
  switch (r.int(0, 10)) {
    case 0:
      return randomData(r, Math.max(0, length + r.pick([-1, 1, 5, -length]))); // wrong length
    case 1: {
      const d = randomData(r, length);
      d[r.int(0, length - 1)] = r.pick([NaN, Infinity, -Infinity]);
      return d;
    }
    case 2:
      return Array.from(randomData(r, length), (v, i) => (i === 0 ? r.pick(["1", null, undefined, {}, 1n]) : v));
    case 3:
      return new Float32Array(length).fill(r.pick([NaN, 3.5e38 * 10]));
    case 4:
      return r.pick(HOSTILE_SCALARS);
    case 5:
      return new DataView(new ArrayBuffer(length * 8));
    case 6:
      return new BigInt64Array(length);
    case 7:
      return new Uint8Array(length); // any typed array of numbers converts
    case 8:
      return "x".repeat(length);
    case 9: {
      const a: number[] = [];
      a.length = length;
      return a;
    } // holes
    default:
      return Array.from(randomData(r, length));
  }
}

/** A kernel-like object that is broken in one way. */
export function hostileKernel(r: Rng): unknown {
  const good = smallKernel(r);
  switch (r.int(0, 9)) {
    case 0:
      return r.pick(HOSTILE_SCALARS);
    case 1:
      return { shape: good.shape, data: Array.from(good.data) };
    case 2:
      return { shape: good.shape, data: new Float32Array(good.data) };
    case 3:
      return { shape: hostileShape(r), data: good.data };
    case 4:
      return { shape: good.shape, data: hostileData(r, good.data.length) };
    case 5:
      return { data: good.data };
    case 6:
      return { shape: good.shape };
    case 7: {
      // A getter that answers the validation honestly and then lies: the call must use the snapshot.
      let reads = 0;
      return {
        get shape() {
          return reads++ === 0 ? good.shape : [5, 5, 64, 64];
        },
        data: good.data,
      };
    }
    case 8: {
      const d = new Float64Array(good.data.length + 4);
      return { shape: good.shape, data: d.subarray(2, 2 + good.data.length - 1) };
    }
    default: {
      const bad = new Float64Array(good.data);
      bad[r.int(0, bad.length - 1)] = r.pick([NaN, Infinity, -Infinity]);
      return { shape: good.shape, data: bad };
    }
  }
}

/** Options objects that are wrong in one field (or not objects at all). */
export function hostileOptions(r: Rng): unknown {
  const o: Record<string, unknown> = { n: r.int(1, 6) };
  switch (r.int(0, 9)) {
    case 0:
      return r.pick(HOSTILE_SCALARS);
    case 1:
      o.n = r.pick(HOSTILE_SCALARS);
      break;
    case 2:
      o.alpha = r.pick(HOSTILE_SCALARS);
      break;
    case 3:
      o.method = r.pick(["qr", "SVD", "", 1, null, "fft", "lanczos"]);
      break;
    case 4:
      o.engine = r.pick(["sparse", "DENSE", 3, null, "structured?"]);
      break;
    case 5:
      o.padding = r.pick(["same", "valid", "reflect", 0, null, "Circular"]);
      break;
    case 6:
      o.memoryLimit = r.pick([0, -1, NaN, "1GB", Infinity, null, 1, 100]);
      break;
    case 7:
      o.n = r.pick(ENORMOUS_N);
      break;
    case 8:
      delete o.n;
      break;
    default:
      o.dense = r.pick([true, 1, "yes", {}]);
      o.n = r.pick([1, 2, 3, ...ENORMOUS_N]);
      break;
  }
  return o;
}
