// Structured engine: (a) against the dense engine per penalty+gradient at the paper's sizes (N = 20),
// side by side; (b) its time against N for a 3x3x256x256 kernel; (c) that time against the bare
// syrk + gemm of the same shapes, measured in the same run. Medians of repeats: the machine may be
// shared, so single timings are noisy. Run: node bench/structured.js [--quick]
import { penaltyAndGradient, getBlasThreads } from "convreg";
import { timeDgemm, timeDsyrk, timeEngine } from "convreg/bench";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const repeats = quick ? 3 : 9;

// Per-call median of batches of `batch` calls (single calls of a few microseconds are below timer noise).
async function perCall(fn, batch, reps) {
  const t = await timeIt(() => {
    for (let i = 0; i < batch; i++) fn();
  }, reps);
  return { median: t.median / batch, min: t.min / batch, max: t.max / batch, repeats: reps, batch };
}

// (a) dense against structured at the paper's sizes (--quick: N = 12, so the quick run stays short).
const n = quick ? 12 : 20;
const paper = [];
const paperShapes = [
  [3, 3, 3, 1],
  [3, 3, 1, 3],
  [3, 3, 3, 6],
  [3, 3, 6, 3],
];
// Warm-up: let the JIT compile the call path before any microsecond-scale timing.
for (const shape of paperShapes) {
  const kernel = paperKernel(shape);
  for (let i = 0; i < 3000; i++) penaltyAndGradient(kernel, { n, engine: "structured" });
}
for (const shape of paperShapes) {
  const kernel = paperKernel(shape);
  const [, , g, h] = shape;
  const dense = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "dense" }), quick ? 3 : 5);
  const structured = await perCall(() => penaltyAndGradient(kernel, { n, engine: "structured" }), 1000, repeats);
  // The same two engines timed inside the core: no JavaScript crossing per call.
  const denseCore = timeEngine(kernel, { n, engine: "dense", calls: 1, repeats: quick ? 3 : 5 });
  const structuredCore = timeEngine(kernel, { n, engine: "structured", calls: 2000, repeats });
  const d = penaltyAndGradient(kernel, { n, engine: "dense" }),
    s = penaltyAndGradient(kernel, { n, engine: "structured" });
  paper.push({
    shape,
    n,
    matrix: `${h * n * n}x${g * n * n}`,
    denseMs: dense,
    structuredMs: structured,
    speedup: dense.median / structured.median,
    denseCoreMs: denseCore,
    structuredCoreMs: structuredCore,
    coreSpeedup: denseCore / structuredCore,
    penaltyRelDiff: Math.abs(d.penalty - s.penalty) / d.penalty,
  });
}

