// RSS backstop for leaks the counters of nativeMemoryStats cannot see (a raw malloc in a library,
// a handle kept by N-API). Run alone, after the parallel vitest suite (npm test), as
// `node --expose-gc test/leaks/rss-slope.mjs [callsPerRound]`.
// One RSS reading (less V8's reserved heap) per round after a warm-up round, garbage collection
// and malloc_trim; the least-squares slope over the rounds, in bytes per call, must stay below
// LIMIT. A single difference of two readings moves by several MB with allocator and V8 noise;
// the slope over six readings averages that out, and a real leak of 1 KB per call adds
// callsPerRound KB per round to every reading.
import * as main from "../../dist/index.js";
import { sigmaMaxIterativeAsync } from "../../dist/spectrum/sigma-max.js";
import { sigmaMin, sigmaMinAsync } from "../../dist/spectrum/sigma-min.js";

/** The public entry point plus the internals these checks also exercise. */
const c = { ...main, sigmaMaxIterativeAsync, sigmaMin, sigmaMinAsync };
import { releaseFreeHeap } from "../../dist/native/memory-stats.js";
import { setImmediate as nextTurn } from "node:timers/promises";

const callsPerRound = Number(process.argv[2] ?? 3000);
const rounds = 6;
const LIMIT = 256; // bytes per call: 4x below a 1 KB/call leak, ~30x the 6-9 B/call measured idle on 40,000-call rounds
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
c.setBlasThreads(1);

const kernel = c.createKernel(
  Float64Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)),
  [2, 2, 2, 2],
);
const n = 3;
const swallow = (p) =>
  p.catch((e) => {
    if (!c.isConvregError(e)) throw e;
  });
// One "call" of the mix: sync, async, error and aborted paths of the native layer.
async function mix() {
  c.penalty(kernel, { n });
  c.penaltyAndGradient(kernel, { n, engine: "dense" });
  c.singularValues(kernel, { n, padding: "circular" });
  c.transformMatrix(kernel, { n });
  c.sigmaMin(kernel, { n });
  await Promise.all([
    c.penaltyAndGradientAsync(kernel, { n }),
    c.sigmaMinAsync(kernel, { n }),
    c.spectralPenaltyAndGradientAsync(kernel, { n }),
    swallow(c.penaltyAsync(kernel, { n: -1 })),
    swallow(c.sigmaMaxIterativeAsync(kernel, { n, signal: AbortSignal.abort() })),
  ]);
}
const CALLS_PER_MIX = 10;

async function reading() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await nextTurn();
  }
  releaseFreeHeap();
  const { rss, heapTotal } = process.memoryUsage();
  return rss - heapTotal;
}

for (let i = 0; i < callsPerRound; i++) await mix(); // warm-up round
const xs = [];
const ys = [];
for (let r = 0; r < rounds; r++) {
  xs.push(r * callsPerRound * CALLS_PER_MIX);
  ys.push(await reading());
  if (r < rounds - 1) for (let i = 0; i < callsPerRound; i++) await mix();
}
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const mx = mean(xs);
const my = mean(ys);
const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
const report = { callsPerRound: callsPerRound * CALLS_PER_MIX, readingsMB: ys.map((y) => +(y / 2 ** 20).toFixed(2)), bytesPerCall: +slope.toFixed(2), limit: LIMIT };
console.log(JSON.stringify(report));
if (!(slope < LIMIT)) {
  console.error(`rss-slope: RSS grows by ${slope.toFixed(1)} bytes per native call over ${rounds} rounds (limit ${LIMIT})`);
  process.exit(1);
}
