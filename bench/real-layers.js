// Real layer sizes: the structured Frobenius penalty + gradient, the matrix-free 2-norm penalty +
// gradient (2 power steps) and sigma_max by Lanczos, for ResNet-like 3x3 layers and for the real
// kernels of @upscalerjs/default-model (a devDependency). M is never formed: at these sizes the
// dense engine would need gigabytes to terabytes. Run: node bench/real-layers.js [--quick]
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as convreg from "convreg/tfjs";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const { createKernel, penaltyAndGradient, sigmaMaxIterative, spectralPenaltyAndGradient } = convreg;
// --quick keeps the channel counts but shrinks N so that the whole run stays within seconds.
const resnet = quick
  ? [
      [64, 14],
      [128, 7],
    ]
  : [
      [64, 56],
      [128, 28],
      [256, 14],
      [512, 7],
    ];
const upscalerN = quick ? 16 : 32; // the model takes any image size; an N x N patch stands in
const repeats = quick ? 2 : 5;

/** Kernels of a TF.js model: through the library's reader when it is there, else a minimal float32 reader. */
function upscalerKernels() {
  const require = createRequire(import.meta.url);
  let file;
  try {
    // The package's "exports" hide models/: resolve its entry point and walk up to the package root.
    let dir = path.dirname(require.resolve("@upscalerjs/default-model"));
    while (!existsSync(path.join(dir, "package.json")) || path.basename(dir) !== "default-model") dir = path.dirname(dir);
    file = path.join(dir, "models", "model.json");
    if (!existsSync(file)) throw new Error("no models/model.json");
  } catch {
    return { skipped: "@upscalerjs/default-model is not installed (npm install --include=dev)" };
  }
  const model = JSON.parse(readFileSync(file, "utf8"));
  const kernels = [];
  for (const group of model.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(path.join(path.dirname(file), p))));
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (w.dtype !== "float32" || w.quantization)
        return { skipped: `weight ${w.name} is ${w.dtype}${w.quantization ? " quantized" : ""}; this minimal reader takes float32 only` };
      if (w.shape.length === 4 && w.shape[0] === w.shape[1] && w.name.endsWith("kernel")) {
        const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * count));
        kernels.push({ name: w.name, kernel: createKernel(Float64Array.from(data), w.shape) });
      }
      offset += 4 * count;
    }
  }
  return { file, kernels };
}

async function measure(name, kernel, n) {
  const [k, , g, h] = kernel.shape;
  const pg = await timeIt(() => penaltyAndGradient(kernel, { n, engine: "structured" }), repeats);
  let vector;
  const sp = await timeIt(() => {
    vector = spectralPenaltyAndGradient(kernel, { n, startVector: vector }).vector;
  }, repeats);
  // One timed Lanczos run (seconds each at full size; the native code is warm from the calls above).
  const t0 = performance.now();
  const lanczos = sigmaMaxIterative(kernel, { n, tolerance: 1e-5 });
  const single = performance.now() - t0;
  const sm = { median: single, min: single, max: single, repeats: 1 };
  const productFlops = 2 * 2 * k * k * g * h * n * n; // one Gram product: M and M^T, one gemm per tap each
  return {
    name,
    shape: kernel.shape,
    n,
    matrix: `${h * n * n}x${g * n * n}`,
    penaltyGradientMs: pg,
    spectralMs: sp,
    sigmaMaxMs: sm,
    sigmaMax: lanczos.sigmaMax,
    lanczosProducts: lanczos.iterations,
    lanczosGflops: (productFlops * lanczos.iterations) / (sm.median * 1e6),
    denseBytes: h * n * n * (g * n * n) * 8,
  };
}

const results = [];
for (const [c, n] of resnet) results.push(await measure(`ResNet-like ${c}->${c}`, paperKernel([3, 3, c, c], c), n));
const up = upscalerKernels();
// --quick: the first four distinct kernel shapes only.
const seen = new Set();
const chosen = (up.kernels ?? []).filter(({ kernel }) => {
  const key = kernel.shape.join("x");
  if (seen.has(key)) return false;
  seen.add(key);
  return !quick || seen.size <= 4;
});
if (up.kernels) for (const { name, kernel } of chosen) results.push(await measure(`upscaler ${name}`, kernel, upscalerN));

const gib = (b) => `${fmt(b / 1024 ** 3)} GiB`;
console.log(`\n## Real layer sizes: structured / matrix-free, median (min-max) ms of ${repeats}\n`);
console.log(
  markdownTable(
    [
      "layer",
      "kernel",
      "N",
      "M",
      "dense M would need",
      "Frobenius F+grad",
      "2-norm F+grad (2 steps)",
      "sigma_max ms (Lanczos, tol 1e-5, 1 run)",
      "Lanczos products",
      "Lanczos GFLOP/s",
      "sigma_max",
    ],
    results.map((r) => [
      r.name,
      r.shape.join("x"),
      r.n,
      r.matrix,
      gib(r.denseBytes),
      `${fmt(r.penaltyGradientMs.median)} (${fmt(r.penaltyGradientMs.min)}-${fmt(r.penaltyGradientMs.max)})`,
      `${fmt(r.spectralMs.median)} (${fmt(r.spectralMs.min)}-${fmt(r.spectralMs.max)})`,
      fmt(r.sigmaMaxMs.median),
      r.lanczosProducts,
      fmt(r.lanczosGflops),
      fmt(r.sigmaMax, 5),
    ]),
  ),
);
if (up.skipped) console.log(`\n@upscalerjs/default-model skipped: ${up.skipped}`);
else
  console.log(
    `\nUpscaler kernels from ${path.relative(process.cwd(), up.file)} (${convreg.readTfjsModel ? "library reader available" : "minimal float32 reader"}), N = ${upscalerN} stands in for the image size.`,
  );
console.log(`Reproduce: ${reproduceCommand("real-layers.js")}`);
writeResults("real-layers", { upscalerN, results, upscalerSkipped: up.skipped ?? null });
