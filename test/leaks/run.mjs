// Native memory check, run by test/leaks.test.ts as `node --expose-gc test/leaks/run.mjs [calls]`.
// For each API function: warm up, settle, read the addon's counters (nativeMemoryStats: counted
// bytes and objects, not RSS), make `calls` calls (async ones 8 at a time), settle, read them
// again. Prints one JSON line: the change of each counter per function, and two held-allocation
// checks showing the counters do see memory the addon holds.
import * as main from "../../dist/index.js";
import { activeNativeCalls } from "../../dist/bench/index.js";
import { optimize } from "../../dist/optimize/index.js";
import { sigmaMaxIterative, sigmaMaxIterativeAsync } from "../../dist/spectrum/sigma-max.js";
import { sigmaMin, sigmaMinAsync } from "../../dist/spectrum/sigma-min.js";

/** The public entry point plus the internals these checks also exercise. */
const c = { ...main, activeNativeCalls, optimize, sigmaMaxIterative, sigmaMaxIterativeAsync, sigmaMin, sigmaMinAsync };
import { native } from "../../dist/native/addon.js";
import { nativeMemoryStats } from "../../dist/native/memory-stats.js";
import { setImmediate as nextTurn } from "node:timers/promises";

const calls = Number(process.argv[2] ?? 10_000);
// Leaks do not depend on the thread count; one BLAS thread keeps 10,000 tiny calls from paying
// for thread wake-ups on a busy machine (the sync calls run alone and would use all cores).
c.setBlasThreads(1);
const warmup = Math.min(100, calls);
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

const kernel = c.createKernel(
  Float64Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)),
  [2, 2, 2, 2],
);
const direction = c.createKernel(
  Float64Array.from({ length: 16 }, (_, i) => Math.cos(i + 1)),
  [2, 2, 2, 2],
);
const n = 3;
const x = Float64Array.from({ length: 2 * n * n }, (_, i) => Math.sin(3 * i));
const npy = c.formatKernel(kernel, "npy");
const swallow = (f) => () => {
  try {
    f();
  } catch (e) {
    if (!c.isConvregError(e)) throw e;
  }
};
const swallowAsync = (f) => () =>
  f().catch((e) => {
    if (!c.isConvregError(e)) throw e;
  });

const sync = {
  "penalty dense": () => c.penalty(kernel, { n, engine: "dense" }),
  "penalty structured": () => c.penalty(kernel, { n }),
  "penalty circular": () => c.penalty(kernel, { n, padding: "circular" }),
  gradient: () => c.gradient(kernel, { n, engine: "dense" }),
  penaltyAndGradient: () => c.penaltyAndGradient(kernel, { n }),
  "singularValues svd": () => c.singularValues(kernel, { n }),
  "singularValues gram": () => c.singularValues(kernel, { n, method: "gram" }),
  "singularValues fft": () => c.singularValues(kernel, { n, padding: "circular" }),
  "transformMatrix sparse": () => c.transformMatrix(kernel, { n }),
  "transformMatrix dense": () => c.transformMatrix(kernel, { n, dense: true }),
  lineQuartic: () => c.lineQuartic(kernel, direction, { n }),
  applyLayer: () => c.applyLayer(kernel, x, { n }),
  applyLayerTranspose: () => c.applyLayerTranspose(kernel, x, { n }),
  sigmaMaxIterative: () => c.sigmaMaxIterative(kernel, { n, tolerance: 1e-6 }),
  sigmaMin: () => c.sigmaMin(kernel, { n }),
  "spectrum dense": () => c.spectrum(kernel, { n, method: "dense" }),
  spectralPenaltyAndGradient: () => c.spectralPenaltyAndGradient(kernel, { n }),
  "createKernel + parse/format .npy": () => c.parseKernel(c.formatKernel(c.createKernel(kernel.data, [2, 2, 2, 2]), "npy"), "k.npy"),
  parseKernel: () => c.parseKernel(npy, "k.npy"),
  randomKernel: () => c.randomKernel([2, 2, 2, 2], { seed: 3 }),
  "validation error": swallow(() => c.penalty(kernel, { n: 0 })),
  "memory limit error": swallow(() => c.singularValues(kernel, { n: 1e5 })),
  "native error (binding check)": swallow(() => {
    try {
      c.penalty({ shape: [2, 2, 2, 2], data: new Float64Array(15) }, { n });
    } catch (e) {
      if (!c.isConvregError(e)) throw e;
    }
  }),
};

