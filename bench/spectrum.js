// sigma_max without M: Lanczos on the Gram operator (src/lanczos.cpp) beside LAPACK dgesvd on
// the dense M at sizes where both run, then Lanczos alone at the sizes of real networks.
// Run: npm run build && node bench/spectrum.js [--quick]   (or: npm run bench:spectrum)
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { applyLayer, applyLayerTranspose, getBlasThreads, singularValues } from "convreg";
import { sigmaMaxIterative } from "../dist/spectrum/sigma-max.js";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const GiB = 1024 ** 3;
const tolerance = 1e-9;

// Wall time and process CPU time (all BLAS threads): on a shared machine the CPU time is the steadier figure.
function lanczos(kernel, n) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = sigmaMaxIterative(kernel, { n, tolerance, memoryLimit: 8 * GiB });
  const cpu = process.cpuUsage(c0);
  return { ...r, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// --- side by side -----------------------------------------------------------------------
const pairs = quick
  ? [
      [[3, 3, 3, 6], 12],
      [[3, 3, 8, 8], 8],
    ] // --quick: small enough for a run under a minute in total
  : [
      [[3, 3, 3, 6], 20],
      [[3, 3, 6, 3], 20],
      [[3, 3, 8, 8], 8],
      [[3, 3, 8, 8], 12],
      [[3, 3, 8, 8], 16],
      [[3, 3, 16, 16], 10],
      [[5, 5, 4, 4], 16],
    ];
const sideRows = [];
const sideResults = [];
for (const [shape, n] of pairs) {
  const kernel = paperKernel(shape, 7);
  const [, , g, h] = shape;
  let values;
  const svd = await timeIt(() => (values = singularValues(kernel, { n, method: "svd", memoryLimit: 8 * GiB })), 1);
  const iter = lanczos(kernel, n);
  const lz = await timeIt(() => lanczos(kernel, n), quick ? 1 : 3);
  const relDiff = Math.abs(iter.sigmaMax - values[0]) / values[0];
  const row = {
    shape,
    n,
    matrix: `${h * n * n}x${g * n * n}`,
    dgesvdMs: svd.median,
    lanczosMs: lz.median,
    speedup: svd.median / lz.median,
    iterations: iter.iterations,
    relativeBound: iter.sigmaMaxBound / iter.sigmaMax,
    relativeDifference: relDiff,
    boundHolds: Math.abs(iter.sigmaMax - values[0]) <= iter.sigmaMaxBound,
  };
  sideResults.push(row);
  sideRows.push([
    shape.join("x"),
    n,
    row.matrix,
    fmt(svd.median),
    fmt(lz.median),
    fmt(row.speedup),
    row.iterations,
    fmt(row.relativeBound, 2),
    fmt(relDiff, 2),
    row.boundHolds ? "yes" : "NO",
  ]);
}

// --- real sizes -------------------------------------------------------------------------
const real = quick
  ? [
      [[3, 3, 64, 64], 14],
      [[3, 3, 64, 64], 28],
    ]
  : [
      [[3, 3, 64, 64], 56],
      [[3, 3, 128, 128], 28],
      [[3, 3, 256, 256], 14],
      [[3, 3, 512, 512], 7],
      [[1, 1, 256, 64], 56],
    ];
const realRows = [];
const realResults = [];
for (const [shape, n] of real) {
  const kernel = paperKernel(shape, 11);
  const [, , g, h] = shape;
  const x = new Float64Array(g * n * n).fill(1),
    y = new Float64Array(h * n * n).fill(1);
  const apply = await timeIt(() => applyLayer(kernel, x, { n }), 3);
  const adjoint = await timeIt(() => applyLayerTranspose(kernel, y, { n }), 3);
  const r = lanczos(kernel, n);
  const row = {
    shape,
    n,
    matrix: `${h * n * n}x${g * n * n}`,
    applyMs: apply.median,
    adjointMs: adjoint.median,
    lanczosMs: r.ms,
    lanczosCpuMs: r.cpuMs,
    iterations: r.iterations,
    restarts: r.restarts,
    converged: r.converged,
    sigmaMax: r.sigmaMax,
    relativeBound: r.sigmaMaxBound / r.sigmaMax,
    gramShareOfTime: (r.iterations * (apply.median + adjoint.median)) / r.ms,
  };
  realResults.push(row);
  realRows.push([
    shape.join("x"),
    n,
    row.matrix,
    fmt(apply.median),
    fmt(adjoint.median),
    fmt(r.ms / 1000),
    fmt(r.cpuMs / 1000),
    r.iterations,
    r.converged ? "yes" : "NO",
    fmt(r.sigmaMax, 10),
    fmt(row.relativeBound, 2),
    fmt(row.gramShareOfTime, 2),
  ]);
}

const load = loadavg();
console.log(`# sigma_max: Lanczos (tolerance ${tolerance}) against dgesvd, BLAS threads ${getBlasThreads()}, load average ${load.map((v) => v.toFixed(1)).join(" ")}\n`);
console.log("Side by side (one dgesvd run, median of Lanczos runs; times in ms):\n");
console.log(markdownTable(["kernel", "N", "M", "dgesvd ms", "Lanczos ms", "speedup", "Gram products", "bound/sigma", "abs diff / sigma", "diff within bound"], sideRows));
console.log("\nLanczos alone at real sizes (M x and M^T y: median of 3, ms):\n");
console.log(markdownTable(["kernel", "N", "M", "M x ms", "M^T y ms", "Lanczos s", "CPU s", "Gram products", "converged", "sigma_max", "bound/sigma", "Gram share"], realRows));
const file = writeResults("spectrum", { tolerance, blasThreads: getBlasThreads(), loadAverage: load, sideBySide: sideResults, realSizes: realResults });
console.log(`\nwrote ${file}\nreproduce: ${reproduceCommand("spectrum.js")}`);
