// What a small public call costs above its native work: penaltyAndGradient of a 3x3x3x1 kernel at
// N = 20 (structured engine), side by side in one run: (1) the native work alone, timed in C++
// (timeEngine: the engine in a C++ loop, no JavaScript); (2) the bare addon call (Node-API argument
// conversion, the task, the result objects); (3) the public call (validation, plan, finiteness check).
// Each figure: the median over rounds of one batch per kind, the kinds interleaved so that load
// drifting on a shared machine hits them alike. Overhead = public - native.
// Run: node bench/small-calls.js [--quick]
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { penaltyAndGradient, penalty } from "convreg";
import { timeEngine } from "convreg/bench";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const addon = createRequire(import.meta.url)(path.join(benchDir, "../build/Release/convreg.node"));
const batch = 2000;
const rounds = quick ? 5 : 31;
const n = 20;
const shapes = [
  [3, 3, 3, 1],
  [3, 3, 3, 6],
];

/** Microseconds per call of one batch of `batch` calls. */
function perCallUs(fn) {
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) fn();
  return ((performance.now() - t0) * 1000) / batch;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const shape of shapes) {
  const kernel = paperKernel(shape);
  const [k, , g, h] = shape;
  const kinds = {
    native: () => timeEngine(kernel, { n, engine: "structured", calls: batch, repeats: 1 }) * 1000,
    // The smallest Node-API round trip of this addon: a sync call that reads nothing and returns a number.
    emptyCall: () => perCallUs(() => addon.activeNativeCalls()),
    addon: () => perCallUs(() => addon.structuredPenaltyAndGradient(kernel.data, k, g, h, n, 1)),
    publicPenalty: () => perCallUs(() => penalty(kernel, { n })),
    public: () => perCallUs(() => penaltyAndGradient(kernel, { n })),
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((name) => [name, []]));
  for (const run of Object.values(kinds)) for (let i = 0; i < 3; i++) run(); // warm-up: JIT, scratch buffers
  for (let round = 0; round < rounds; round++) for (const [name, run] of Object.entries(kinds)) samples[name].push(run());
  const m = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
  rows.push({ shape, n, us: m, overheadUs: m.public - m.native, addonOverheadUs: m.addon - m.native, jsOverheadUs: m.public - m.addon });
}

console.log(`\n## Small calls: penaltyAndGradient, structured engine, N = ${n} (microseconds per call)\n`);
console.log(
  markdownTable(
    [
      "kernel",
      "native work (C++ loop)",
      "empty addon call",
      "bare addon call",
      "public penalty",
      "public penaltyAndGradient",
      "overhead = public - native",
      "of which addon",
      "of which JS",
    ],
    rows.map((r) => [
      r.shape.join("x"),
      fmt(r.us.native),
      fmt(r.us.emptyCall),
      fmt(r.us.addon),
      fmt(r.us.publicPenalty),
      fmt(r.us.public),
      fmt(r.overheadUs),
      fmt(r.addonOverheadUs),
      fmt(r.jsOverheadUs),
    ]),
  ),
);
console.log(
  `\nMedians of ${rounds} rounds, each one batch of ${batch} calls per kind, the kinds interleaved. "native work": timeEngine ` +
    `(the engine called ${batch} times in a C++ loop). "empty addon call": activeNativeCalls(), the cheapest sync call of the addon. ` +
    `"bare addon call": structuredPenaltyAndGradient straight from the addon (argument conversion, task, result objects). ` +
    `Target: overhead at most 2 us. Other jobs share this machine, so runs vary.`,
);
console.log(`Reproduce: ${reproduceCommand("small-calls.js")}`);
console.log(`Results: ${writeResults("small-calls", { batch, rounds, rows })}`);
