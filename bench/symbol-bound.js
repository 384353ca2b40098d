// The proven symbol bound on sigma_max (sigmaMaxUpperBound) for random He-scaled 3x3x64x64 and
// 3x3x256x256 kernels at tolerance 1e-3: time, cells, the upper value and the gap to the sampled
// symbol value. One run each (no repeats: the cost is deterministic, and the machine is shared).
// Run: npm run build:ts && node bench/symbol-bound.js [--max-cells-256 N] [--stride S]
import os from "node:os";
import { createKernel, getBlasThreads, sigmaMaxUpperBound } from "../dist/index.js";
import { fmt, markdownTable, writeResults } from "./common.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const stride = arg("--stride", 1);
// 256 channels: one Hermitian eigenvalue problem of order 256 per point (about 5 ms of CPU here), so a cap.
const cap256 = arg("--max-cells-256", 1000); // 708 cells reach 1e-3 for this kernel

function heKernel(k, g, h, seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return (a + 0.5) / 4294967296;
  };
  const data = new Float64Array(k * k * g * h);
  const scale = Math.sqrt(2 / (k * k * g));
  for (let i = 0; i < data.length; i++) data[i] = scale * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return createKernel(data, [k, k, g, h]);
}

const rows = [];
const runs = [];
for (const [c, maxCells] of [
  [64, 100000],
  [256, cap256],
]) {
  const b = sigmaMaxUpperBound(heKernel(3, c, c, 1), { tolerance: 1e-3, stride, maxCells });
  const gap = (b.upper - b.symbolLower) / b.upper;
  runs.push({ shape: [3, 3, c, c], stride, maxCells, ...b, relativeGap: gap });
  rows.push([`3x3x${c}x${c}`, String(stride), fmt(b.ms / 1000), String(b.cells), String(b.converged), fmt(b.symbolLower, 6), fmt(b.upper, 6), gap.toExponential(2)]);
}
console.log(`BLAS threads ${getBlasThreads()}, load ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores`);
console.log(markdownTable(["kernel", "stride", "seconds", "cells", "converged", "symbol lower", "upper (proven)", "(upper - lower) / upper"], rows));
console.log(`results: ${writeResults("symbol-bound", { loadAverage: os.loadavg()[0], runs })}`);
