/**
 * `reportModel`: every conv layer of a TF.js model with the N it is analysed at (and where
 * that N came from), its penalty, extreme singular values, condition number and method.
 */
import { ConvregError, ConvregTypeError, isConvregError } from "../core/errors.js";
import { createKernel, type Kernel } from "../core/kernel.js";
import { performance } from "node:perf_hooks";
import { analyzeLayer, layerPenalty, type LayerAnalysis, type LayerSpectrumMethod } from "./layer-analysis.js";
import { layerOptionsOf } from "./layer-options.js";
import type { InputSize } from "./spatial.js";
import type { LayerShapeOptions } from "../core/layer-support.js";
import { modelError } from "./manifest.js";
import { readTfjsModel, readWeight, type ModelKind, type TfjsModel } from "./model.js";
import { embedSquare } from "./conv-layer.js";
import { findConvolutions, type ConvLayer, type FindOptions, type SkippedLayer } from "./topology.js";
import { requireChoice } from "../core/validate.js";
import { requireGramTolerance } from "../spectrum/values-route.js";

/** Where a layer's N came from. */
export type SizeSource = "model" | "--input-size";

/** Why a layer's numbers are missing: the error's stable code and message. */
export interface LayerError {
  code: string;
  message: string;
}

/**
 * One conv layer. A layer that fails or is refused (e.g. ERR_MEMORY_LIMIT) keeps its row: `error`
 * says why, `method` is "failed", and `penalty` is still given when only the spectrum failed.
 */
export interface LayerReport extends Omit<LayerAnalysis, "penalty" | "sigmaMax" | "sigmaMaxBound" | "method"> {
  penalty: number | null;
  sigmaMax: number | null;
  sigmaMaxBound: number | null;
  /** "none": the spectrum was not asked for (`spectrum: "none"`), the penalty alone is given. */
  method: LayerSpectrumMethod | "failed" | "none";
  /** Input width W (the input is n x W). */
  width: number;
  /** The options the layer was analysed with (its stride, padding, dilation, width, groups, depthwise, transposed). */
  options: LayerShapeOptions;
  /** Wall-clock seconds of this layer's analysis. */
  seconds: number;
  /** Null when the layer was analysed in full. */
  error: LayerError | null;
  layer: ConvLayer;
  /** Shape of the kernel analysed (differs from `layer.shape` for dilated layers: zeros inserted). */
  analysedShape: readonly number[];
  nSource: SizeSource;
  /** What the analysis assumes about this layer (stride, padding, dilation, non-square input). */
  notes: string[];
}

/** The report of a whole model. */
export interface ModelReport {
  file: string;
  kind: ModelKind;
  inputShape: (number | null)[] | null;
  alpha: number;
  layers: LayerReport[];
  skipped: SkippedLayer[];
}

/** Options of {@link reportModel}. */
export interface ReportOptions {
  /** The model input's H x W (N or [H, W]) where the model leaves it open; propagated to every layer. */
  inputSize?: InputSize;
  /** Values of graph inputs that size tensors, by Placeholder name (see {@link FindOptions}). */
  inputValues?: FindOptions["inputValues"];
  /** "auto" (default): the spectrum of each layer; "none": the penalty alone (fast). */
  spectrum?: "auto" | "none";
  /** Target of the squared singular values (default 1). */
  alpha?: number;
  /** Budget of one dense SVD, see {@link analyzeLayer}. */
  denseWorkLimit?: number;
  /** Largest Gram order whose sparse Cholesky (certified sigma_min) runs, see {@link analyzeLayer}. */
  choleskyOrderLimit?: number;
  /** Output positions per axis of the smaller layer whose sigma_max is a bracket's lower end, see {@link analyzeLayer}. */
  submatrixOutputs?: number;
  /** Route of each dense spectrum: "auto" (default), "svd" or "gram", as `spectrum`'s `denseMethod`. */
  denseMethod?: "auto" | "svd" | "gram";
  /** Relative accuracy "auto" demands of every Gram value, in (0, 1) (default 1e-10), as `spectrum`'s `gramTolerance`. */
  gramTolerance?: number;
  memoryLimit?: number;
  /** Called before each layer is analysed. */
  onProgress?: (done: number, total: number, layer: string) => void;
  /** Called once the layers are known, before any is analysed (for streaming output). */
  onStart?: (start: ReportStart) => void;
  /** Called with each layer's row as soon as it is finished (for streaming output). */
  onLayer?: (row: LayerReport, index: number, total: number) => void;
}

