// Against the machine: achieved GFLOP/s of the BLAS-bound phases of the structured and matrix-free
// paths, beside a large DGEMM and a bare DGEMM of the same shape as each phase's gemm, all measured
// in this run. (bench/dense.js does the same for the dense engine's syrk/symm and dgesvd.)
// Run: node bench/machine.js [--quick]
import { applyLayer, getBlasThreads, penaltyAndGradient, spectralPenaltyAndGradient } from "convreg";
import { sigmaMaxIterative } from "../dist/spectrum/sigma-max.js";
import { timeDgemm } from "convreg/bench";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const layers = quick
  ? [
      [3, 32, 16],
      [3, 64, 8],
    ]
  : [
      [3, 64, 56],
      [3, 128, 28],
      [3, 256, 14],
    ];
const repeats = quick ? 3 : 5;
const big = 1024;
const reference = timeDgemm(big, big, big, 5);

const rows = [],
  results = [];
for (const [k, c, n] of layers) {
  const kernel = paperKernel([k, k, c, c], c);
  const g = c,
    h = c;
  const s = Math.min(g, h),
    outer = Math.max(g, h),
    width = k * k * s;
  // Structured engine: one syrk (width^2 outer) and one gemm (2 outer width^2) on A = [A_t1 A_t2 ...].
  const structuredFlops = 3 * outer * width * width;
  const structured = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "structured" }), repeats);
  const bareStructured = timeDgemm(outer, width, width, repeats);
  // One product M x: one gemm per tap, (N (N + k - 1)) x g times g x h.
  const productFlops = 2 * k * k * g * h * n * n;
  const x = Float64Array.from({ length: g * n * n }, (_, i) => Math.sin(i));
  const product = await timeIt(() => applyLayer(kernel, x, { n }), repeats);
  const bareTap = timeDgemm(n * (n + k - 1), h, g, repeats);
  // 2-norm iteration: 2 power steps (2 products each) + the gradient correlation (one more product's worth).
  let vector;
  const spectral = await timeIt(() => {
    vector = spectralPenaltyAndGradient(kernel, { n, startVector: vector }).vector;
  }, repeats);
  const spectralFlops = 5 * productFlops;
  const t0 = performance.now();
  const lanczos = sigmaMaxIterative(kernel, { n, tolerance: 1e-4 });
  const lanczosMs = performance.now() - t0;
  const lanczosFlops = lanczos.iterations * 2 * productFlops;
  const gf = (flops, ms) => flops / (ms * 1e6);
  const r = {
    layer: `${k}x${k}x${c}x${c}`,
    n,
    structured: { ms: structured, gflops: gf(structuredFlops, structured.median), bareGemmGflops: bareStructured.gflops },
    product: { ms: product, gflops: gf(productFlops, product.median), bareTapGemmGflops: bareTap.gflops * 1, tapGemmShape: [n * (n + k - 1), h, g] },
    spectral: { ms: spectral, gflops: gf(spectralFlops, spectral.median) },
    lanczos: { ms: lanczosMs, products: lanczos.iterations, gflops: gf(lanczosFlops, lanczosMs) },
  };
  results.push(r);
  const pct = (x) => `${fmt(x)} (${fmt((100 * x) / reference.gflops, 2)}%)`;
  rows.push([
    r.layer,
    n,
    pct(r.structured.gflops),
    pct(r.structured.bareGemmGflops),
    pct(r.product.gflops),
    pct(r.product.bareTapGemmGflops),
    pct(r.spectral.gflops),
    pct(r.lanczos.gflops),
  ]);
}

console.log(`\n## Against the machine: GFLOP/s (and % of a ${big}^3 DGEMM in the same run), BLAS threads ${getBlasThreads()}\n`);
console.log(markdownTable(["layer", "N", "structured F+grad", "bare gemm of its shape", "M x (per-tap gemm)", "bare tap gemm", "2-norm iteration", "Lanczos sigma_max"], rows));
console.log(`\nDGEMM ${big}^3: ${fmt(reference.ms)} ms = ${fmt(reference.gflops)} GFLOP/s. Flop counts: structured 3 max(g,h) (k^2 min(g,h))^2 (syrk + gemm);`);
console.log(`M x 2 k^2 g h N^2; 2-norm iteration 5 such products (2 power steps of M and M^T, plus the gradient); Lanczos 2 per Gram product.`);
console.log(`Whole-call rates include the non-BLAS work (packing, class sums), so they bound the BLAS phases from below.`);
console.log(`Reproduce: ${reproduceCommand("machine.js")}`);
writeResults("machine", { reference, results });
