// Engine scaling: the paper's dense construction against the structured engine (cost independent
// of N) for the Frobenius penalty + gradient, and the matrix-free 2-norm penalty + gradient (2 power
// steps) beside them, for 3x3 kernels with g = h = c channels and growing N. Writes a log-log plot
// of time against N to bench/results/engine-scaling.svg.
// Run: node bench/engine-scaling.js [--quick]
import { writeFileSync } from "node:fs";
import path from "node:path";
import { penaltyAndGradient, spectralPenaltyAndGradient } from "convreg";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";
import { logLogPlot } from "./plot.js";

const sizes = [4, 8, 12, 16, 20, 24, 32];
const channels = [1, 3, 6, 16];
// The dense engine costs about 3 side^3 flops (syrk + symm, side = c N^2) and 2 side^2 x 8 bytes:
// skip it past these limits rather than run for minutes or exhaust memory.
const denseFlopLimit = quick ? 1.5e9 : 2e10;
const denseByteLimit = 1.5 * 1024 ** 3;
const repeats = quick ? 3 : 9;

const rows = [],
  results = [],
  skipped = [];
for (const c of channels) {
  const kernel = paperKernel([3, 3, c, c], c);
  for (const n of sizes) {
    const side = c * n * n;
    const structured = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "structured" }), repeats);
    let vector;
    const spectral = await timeIt(() => {
      vector = spectralPenaltyAndGradient(kernel, { n, startVector: vector }).vector;
    }, repeats);
    const flops = 3 * side ** 3,
      bytes = 2 * side * side * 8;
    let dense = null,
      why = null;
    if (flops > denseFlopLimit) why = `about ${fmt(flops)} flops > limit ${fmt(denseFlopLimit)}${quick ? " (--quick)" : ""}`;
    else if (bytes > denseByteLimit) why = `needs ${fmt(bytes / 1024 ** 3)} GiB > ${fmt(denseByteLimit / 1024 ** 3)} GiB`;
    else dense = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "dense", memoryLimit: 2 * denseByteLimit }), Math.max(1, Math.min(repeats, Math.round(2e9 / flops))));
    if (why) skipped.push(`c=${c} N=${n}: dense skipped, ${why}`);
    results.push({ channels: c, n, side, structuredMs: structured, spectralMatrixFreeMs: spectral, denseMs: dense, denseSkipped: why });
    rows.push([
      c,
      n,
      `${side}x${side}`,
      `${fmt(structured.median)} (${fmt(structured.min)}-${fmt(structured.max)})`,
      dense ? `${fmt(dense.median)} (${fmt(dense.min)}-${fmt(dense.max)})` : "skipped",
      dense ? fmt(dense.median / structured.median) : "-",
      `${fmt(spectral.median)} (${fmt(spectral.min)}-${fmt(spectral.max)})`,
    ]);
  }
}

console.log(`\n## Engine scaling: penalty + gradient of 3x3 kernels with c input = c output channels, median (min-max) ms\n`);
console.log(markdownTable(["c", "N", "Gram", "Frobenius structured", "Frobenius dense", "dense / structured", "2-norm matrix-free (2 steps)"], rows));
if (skipped.length) console.log(`\nDense skipped where it would exceed the time/memory limits:\n${skipped.map((s) => `- ${s}`).join("\n")}`);

const series = [];
channels.forEach((c, i) => {
  const color = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"][i];
  const mine = results.filter((r) => r.channels === c);
  series.push({ name: `structured c=${c}`, color, points: mine.map((r) => [r.n, r.structuredMs.median]) });
  series.push({ name: `dense c=${c}`, color, dashed: true, points: mine.filter((r) => r.denseMs).map((r) => [r.n, r.denseMs.median]) });
});
const svg = logLogPlot({
  title: "Frobenius penalty + gradient: dense vs structured (3x3 kernels)",
  xLabel: "N (input is N x N)",
  yLabel: "time per call (ms)",
  series,
  xTicks: sizes,
});
const svgFile = path.join(benchDir, "results", "engine-scaling.svg");
writeResults("engine-scaling", { sizes, channels, denseFlopLimit, results });
writeFileSync(svgFile, svg);
console.log(`\nPlot: bench/results/engine-scaling.svg (log-log, solid = structured, dashed = dense).`);
console.log(`Reproduce: ${reproduceCommand("engine-scaling.js")}`);