/** What is known before the first layer is analysed. */
export interface ReportStart {
  file: string;
  kind: ModelKind;
  inputShape: (number | null)[] | null;
  alpha: number;
  layerCount: number;
  skipped: SkippedLayer[];
}

/** The kernel of a conv layer, as a convreg Kernel (its dilation is a layer option, not inserted zeros). */
export function layerKernel(model: TfjsModel, layer: ConvLayer): Kernel {
  const stored = readWeight(model, layer.weightName);
  const data = layer.storedShape ? embedSquare(stored, layer.storedShape).data : stored;
  try {
    return createKernel(data, layer.shape);
  } catch (e) {
    if (isConvregError(e)) throw modelError(model.path, `weight "${layer.weightName}": ${e.message}`, e);
    throw e;
  }
}

/** The k' x k' kernel (k' = d(k-1)+1) with zeros between the taps: same operator as the dilated one. */
export function dilateKernel(kernel: Kernel, d: number): Kernel {
  const [k, , g, h] = kernel.shape;
  const kd = d * (k - 1) + 1;
  const out = new Float64Array(kd * kd * g * h);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) out.set(kernel.data.subarray((p * k + q) * g * h, (p * k + q + 1) * g * h), (d * p * kd + d * q) * g * h);
  return { shape: [kd, kd, g, h], data: out };
}

interface LayerSize {
  height: number;
  width: number;
  source: SizeSource;
}

function layerSize(layer: ConvLayer): LayerSize | null {
  const { height, width, fromFlag } = layer.input;
  return height !== null && width !== null ? { height, width, source: fromFlag ? "--input-size" : "model" } : null;
}

function layerNotes(layer: ConvLayer): string[] {
  const notes: string[] = [];
  if (layer.strides === null) notes.push("no topology: stride 1 and same padding assumed");
  if (layer.kind === "transposed") notes.push("transposed: M is the forward convolution's M^T, N is the layer's output size");
  if (layer.storedShape && !layer.unsupported)
    notes.push(
      `non-square ${layer.storedShape[0]}x${layer.storedShape[1]} kernel analysed as its centred ${layer.shape[0]}x${layer.shape[1]} embedding (the same operator: SAME padding, stride 1 on the short axis)`,
    );
  if (layer.filterNote) notes.push(layer.filterNote);
  return notes;
}

type LayerRow = Omit<LayerReport, "layer" | "nSource" | "notes" | "seconds">;

const emptySpectrum = {
  sigmaMax: null,
  sigmaMaxBound: null,
  sigmaMaxUpper: null,
  sigmaMin: null,
  sigmaMinLower: null,
  sigmaMinUpper: null,
  sigmaMinCertificate: null,
  sigmaMinBound: "none" as const,
  conditionNumber: null,
};

