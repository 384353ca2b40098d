// What a small public call costs above its native work: penaltyAndGradient of a 3x3x3x1 and a
// 3x3x3x6 kernel at N = 20 (structured engine), side by side in one run: (1) the native work
// alone, timed in C++ (timeEngine: the engine in a C++ loop, no JavaScript); (2) the bare addon
// call (Node-API argument conversion, the task, the result); (3) the public call (validation,
// plan, finiteness check, result object). Each figure: the median over rounds of one batch per
// kind, the kinds interleaved so that load drifting on a shared machine hits them alike.
// Overhead = public - native. Each batch is timed twice: wall clock, and the process's CPU time
// (process.cpuUsage, user + system), which other jobs on a loaded machine move much less.
// `--baseline=DIR`: also times the public call of another built checkout (DIR/dist/index.js, with
// its own addon) in the same rounds, for before/after figures from one run.
// Second table: a depthwise kernel's penaltyAndGradient (3x3x1024x1 at N = 7 and 28, 3x3x256x1 at
// N = 28): the one native call for all groups against the per-group path (each group sliced out in
// JavaScript, one public call per group, the gradients put back: what lib did before), interleaved.
// Run: node bench/small-calls.js [--quick] [--baseline=DIR]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { penaltyAndGradient, penalty } from "convreg";
import { timeEngine } from "convreg/bench";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const addon = createRequire(import.meta.url)(path.join(benchDir, "../build/Release/convreg.node"));
const baselineDir = process.argv.find((a) => a.startsWith("--baseline="))?.slice("--baseline=".length);
const baseline = baselineDir ? await import(pathToFileURL(path.resolve(baselineDir, "dist/index.js")).href) : undefined;
const batch = 2000;
const rounds = quick ? 5 : 31;
const n = 20;
const shapes = [
  [3, 3, 3, 1],
  [3, 3, 3, 6],
];

/** Microseconds of CPU time the process has used (user + system; exact in total on Linux). */
function cpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Microseconds per call (wall and CPU) of `calls` calls made by `run`. */
function timed(run, calls) {
  const c0 = cpuUs();
  const t0 = performance.now();
  run();
  const wall = ((performance.now() - t0) * 1000) / calls;
  return { wall, cpu: (cpuUs() - c0) / calls };
}
const batchOf = (fn) => () =>
  timed(() => {
    for (let i = 0; i < batch; i++) fn();
  }, batch);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const shape of shapes) {
  const kernel = paperKernel(shape);
  const [k, , g, h] = shape;
  const out = new Float64Array(kernel.data.length);
  const kinds = {
    // timeEngine runs the engine `batch` times as a warm-up, then `batch` times timed (its own wall figure).
    native: () => {
      let wallMs = 0;
      const t = timed(() => {
        wallMs = timeEngine(kernel, { n, engine: "structured", calls: batch, repeats: 1 });
      }, 2 * batch);
      return { wall: wallMs * 1000, cpu: t.cpu };
    },
    // The smallest Node-API round trip of this addon: a sync call that reads nothing and returns a number.
    emptyCall: batchOf(() => addon.activeNativeCalls()),
    addon: batchOf(() => addon.structuredPenaltyAndGradient(kernel.data, k, g, h, n, 1, new Float64Array(kernel.data.length))),
    publicPenalty: batchOf(() => penalty(kernel, { n })),
    public: batchOf(() => penaltyAndGradient(kernel, { n })),
    // Opt-in: the caller's gradient array, reused across calls (no allocation per call).
    publicOut: batchOf(() => penaltyAndGradient(kernel, { n, out })),
    ...(baseline ? { baseline: batchOf(() => baseline.penaltyAndGradient(kernel, { n })) } : {}),
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((name) => [name, { wall: [], cpu: [] }]));
  for (const run of Object.values(kinds)) for (let i = 0; i < 3; i++) run(); // warm-up: JIT, scratch buffers
  for (let round = 0; round < rounds; round++)
    for (const [name, run] of Object.entries(kinds)) {
      const t = run();
      samples[name].wall.push(t.wall);
      samples[name].cpu.push(t.cpu);
    }
  const medians = (clock) => Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s[clock])]));
  rows.push({ shape, n, wall: medians("wall"), cpu: medians("cpu") });
}

