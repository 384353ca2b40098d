// Dense reference engine at the paper's sizes: penalty+gradient and singular values for the four
// kernels of Section 4 at N = 20, with the GFLOP/s of the BLAS phases beside a DGEMM measured in
// the same run. Run: node bench/dense.js [--quick]
import { penaltyAndGradient, singularValues, getBlasThreads } from "convreg";
import { timeDgemm, timeDsyrk } from "convreg/bench";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const n = quick ? 12 : 20; // --quick: smaller M so that the whole quick run stays under a minute
const repeats = quick ? 3 : 7;
const shapes = [
  [3, 3, 3, 1],
  [3, 3, 1, 3],
  [3, 3, 3, 6],
  [3, 3, 6, 3],
];

const dgemm = timeDgemm(1024, 1024, 1024, repeats);
const rows = [];
const results = [];
for (const shape of shapes) {
  const kernel = paperKernel(shape);
  const [, , g, h] = shape;
  const side = Math.min(g, h) * n * n,
    other = Math.max(g, h) * n * n;
  const grad = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "dense" }), repeats);
  const svd = await timeIt(() => singularValues(kernel, { n, method: "svd" }), repeats);
  const eig = await timeIt(() => singularValues(kernel, { n, method: "gram" }), repeats);
  // BLAS phases of penalty+gradient: syrk (side^2 * other flops) and symm (2 side^2 other flops).
  const blasFlops = 3 * side * side * other;
  const syrk = timeDsyrk(side, other, repeats);
  const gemm = timeDgemm(side, other, side, repeats);
  const svdFlops = 4 * other * side * side - (4 / 3) * side ** 3; // bidiagonalization, values only
  const row = {
    shape,
    n,
    matrix: `${h * n * n}x${g * n * n}`,
    penaltyGradientMs: grad,
    svdMs: svd,
    gramEigenMs: eig,
    penaltyGradientGflops: blasFlops / (grad.median * 1e6),
    bareSyrkPlusGemmGflops: blasFlops / ((syrk.ms + gemm.ms) * 1e6),
    svdGflops: svdFlops / (svd.median * 1e6),
  };
  results.push(row);
  rows.push([
    shape.join("x"),
    row.matrix,
    fmt(grad.median),
    `${fmt(grad.min)}-${fmt(grad.max)}`,
    fmt(row.penaltyGradientGflops),
    fmt(row.bareSyrkPlusGemmGflops),
    fmt(svd.median),
    fmt(row.svdGflops),
    fmt(eig.median),
    fmt(svd.median / eig.median),
  ]);
}

console.log(`\n## Dense reference engine, N = ${n} (BLAS threads: ${getBlasThreads()}, median of ${repeats})\n`);
console.log(markdownTable(["kernel", "M", "F+grad ms", "range ms", "F+grad GFLOP/s", "bare syrk+gemm GFLOP/s", "dgesvd ms", "dgesvd GFLOP/s", "Gram eig ms", "svd/eig"], rows));
console.log(`\nDGEMM 1024^3 in the same run: ${fmt(dgemm.ms)} ms = ${fmt(dgemm.gflops)} GFLOP/s (machine reference).`);
console.log(`F+grad GFLOP/s counts only the BLAS phases (syrk + symm = 3 side^2 other flops) over the whole call, which also builds M.`);
console.log(`Reproduce: ${reproduceCommand("dense.js")}`);
writeResults("dense", { n, dgemm, results });
