// Native memory check, run by test/leaks.test.ts as `node --expose-gc test/leaks/run.mjs [calls]`.
// For each API function: warm up, collect garbage, read RSS, make `calls` calls (async ones 8 at a
// time), collect garbage, read RSS again. Prints one JSON line: the growth per function in bytes,
// and how much V8 counts as ArrayBuffer memory while large results are held (external memory).
import * as c from "../../dist/index.js";

const calls = Number(process.argv[2] ?? 10_000);
// Leaks do not depend on the thread count; one BLAS thread keeps 10,000 tiny calls from paying
// for thread wake-ups on a busy machine (the sync calls run alone and would use all cores).
c.setBlasThreads(1);
const warmup = Math.min(500, calls);
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

const kernel = c.createKernel(Float64Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)), [2, 2, 2, 2]);
const direction = c.createKernel(Float64Array.from({ length: 16 }, (_, i) => Math.cos(i + 1)), [2, 2, 2, 2]);
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
const swallowAsync = (f) => () => f().catch((e) => {
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

// RSS outside V8's own heap reservation. V8 grows its reserved heap (heapTotal) in steps of
// several MB under a high allocation rate even when heapUsed stays flat (seen with 10,000
// optimize() calls: +12 MB heapTotal, heapUsed -0.03 MB); that is not native memory.
function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const { rss, heapTotal } = process.memoryUsage();
  return rss - heapTotal;
}

async function measure(f, isAsync) {
  const batch = 8;
  const run = async (count) => {
    if (!isAsync) for (let i = 0; i < count; i++) f();
    else for (let i = 0; i < count; i += batch) await Promise.all(Array.from({ length: Math.min(batch, count - i) }, f));
  };
  await run(warmup);
  const before = settle();
  const t0 = performance.now();
  await run(calls);
  const ms = performance.now() - t0;
  return { growth: settle() - before, ms };
}

const start = settle();
const results = {};
for (const [name, f] of Object.entries(sync)) results[name] = await measure(f, false);
for (const [name, f] of Object.entries(asyncs)) results[name] = await measure(f, true);
const total = settle() - start;

// External memory: results live in V8-owned ArrayBuffers, so V8 sees them (and their size) at once.
const big = c.createKernel(new Float64Array(9 * 4 * 4).fill(0.5), [3, 3, 4, 4]);
const baseline = process.memoryUsage().arrayBuffers;
const held = [];
for (let i = 0; i < 8; i++) held.push(await c.transformMatrixAsync(big, { n: 16, dense: true })); // 1024 x 1024 doubles = 8 MiB each
const heldBytes = process.memoryUsage().arrayBuffers - baseline;
const resultBytes = held.reduce((a, m) => a + m.data.byteLength, 0);

console.log(JSON.stringify({ calls, results, total, external: { heldBytes, resultBytes }, inFlight: c.activeNativeCalls() }));