const header = [
  "kernel",
  "native work (C++ loop)",
  "empty addon call",
  "bare addon call",
  "public penalty",
  "public penaltyAndGradient",
  "overhead = public - native",
  "of which addon",
  "of which JS",
  "public with options.out",
  "overhead with out",
  ...(baseline ? ["baseline public penaltyAndGradient", "baseline overhead"] : []),
];
const tableRow = (r, us) => [
  r.shape.join("x"),
  fmt(us.native),
  fmt(us.emptyCall),
  fmt(us.addon),
  fmt(us.publicPenalty),
  fmt(us.public),
  fmt(us.public - us.native),
  fmt(us.addon - us.native),
  fmt(us.public - us.addon),
  fmt(us.publicOut),
  fmt(us.publicOut - us.native),
  ...(baseline ? [fmt(us.baseline), fmt(us.baseline - us.native)] : []),
];
for (const clock of ["wall", "cpu"]) {
  const title = clock === "wall" ? "wall clock" : "CPU time of the process";
  console.log(`\n## Small calls: penaltyAndGradient, structured engine, N = ${n} (microseconds per call, ${title})\n`);
  console.log(
    markdownTable(
      header,
      rows.map((r) => tableRow(r, r[clock])),
    ),
  );
}
console.log(
  `\nMedians of ${rounds} rounds, each one batch of ${batch} calls per kind, the kinds interleaved. "native work": timeEngine ` +
    `(the engine called ${batch} times in a C++ loop; CPU: its warm-up and timed loops, per call). "empty addon call": ` +
    `activeNativeCalls(), the cheapest sync call of the addon. "bare addon call": structuredPenaltyAndGradient straight from ` +
    `the addon (argument conversion, a fresh gradient array, the task). "public with options.out": the public call filling ` +
    `one reused gradient array` +
    (baseline ? `. "baseline": the public call of ${baselineDir}` : "") +
    `. Target: overhead at most 2 us. Other jobs share this machine, so wall figures vary; CPU figures less so.`,
);
// Depthwise: one native call for all groups against one call per group.
const depthwiseCases = [
  { shape: [3, 3, 1024, 1], n: 7 },
  { shape: [3, 3, 1024, 1], n: 28 },
  { shape: [3, 3, 256, 1], n: 28 },
  { shape: [3, 3, 1024, 1], n: 28, layer: { stride: 2 } }, // the layer engine's one call
];
/** The per-group path: group c's 3x3x1x1 kernel is entries c, c + C, ... of the depthwise kernel (m = 1). */
function perGroupPenaltyAndGradient(kernel, n, layer) {
  const [k, , channels] = kernel.shape;
  const taps = k * k;
  const gradient = new Float64Array(kernel.data.length);
  let f = 0;
  for (let c = 0; c < channels; c++) {
    const part = new Float64Array(taps);
    for (let t = 0; t < taps; t++) part[t] = kernel.data[t * channels + c];
    const r = penaltyAndGradient({ shape: [k, k, 1, 1], data: part }, { n, ...layer });
    f += r.penalty;
    for (let t = 0; t < taps; t++) gradient[t * channels + c] = r.gradient.data[t];
  }
  return { penalty: f, gradient };
}
const depthwiseRows = [];
for (const { shape, n: size, layer } of depthwiseCases) {
  const kernel = paperKernel(shape);
  const calls = shape[2] >= 1024 ? 3 : 10;
  const oneCall = penaltyAndGradient(kernel, { n: size, ...layer, depthwise: true });
  const split = perGroupPenaltyAndGradient(kernel, size, layer);
  const agree = Math.abs(oneCall.penalty - split.penalty) / split.penalty;
  const kinds = {
    oneCall: () =>
      timed(() => {
        for (let i = 0; i < calls; i++) penaltyAndGradient(kernel, { n: size, ...layer, depthwise: true });
      }, calls),
    perGroup: () =>
      timed(() => {
        for (let i = 0; i < calls; i++) perGroupPenaltyAndGradient(kernel, size, layer);
      }, calls),
    ...(baseline
      ? {
          baseline: () =>
            timed(() => {
              for (let i = 0; i < calls; i++) baseline.penaltyAndGradient(kernel, { n: size, ...layer, depthwise: true });
            }, calls),
        }
      : {}),
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((name) => [name, { wall: [], cpu: [] }]));
  for (const run of Object.values(kinds)) run(); // warm-up
  for (let round = 0; round < rounds; round++)
    for (const [name, run] of Object.entries(kinds)) {
      const t = run();
      samples[name].wall.push(t.wall);
      samples[name].cpu.push(t.cpu);
    }
  const medians = (clock) => Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s[clock]) / 1000]));
  depthwiseRows.push({ shape, n: size, layer, agree, wall: medians("wall"), cpu: medians("cpu") });
}
console.log("\n## Depthwise penaltyAndGradient: one native call for all groups vs one call per group (ms per call)\n");
console.log(
  markdownTable(
    ["kernel", "N", "one call CPU", "per group CPU", "per group / one call (CPU)", "one call wall", "per group wall", ...(baseline ? ["baseline CPU"] : []), "|F diff| / F"],
    depthwiseRows.map((r) => [
      r.shape.join("x"),
      `${r.n}${r.layer ? ` stride ${r.layer.stride}` : ""}`,
      fmt(r.cpu.oneCall),
      fmt(r.cpu.perGroup),
      fmt(r.cpu.perGroup / r.cpu.oneCall),
      fmt(r.wall.oneCall),
      fmt(r.wall.perGroup),
      ...(baseline ? [fmt(r.cpu.baseline)] : []),
      r.agree.toExponential(1),
    ]),
  ),
);
console.log(`Medians of ${rounds} interleaved rounds (depthwise: 3 calls per round for C = 1024, 10 for C = 256).`);
console.log(`Load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
console.log(`Reproduce: ${reproduceCommand("small-calls.js")}${baselineDir ? ` --baseline=${baselineDir}` : ""}`);
console.log(`Results: ${writeResults("small-calls", { batch, rounds, baseline: baselineDir, rows, depthwiseRows })}`);
