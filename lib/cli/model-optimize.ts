/**
 * `convreg optimize <model.json> --layer NAME --out DIR`: regularizes one conv layer of a TF.js
 * model and writes a new model directory in which only that kernel changed, then reads it back.
 * (The kernel-file form `convreg optimize <kernel.npy>` is issue 3's; {@link isModelOptimize} tells
 * the two apart by the arguments.)
 */
import { readFileSync } from "node:fs";
import { optimize } from "../optimize/optimize.js";
import { OPTIMIZERS, type OptimizerName } from "../optimize/options.js";
import { isConvregError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { penaltyAsync } from "../penalty/frobenius.js";
import { analyzeLayer } from "../tfjs/layer-analysis.js";
import { readTfjsModel, readWeight } from "../tfjs/model.js";
import { layerKernel } from "../tfjs/report.js";
import { findConvolutions } from "../tfjs/topology.js";
import { checkOutputDirectory, writeModelWithWeight } from "../tfjs/writer.js";
import { choiceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag, UsageError } from "./args.js";
import { sig, table } from "./format.js";
import { finalSpectrumLines } from "./optimize-report.js";
import { TOLERANCE_HELP, toleranceFlag } from "./tolerance.js";

export const usage = `convreg optimize <model.json|weights_manifest.json> --layer NAME --out DIR [--n N] [--alpha A]
                [--optimizer paper|line-search|lbfgs] [--iterations I] [--tolerance T] [--memory-limit BYTES] [--json]
                ${TOLERANCE_HELP}`;

/**
 * True when `convreg optimize` arguments name a TF.js model (a `--layer` flag, or a `.json`
 * positional whose document has a `weightsManifest` or is a manifest array) rather than a kernel file.
 */
export function isModelOptimize(argv: readonly string[]): boolean {
  if (argv.some((a) => a === "--layer" || a.startsWith("--layer="))) return true;
  const files = argv.filter((a) => !a.startsWith("-") && a.toLowerCase().endsWith(".json"));
  return files.some(isTfjsDocument);
}

function isTfjsDocument(file: string): boolean {
  try {
    const doc = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return Array.isArray(doc) || (doc !== null && typeof doc === "object" && "weightsManifest" in doc);
  } catch {
    return false;
  }
}

function numbers(a: { penalty: number | null; sigmaMax: number | null; sigmaMin: number | null; conditionNumber: number | null }): string[] {
  const f = (v: number | null, d: number) => (v === null ? "-" : sig(v, d));
  return [f(a.penalty, 8), f(a.sigmaMax, 8), f(a.sigmaMin, 8), f(a.conditionNumber, 5)];
}

/** The layer's numbers as `convreg report` gives them, or the penalty alone with the reason when no spectrum fits. */
async function analyzeLayerOrNote(kernel: Kernel, n: number, alpha: number, memoryLimit: number | undefined) {
  try {
    return { ...(await analyzeLayer(kernel, { n, alpha, memoryLimit })), note: null };
  } catch (e) {
    if (!isConvregError(e) || e.code !== "ERR_MEMORY_LIMIT") throw e;
    const penalty = await penaltyAsync(kernel, { n, alpha, memoryLimit });
    return { penalty, sigmaMax: null, sigmaMin: null, conditionNumber: null, note: `spectrum not computed: ${e.message}` };
  }
}

/** Runs the model form of `convreg optimize`; returns the exit code. */
export async function modelOptimize(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    layer: { type: "string" },
    out: { type: "string" },
    n: { type: "string" },
    alpha: { type: "string" },
    optimizer: { type: "string" },
    iterations: { type: "string" },
    tolerance: { type: "string" },
    "memory-limit": { type: "string" },
    json: { type: "boolean", default: false },
  });
  const file = onePositional(positionals, "model.json or weights manifest");
  if (!isModelOptimize(argv)) throw new UsageError(`${file} is not a TF.js model.json or weights manifest`);
  if (values.layer === undefined) throw new UsageError("--layer NAME is required with a TF.js model");
  if (values.out === undefined) throw new UsageError("--out DIR is required with a TF.js model");
  const nFlag = values.n === undefined ? undefined : integerFlag(values.n, "--n", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const optimizer = choiceFlag(values.optimizer, "--optimizer", OPTIMIZERS as readonly OptimizerName[], "lbfgs");
  const maxIterations = integerFlag(values.iterations, "--iterations", 0, 200);
  const tolerance = toleranceFlag(values.tolerance, optimizer);
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);

  const model = await readTfjsModel(file);
  const found = findConvolutions(model, { inputSize: nFlag });
  const layer = found.convs.find((c) => c.name === values.layer || c.weightName === values.layer);
  if (!layer) {
    const skipped = found.skipped.find((s) => s.name === values.layer);
    if (skipped) throw new UsageError(`layer "${values.layer}" (${skipped.op}) cannot be regularized: ${skipped.reason}`);
    throw new UsageError(`no conv layer "${values.layer}" in ${file}; conv layers: ${found.convs.map((c) => c.name).join(", ") || "none"}`);
  }
  if ((layer.dilation?.[0] ?? 1) > 1 || (layer.dilation?.[1] ?? 1) > 1)
    throw new UsageError(`layer "${layer.name}" is dilated: regularizing its zero-inserted kernel would fill the zeros, which the layer cannot store`);
  const { height, width } = layer.input;
  const n = nFlag ?? (height !== null && width !== null ? Math.max(height, width) : undefined);
  if (n === undefined) throw new UsageError(`the model does not give the input size of layer "${layer.name}": pass --n N`);
  const nSource = nFlag !== undefined ? "--n" : "the model's input shape";

  await checkOutputDirectory(values.out);
  const kernel = layerKernel(model, layer);
  // The spectrum never blocks the run: where it does not fit, the result says what is missing and why.
  const before = await analyzeLayerOrNote(kernel, n, alpha, memoryLimit);
  // No spectrum during the run (spectrumEvery 0): at real sizes one check costs about a hundred steps; the band is
  // watched by the penalty's free bound, and the final iterate gets its spectrum.
  const result = await optimize(kernel, { n, alpha, optimizer, maxIterations, tolerance, memoryLimit, spectrumEvery: 0 });
  const last = result.history[result.history.length - 1];
  const written = await writeModelWithWeight(model, layer.weightName, result.kernel.data, values.out);

  // Read the written model back: the kernel must be the optimized one up to its storage precision.
  const back = await readTfjsModel(written.modelFile);
  const readBack = readWeight(back, layer.weightName);
  let maxDifference = 0;
  let maxAbs = 0;
  for (let i = 0; i < readBack.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(readBack[i] - result.kernel.data[i]));
    maxAbs = Math.max(maxAbs, Math.abs(result.kernel.data[i]));
  }
  const after = await analyzeLayerOrNote({ shape: kernel.shape, data: readBack }, n, alpha, memoryLimit);
  const q = written.weight.entry.quantization;
  const allowed =
    q && q.dtype !== "float16"
      ? (q.scale as number) * 0.5 + 4 * maxAbs * 2 ** -24
      : maxAbs * (q?.dtype === "float16" || written.weight.entry.dtype === "float16" ? 2 ** -11 : 2 ** -24);

  if (values.json) {
    out(
      JSON.stringify({
        file,
        layer: layer.name,
        weight: layer.weightName,
        shape: layer.shape,
        n,
        nSource,
        alpha,
        optimizer,
        tolerance: tolerance ?? null,
        iterations: last.iteration,
        gradientEvaluations: result.gradientEvaluations,
        stopReason: result.stopReason,
        toleranceProof: result.toleranceProof,
        elapsedMs: result.elapsedMs,
        before,
        optimized: {
          penalty: last.penalty,
          sigmaMax: last.sigmaMax,
          sigmaMin: last.sigmaMin,
          spectrum: result.finalSpectrum,
          frobeniusBound: result.finalFrobeniusBound,
          spectrumRegime: result.spectrumRegime,
        },
        written: { dir: written.dir, files: written.files, storage: written.weight.storage, readBack: after, maxDifference, allowedDifference: allowed },
      }),
    );
    return 0;
  }
  const [k, , g, h] = layer.shape;
  out(
    [
      `model       ${file} (${model.kind} model)`,
      `layer       ${layer.name} (weight ${layer.weightName}, ${k}x${k}x${g}x${h}), N = ${n} (from ${nSource}), alpha = ${alpha}`,
      `optimizer   ${optimizer}, ${last.iteration} iterations, ${result.gradientEvaluations} gradient evaluations (stop: ${result.stopReason}${result.toleranceProof ? `, proven by the ${result.toleranceProof === "frobenius" ? "penalty's bound" : "spectrum check"}` : ""}; tolerance ${tolerance ?? "off"}), ${result.elapsedMs.toFixed(0)} ms`,
      "",
      table(
        ["kernel", "penalty", "sigma_max", "sigma_min", "condition"],
        [
          ["before", ...numbers(before)],
          [
            "optimized",
            ...numbers({
              penalty: last.penalty,
              sigmaMax: last.sigmaMax,
              sigmaMin: last.sigmaMin,
              conditionNumber: last.sigmaMax !== null && last.sigmaMin !== null ? last.sigmaMax / last.sigmaMin : null,
            }),
          ],
          ["written, read back", ...numbers(after)],
        ],
      ),
      "",
      ...finalSpectrumLines(result),
      ...[before, after].flatMap((a, i) => {
        const why = a.note ?? (a.sigmaMin === null && "methodNote" in a ? a.methodNote : null);
        return why ? [`${i === 0 ? "before" : "read back"}: ${why}`] : [];
      }),
      "",
      `written     ${written.modelFile} (+ ${written.files.length - 1} shard file(s)); only ${layer.weightName} changed, every other byte as in the input`,
      `storage     ${layer.weightName}: ${written.weight.storage}`,
      `read back   max |written - optimized| = ${sig(maxDifference, 3)} (storage precision allows ${sig(allowed, 3)})`,
    ].join("\n"),
  );
  return maxDifference <= allowed ? 0 : 1;
}