/** One layer's numbers; a convreg error becomes a row with `error` (and the penalty when that part still runs). */
async function layerRow(model: TfjsModel, layer: ConvLayer, size: LayerSize | null, alpha: number, options: ReportOptions): Promise<LayerRow> {
  const { memoryLimit, denseWorkLimit } = options;
  let kernel: Kernel | null = null;
  let layerOptions: LayerShapeOptions & { n: number } = { n: size?.height ?? 0 };
  const n = size?.height ?? 0;
  const width = size?.width ?? 0;
  try {
    if (layer.unsupported) throw new ConvregError("ERR_ARGUMENT", `${layer.unsupported}: not supported`);
    if (size === null)
      throw new ConvregError(
        "ERR_ARGUMENT",
        `the input size of this layer could not be propagated from the model input through the graph${layer.sizeProblem ? `: ${layer.sizeProblem}` : ""}`,
      );
    layerOptions = layerOptionsOf(layer, size.height, size.width);
    kernel = layerKernel(model, layer);
    if (options.spectrum === "none") {
      const penalty = await layerPenalty(kernel, { n, alpha, memoryLimit, layer: layerOptions });
      return {
        n,
        width,
        options: layerOptions,
        penalty,
        ...emptySpectrum,
        method: "none",
        methodNote: 'spectrum not asked for (spectrum "none")',
        analysedShape: kernel.shape,
        error: null,
      };
    }
    const { choleskyOrderLimit, submatrixOutputs, denseMethod, gramTolerance } = options;
    const analysis = await analyzeLayer(kernel, { n, alpha, denseWorkLimit, memoryLimit, layer: layerOptions, choleskyOrderLimit, submatrixOutputs, denseMethod, gramTolerance });
    return { ...analysis, width, options: layerOptions, analysedShape: kernel.shape, error: null };
  } catch (e) {
    if (!isConvregError(e)) throw e;
    let penalty: number | null = null;
    if (kernel !== null)
      try {
        penalty = await layerPenalty(kernel, { n, alpha, memoryLimit, layer: layerOptions });
      } catch (p) {
        if (!isConvregError(p)) throw p;
      }
    return {
      n,
      width,
      options: layerOptions,
      penalty,
      ...emptySpectrum,
      method: "failed",
      methodNote: `not analysed: ${e.message} [${e.code}]${penalty === null ? "" : " (the penalty is still given)"}`,
      analysedShape: kernel?.shape ?? layer.shape,
      error: { code: e.code, message: e.message },
    };
  }
}

/** Analyses every conv layer of a model file. */
export async function reportModel(path: string, options: ReportOptions = {}): Promise<ModelReport> {
  const model = await readTfjsModel(path);
  return reportLoadedModel(model, options);
}

/** Like {@link reportModel} for a model already read. */
export async function reportLoadedModel(model: TfjsModel, options: ReportOptions = {}): Promise<ModelReport> {
  const alpha = options.alpha ?? 1;
  // Checked once here, not as an error row in every layer.
  requireChoice(options.denseMethod, "options.denseMethod", ["auto", "svd", "gram"], "auto");
  requireGramTolerance(options.gramTolerance, "options.gramTolerance");
  const found = findConvolutions(model, { inputSize: options.inputSize, inputValues: options.inputValues });
  const skipped = [...found.skipped];
  const convs = found.convs;
  const sizes = convs.map(layerSize);
  // An open model input without --input-size: ask for it before any heavy work.
  const open = found.inputShape === null || found.inputShape.slice(1, 3).some((d) => d === null);
  if (options.inputSize === undefined && open && sizes.some((s) => s === null)) {
    const missing = convs[sizes.indexOf(null)];
    throw new ConvregTypeError(
      "ERR_ARGUMENT",
      `the model does not give its input size (needed from layer "${missing.name}" on): pass inputSize (the CLI's --input-size H[xW]) once for the model input`,
    );
  }
  options.onStart?.({ file: model.path, kind: model.kind, inputShape: found.inputShape, alpha, layerCount: convs.length, skipped });
  const layers: LayerReport[] = [];
  for (let i = 0; i < convs.length; i++) {
    const layer = convs[i];
    options.onProgress?.(i, convs.length, layer.name);
    const size = sizes[i];
    const started = performance.now();
    const row = await layerRow(model, layer, size, alpha, options);
    const seconds = (performance.now() - started) / 1000;
    const report: LayerReport = { ...row, layer, seconds, nSource: size?.source ?? "model", notes: layerNotes(layer) };
    layers.push(report);
    options.onLayer?.(report, i, convs.length);
  }
  options.onProgress?.(convs.length, convs.length, "");
  return { file: model.path, kind: model.kind, inputShape: found.inputShape, alpha, layers, skipped };
}
