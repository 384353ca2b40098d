// Kernels used by the benchmarks: seeded standard normal entries (the paper's experiment).
import { createKernel } from "convreg";

/** A kernel with N(0,1) entries from a fixed-seed mulberry32 + Box-Muller generator. */
export function paperKernel(shape, seed = 1) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const count = shape.reduce((x, y) => x * y, 1);
  const data = Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
  return createKernel(data, shape);
}
