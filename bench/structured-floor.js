// Issue 15, item 5: the structured engine's penalty + gradient of a 3x3x256x256 kernel at N = 4096
// through the public API, against the bare syrk + gemm of the same shapes, in interleaved rounds
// (each round times every variant once, in a rotating order), so that load drifting on a shared
// machine hits all of them alike. The figure is the median over the rounds of the per-round ratio.
// With --against <checkout>, another build of convreg (its dist/index.js and addon, e.g. main's
// worktree) is timed in the same rounds: an A/B ratio of two versions of the engine.
// Run: node bench/structured-floor.js [--quick] [--rounds R] [--against /path/to/checkout]
import { penaltyAndGradient, getBlasThreads } from "convreg";
import { timeDgemm, timeDsyrk } from "convreg/bench";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { fmt, markdownTable, quick, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(argValue("--rounds") ?? (quick ? 7 : 21));
const against = argValue("--against");
const other = against ? await import(pathToFileURL(path.join(path.resolve(against), "dist", "index.js")).href) : undefined;

const shape = [3, 3, 256, 256];
const n = 4096;
const kernel = paperKernel(shape, 7);
const width = shape[0] * shape[1] * Math.min(shape[2], shape[3]);
const outer = Math.max(shape[2], shape[3]);

const variants = [
  { name: "this build", run: () => penaltyAndGradient(kernel, { n }) },
  // syrk (width x width from width x outer) and gemm ((outer x width) (width x width)), one timed call each.
  { name: "bare syrk + gemm", run: () => timeDsyrk(width, outer, 1).ms + timeDgemm(outer, width, width, 1).ms, timesItself: true },
];
if (other) variants.push({ name: `--against ${against}`, run: () => other.penaltyAndGradient(kernel, { n }) });

for (const v of variants) v.run(); // warm-up: scratch buffers, BLAS threads, JIT
const samples = variants.map(() => []);
const loadBefore = os.loadavg()[0];
for (let round = 0; round < rounds; round++) {
  for (let j = 0; j < variants.length; j++) {
    const i = (j + round) % variants.length;
    const v = variants[i];
    const t0 = performance.now();
    const timed = v.run();
    samples[i].push(v.timesItself ? timed : performance.now() - t0);
  }
}
const loadAfter = os.loadavg()[0];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => median(samples[a].map((x, r) => x / samples[b][r]));

const rows = variants.map((v, i) => [v.name, fmt(median(samples[i])), `${fmt(Math.min(...samples[i]))}-${fmt(Math.max(...samples[i]))}`, i === 1 ? "1" : fmt(ratio(i, 1))]);
console.log(`\n## Structured penalty + gradient, ${shape.join("x")} at N = ${n}, against bare BLAS (BLAS threads: ${getBlasThreads()})\n`);
console.log(markdownTable(["variant", `ms (median of ${rounds})`, "range ms", "/ bare syrk+gemm (median per round)"], rows));
if (other) console.log(`\nThis build / --against: ${fmt(ratio(0, 2))} (median per round).`);
console.log(`Target: at most 1.25x the bare syrk + gemm. Load average (1 min): ${fmt(loadBefore)} before, ${fmt(loadAfter)} after.`);
console.log(
  `Reproduce: ${["node bench/structured-floor.js", quick ? "--quick" : "", argValue("--rounds") ? `--rounds ${rounds}` : "", against ? `--against ${against}` : ""].filter(Boolean).join(" ")}`,
);
const file = writeResults("structured-floor", {
  blasThreads: getBlasThreads(),
  shape,
  n,
  rounds,
  against: against ?? null,
  variants: variants.map((v, i) => ({ name: v.name, ms: samples[i] })),
  overBare: ratio(0, 1),
  loadBefore,
  loadAfter,
});
console.log(`Results: ${file}`);
