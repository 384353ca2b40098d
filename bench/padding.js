// How far circular-padding numbers are from zero-padding ones: for random 3x3 kernels (N(0,1)
// entries) and growing N, the relative difference (circular - zero) / zero of sigma_max, sigma_min
// and the penalty F (alpha = 1), median and largest |.| over several seeds, measured in one run.
// Zero padding uses the dense engine (dgesvd), so N stays where M fits.
// Run: node bench/padding.js [--quick]
import { penalty, singularValues } from "convreg";
import { fmt, markdownTable, quick, reproduceCommand, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const seeds = [1, 2, 3]; // 3 seeds keep the default bench run under ten minutes
const plan = [
  { shape: [3, 3, 1, 1], sizes: quick ? [4, 8, 16, 32] : [4, 8, 16, 32, 48] },
  { shape: [3, 3, 4, 4], sizes: quick ? [4, 8, 12] : [4, 8, 16, 24] },
  { shape: [3, 3, 3, 6], sizes: quick ? [4, 8, 12] : [4, 8, 16, 20] },
];

const relative = (circ, zero) => (circ - zero) / zero;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const maxAbs = (xs) => xs.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
const cell = (xs) => `${fmt(median(xs), 2)} (${fmt(maxAbs(xs), 2)})`;

const rows = [];
const results = [];
for (const { shape, sizes } of plan)
  for (const n of sizes) {
    const d = { sigmaMax: [], sigmaMin: [], sigmaMinZero: [], sigmaMinCircular: [], penalty: [], nTimesPenalty: [] };
    for (const seed of seeds) {
      const kernel = paperKernel(shape, 1000 * seed + shape[2] * 10 + shape[3]);
      const zero = singularValues(kernel, { n, method: "svd", memoryLimit: 8 * 1024 ** 3 });
      const circ = singularValues(kernel, { n, padding: "circular" });
      const fz = penalty(kernel, { n, memoryLimit: 8 * 1024 ** 3 });
      const fc = penalty(kernel, { n, padding: "circular" });
      d.sigmaMax.push(relative(circ[0], zero[0]));
      d.sigmaMin.push(relative(circ[circ.length - 1], zero[zero.length - 1]));
      d.sigmaMinZero.push(zero[zero.length - 1]);
      d.sigmaMinCircular.push(circ[circ.length - 1]);
      d.penalty.push(relative(fc, fz));
      d.nTimesPenalty.push(n * relative(fc, fz));
    }
    results.push({ shape, n, seeds, ...d });
    rows.push([
      shape.join("x"),
      n,
      cell(d.sigmaMax),
      cell(d.sigmaMin),
      fmt(median(d.sigmaMinZero), 2),
      fmt(median(d.sigmaMinCircular), 2),
      cell(d.penalty),
      fmt(median(d.nTimesPenalty), 3),
    ]);
  }

console.log(markdownTable(["kernel", "N", "sigma_max rel. diff", "sigma_min rel. diff", "sigma_min zero", "sigma_min circular", "F rel. diff", "N x F rel. diff"], rows));
console.log(`\nRel. diff = (circular - zero) / zero: median over ${seeds.length} random kernels, largest |.| in brackets;`);
console.log("sigma_min columns: medians. F: penalty with alpha = 1.");
console.log(`Reproduce: ${reproduceCommand("padding.js")}`);
console.log(`Results: ${writeResults("padding", { results })}`);