const aborted = AbortSignal.abort();
const asyncs = {
  penaltyAsync: () => c.penaltyAsync(kernel, { n, engine: "dense" }),
  penaltyAndGradientAsync: () => c.penaltyAndGradientAsync(kernel, { n }),
  "singularValuesAsync fft": () => c.singularValuesAsync(kernel, { n, padding: "circular" }),
  singularValuesAsync: () => c.singularValuesAsync(kernel, { n }),
  transformMatrixAsync: () => c.transformMatrixAsync(kernel, { n }),
  lineQuarticAsync: () => c.lineQuarticAsync(kernel, direction, { n }),
  applyLayerAsync: () => c.applyLayerAsync(kernel, x, { n }),
  sigmaMaxIterativeAsync: () => c.sigmaMaxIterativeAsync(kernel, { n, tolerance: 1e-6 }),
  "sigmaMaxIterativeAsync aborted": swallowAsync(() => c.sigmaMaxIterativeAsync(kernel, { n, signal: aborted })),
  sigmaMinAsync: () => c.sigmaMinAsync(kernel, { n }),
  spectrumAsync: () => c.spectrumAsync(kernel, { n }),
  spectralPenaltyAndGradientAsync: () => c.spectralPenaltyAndGradientAsync(kernel, { n }),
  "optimize (1 iteration)": () => c.optimize(kernel, { n, maxIterations: 1, spectrumEvery: 0 }),
  "async error (rejection)": swallowAsync(() => c.penaltyAsync(kernel, { n: -1 })),
};

const sameCounts = (a, b) => a.liveBytes === b.liveBytes && a.liveObjects === b.liveObjects;

// Garbage collection, then a turn of the event loop so N-API finalizers (cancel tokens, workers)
// run, until the counters equal `target` or 50 rounds have passed: exact counters make this a
// wait for the finalizers, not a tolerance; a real leak never matches and is reported.
async function settle(target) {
  let now = nativeMemoryStats();
  for (let round = 0; round < 50 && !(target && sameCounts(now, target)); round++) {
    globalThis.gc();
    await nextTurn();
    now = nativeMemoryStats();
    if (!target && round >= 3) break;
  }
  return now;
}

async function measure(f, isAsync) {
  const batch = 8;
  const run = async (count) => {
    if (!isAsync) for (let i = 0; i < count; i++) f();
    else for (let i = 0; i < count; i += batch) await Promise.all(Array.from({ length: Math.min(batch, count - i) }, f));
  };
  await run(warmup);
  const before = await settle();
  await run(calls);
  const after = await settle(before);
  return {
    bytes: after.liveBytes - before.liveBytes,
    objects: after.liveObjects - before.liveObjects,
    scratch: after.scratchBytes - before.scratchBytes,
  };
}

const start = await settle();
const results = {};
for (const [name, f] of Object.entries(sync)) results[name] = await measure(f, false);
for (const [name, f] of Object.entries(asyncs)) results[name] = await measure(f, true);
const end = await settle(start);

// Held allocations the counters must see. (1) An async call in flight holds its worker and its
// copy of the kernel until it settles.
const big = c.createKernel(
  Float64Array.from({ length: 9 * 16 * 16 }, (_, i) => Math.sin(i)),
  [3, 3, 16, 16],
);
const idle = await settle(end);
const pending = c.singularValuesAsync(big, { n: 12 });
const inFlight = nativeMemoryStats();
await pending;
const afterInFlight = await settle(idle);
// (2) A cancel token kept alive by JS holds its native flag until it is collected.
// biome-ignore lint/correctness/noUnusedVariables: the token is only held, then dropped (token = null)
let token = new native.CancelToken();
const tokenHeld = nativeMemoryStats();
token = null;
const tokenReleased = await settle(idle);

console.log(
  JSON.stringify({
    calls,
    results,
    start,
    end,
    held: {
      kernelBytes: big.data.byteLength,
      inFlight: { bytes: inFlight.liveBytes - idle.liveBytes, objects: inFlight.liveObjects - idle.liveObjects },
      afterInFlight: { bytes: afterInFlight.liveBytes - idle.liveBytes, objects: afterInFlight.liveObjects - idle.liveObjects },
      token: { bytes: tokenHeld.liveBytes - idle.liveBytes, objects: tokenHeld.liveObjects - idle.liveObjects },
      tokenReleased: { bytes: tokenReleased.liveBytes - idle.liveBytes, objects: tokenReleased.liveObjects - idle.liveObjects },
    },
    inFlightCalls: c.activeNativeCalls(),
  }),
);
