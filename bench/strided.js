// Strided layer engine: penalty + gradient of a 3x3x64x64 kernel at stride 2 (SAME) for N = 64
// and N = 4096, timed in one run, interleaved, side by side. The cost does not depend on N, so
// the ratio should be close to 1. Medians of batches of calls. Run: npm run build:ts && node bench/strided.js [--quick]
import { createKernel, penaltyAndGradient } from "../dist/index.js";
import { performance } from "node:perf_hooks";
import { fmt, quick } from "./common.js";

const shape = [3, 3, 64, 64];
let seed = 7;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31 - 0.5) * 0.2;
};
const kernel = createKernel(Float64Array.from({ length: 3 * 3 * 64 * 64 }, next), shape);
const sizes = [64, 4096];
const batch = quick ? 5 : 20,
  repeats = quick ? 5 : 15;

for (const n of sizes) for (let i = 0; i < batch; i++) penaltyAndGradient(kernel, { n, stride: 2 }); // warm-up
const times = new Map(sizes.map((n) => [n, []]));
for (let r = 0; r < repeats; r++)
  for (const n of sizes) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) penaltyAndGradient(kernel, { n, stride: 2 });
    times.get(n).push((performance.now() - t0) / batch);
  }
const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = sizes.map((n) => median(times.get(n)));
for (const [i, n] of sizes.entries())
  console.log(
    `N = ${String(n).padStart(4)}: ${fmt(ms[i])} ms per penalty+gradient (median of ${repeats} batches of ${batch}; F = ${fmt(penaltyAndGradient(kernel, { n, stride: 2 }).penalty, 6)})`,
  );
console.log(`ratio N=4096 / N=64: ${fmt(ms[1] / ms[0], 4)}`);