// (b) and (c): a 3x3x256x256 kernel, N = 8 .. 4096, with the bare BLAS calls of the same shapes,
// in wall time and in process CPU time (the latter is less sensitive to other jobs, and only
// comparable with one BLAS thread: idle OpenBLAS threads spin after each call).
const big = [3, 3, 256, 256];
const bigKernel = paperKernel(big, 7);
const width = big[0] * big[1] * Math.min(big[2], big[3]); // tap Gram side k^2 min(g, h)
const outer = Math.max(big[2], big[3]);
const sizes = [];
for (let s = 8; s <= 4096; s *= 2) sizes.push(s);
// Rounds: every N once, then the bare calls, so that load drifting on a shared machine hits all of
// them alike; each figure is the median over the rounds.
const rounds = quick ? 1 : 9;
const samples = new Map(sizes.map((size) => [size, []]));
const cpuSamples = new Map(sizes.map((size) => [size, []]));
const loadBefore = os.loadavg()[0];
const bare = [];
penaltyAndGradient(bigKernel, { n: 8 }); // warm-up: scratch buffers, BLAS threads
for (let round = 0; round < rounds; round++) {
  for (const size of sizes) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    penaltyAndGradient(bigKernel, { n: size });
    samples.get(size).push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuSamples.get(size).push((c.user + c.system) / 1000);
  }
  const syrk = timeDsyrk(width, outer, 1).ms; // width x width from width x outer
  const gemm = timeDgemm(outer, width, width, 1).ms; // (outer x width) (width x width)
  const syrkCpu = timeDsyrk(width, outer, 1, "cpu").ms;
  const gemmCpu = timeDgemm(outer, width, width, 1, "cpu").ms;
  bare.push({ syrkMs: syrk, gemmMs: gemm, totalMs: syrk + gemm, cpuMs: syrkCpu + gemmCpu });
}
const loadAfter = os.loadavg()[0];
const stats = (xs) => {
  const sorted = [...xs].sort((x, y) => x - y);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], repeats: xs.length };
};
const byN = sizes.map((size) => ({ n: size, ms: stats(samples.get(size)), cpuMs: stats(cpuSamples.get(size)) }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bareMs = {
  syrk: median(bare.map((b) => b.syrkMs)),
  gemm: median(bare.map((b) => b.gemmMs)),
  total: median(bare.map((b) => b.totalMs)),
  cpu: median(bare.map((b) => b.cpuMs)),
};
const at = (size) => byN.find((r) => r.n === size).ms.median;
const flops = width * width * outer + 2 * outer * width * width;

console.log(`\n## Structured against dense, penalty + gradient, N = ${n} (BLAS threads: ${getBlasThreads()})\n`);
console.log(
  markdownTable(
    ["kernel", "M", "dense ms", "structured us", "speedup", "dense ms (core)", "structured us (core)", "speedup (core)", "|F_s - F_d| / F_d"],
    paper.map((r) => [
      r.shape.join("x"),
      r.matrix,
      fmt(r.denseMs.median),
      fmt(r.structuredMs.median * 1000),
      fmt(r.speedup),
      fmt(r.denseCoreMs),
      fmt(r.structuredCoreMs * 1000),
      fmt(r.coreSpeedup),
      fmt(r.penaltyRelDiff, 2),
    ]),
  ),
);
console.log(
  `\nDense: median of ${paper[0].denseMs.repeats} calls; structured: median of ${repeats} batches of ${paper[0].structuredMs.batch} calls, ` +
    `through the public API (argument checks and the crossing into C++ included). "core": both engines timed inside C++ ` +
    `(timeEngine; structured: ${repeats} runs of 2000 calls). Smallest speedup: ${fmt(Math.min(...paper.map((r) => r.speedup)))}x through the API, ` +
    `${fmt(Math.min(...paper.map((r) => r.coreSpeedup)))}x in the core (target at least 10,000x).`,
);

console.log(`\n## Structured penalty + gradient against N, ${big.join("x")} kernel\n`);
console.log(
  markdownTable(
    ["N", "M", `ms (median of ${rounds})`, "range ms", "/ time at N=32", "/ bare syrk+gemm", "CPU ms", "CPU / bare CPU", "GFLOP/s (BLAS part)"],
    byN.map((r) => [
      r.n,
      `${big[3] * r.n * r.n}x${big[2] * r.n * r.n}`,
      fmt(r.ms.median),
      `${fmt(r.ms.min)}-${fmt(r.ms.max)}`,
      fmt(r.ms.median / at(32)),
      fmt(r.ms.median / bareMs.total),
      fmt(r.cpuMs.median),
      fmt(r.cpuMs.median / bareMs.cpu),
      fmt(flops / (r.ms.median * 1e6)),
    ]),
  ),
);
console.log(
  `\nBare BLAS of the same shapes, one call each per round (median of ${bare.length} rounds): ` +
    `syrk ${width}x${width} from ${width}x${outer}: ${fmt(bareMs.syrk)} ms, gemm ${outer}x${width} by ${width}x${width}: ${fmt(bareMs.gemm)} ms, ` +
    `together ${fmt(bareMs.total)} ms = ${fmt(flops / (bareMs.total * 1e6))} GFLOP/s; process CPU time ${fmt(bareMs.cpu)} ms. ` +
    `CPU times are comparable only with one BLAS thread (OPENBLAS_NUM_THREADS=1). Load average (1 min): ${fmt(loadBefore)} before, ${fmt(loadAfter)} after.`,
);
const flat = at(4096) / at(32),
  overBare = at(4096) / bareMs.total,
  cpuOverBare = byN.find((r) => r.n === 4096).cpuMs.median / bareMs.cpu;
console.log(
  `N = 4096 against N = 32: ${fmt((flat - 1) * 100, 2)}% (target within 10%); against bare syrk + gemm: ${fmt(overBare)}x wall, ` +
    `${fmt(cpuOverBare)}x CPU time (target within 1.25x).`,
);
console.log(`Timings are medians; other jobs share this machine, so individual runs vary.`);
console.log(`Reproduce: ${reproduceCommand("structured.js")}`);
const file = writeResults("structured", {
  blasThreads: getBlasThreads(),
  paper,
  bigKernel: { shape: big, width, outer, byN, bare, bareMs, flatness: flat, overBare, cpuOverBare, loadBefore, loadAfter },
});
console.log(`Results: ${file}`);
