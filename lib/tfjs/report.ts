/**
 * `reportModel`: every conv layer of a TF.js model with the N it is analysed at (and where
 * that N came from), its penalty, extreme singular values, condition number and method.
 */
import { ConvregTypeError, isConvregError } from "../core/errors.js";
import { createKernel, type Kernel } from "../core/kernel.js";
import { penaltyAsync } from "../penalty/frobenius.js";
import { analyzeLayer, type LayerAnalysis, type LayerSpectrumMethod } from "./layer-analysis.js";
import { modelError } from "./manifest.js";
import { readTfjsModel, readWeight, type ModelKind, type TfjsModel } from "./model.js";
import { findConvolutions, type ConvLayer, type SkippedLayer } from "./topology.js";

/** Where a layer's N came from. */
export type SizeSource = "model" | "--input-size" | "--input-size (fallback)";

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
  method: LayerSpectrumMethod | "failed";
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
  /** N for layers whose input size the model leaves open. */
  inputSize?: number;
  /** Target of the squared singular values (default 1). */
  alpha?: number;
  /** Budget of one dense SVD, see {@link analyzeLayer}. */
  denseWorkLimit?: number;
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

/** The kernel of a conv layer, as a convreg Kernel (dilated kernels get their zeros inserted). */
export function layerKernel(model: TfjsModel, layer: ConvLayer): Kernel {
  const data = readWeight(model, layer.weightName);
  let kernel: Kernel;
  try {
    kernel = createKernel(data, layer.shape);
  } catch (e) {
    if (isConvregError(e)) throw modelError(model.path, `weight "${layer.weightName}": ${e.message}`, e);
    throw e;
  }
  const d = layer.dilation?.[0] ?? 1;
  return d > 1 ? dilateKernel(kernel, d) : kernel;
}

/** The k' x k' kernel (k' = d(k-1)+1) with zeros between the taps: same operator as the dilated one. */
export function dilateKernel(kernel: Kernel, d: number): Kernel {
  const [k, , g, h] = kernel.shape;
  const kd = d * (k - 1) + 1;
  const out = new Float64Array(kd * kd * g * h);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) out.set(kernel.data.subarray((p * k + q) * g * h, (p * k + q + 1) * g * h), (d * p * kd + d * q) * g * h);
  return { shape: [kd, kd, g, h], data: out };
}

function layerSize(layer: ConvLayer, inputSize: number | undefined): { n: number; source: SizeSource; notes: string[] } {
  const { height, width, fromFlag } = layer.input;
  if (height !== null && width !== null) {
    const notes = height === width ? [] : [`input is ${height}x${width}; analysed at N = ${Math.max(height, width)}`];
    return { n: Math.max(height, width), source: fromFlag ? "--input-size" : "model", notes };
  }
  if (inputSize === undefined)
    throw new ConvregTypeError("ERR_ARGUMENT", `the model does not give the input size of layer "${layer.name}": pass inputSize (the CLI's --input-size N)`);
  return { n: inputSize, source: "--input-size (fallback)", notes: [] };
}

function layerNotes(layer: ConvLayer, k: number): string[] {
  const notes: string[] = [];
  const [sr, sc] = layer.strides ?? [1, 1];
  if (sr !== 1 || sc !== 1) notes.push(`stride ${sr}x${sc}: analysed at stride 1 (the strided layer keeps a subset of the rows of M, so its sigma_max is at most this one)`);
  if (layer.padding !== null && layer.padding !== "same" && k > 1)
    notes.push(`padding "${layer.padding}": analysed with "same" zero padding (valid keeps a subset of the rows of M)`);
  const [dr] = layer.dilation ?? [1, 1]; // square: non-square dilations are skipped before analysis
  if (dr > 1) notes.push(`dilation ${dr}: analysed as its ${dr * (k - 1) + 1}x${dr * (k - 1) + 1} kernel with zeros inserted (the same operator)`);
  if (layer.strides === null) notes.push("no topology: stride 1 and same padding assumed");
  return notes;
}

type LayerRow = Omit<LayerReport, "layer" | "nSource" | "notes">;

/** One layer's numbers; a convreg error becomes a row with `error` (and the penalty when that part still runs). */
async function layerRow(model: TfjsModel, layer: ConvLayer, n: number, alpha: number, options: ReportOptions): Promise<LayerRow> {
  const { memoryLimit, denseWorkLimit } = options;
  let kernel: Kernel | null = null;
  try {
    kernel = layerKernel(model, layer);
    const analysis = await analyzeLayer(kernel, { n, alpha, denseWorkLimit, memoryLimit });
    return { ...analysis, analysedShape: kernel.shape, error: null };
  } catch (e) {
    if (!isConvregError(e)) throw e;
    let penalty: number | null = null;
    if (kernel !== null)
      try {
        penalty = await penaltyAsync(kernel, { n, alpha, engine: "auto", memoryLimit });
      } catch (p) {
        if (!isConvregError(p)) throw p;
      }
    return {
      n,
      penalty,
      sigmaMax: null,
      sigmaMaxBound: null,
      sigmaMin: null,
      sigmaMinLower: null,
      sigmaMinUpper: null,
      sigmaMinCertificate: null,
      sigmaMinBound: "none",
      conditionNumber: null,
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
  const found = findConvolutions(model, { inputSize: options.inputSize });
  const skipped = [...found.skipped];
  const convs: ConvLayer[] = [];
  for (const layer of found.convs) {
    const [dr, dc] = layer.dilation ?? [1, 1];
    if (dr !== dc) skipped.push({ name: layer.name, op: layer.op, reason: `dilation ${dr}x${dc} differs per axis (the analysis needs a square kernel)` });
    else convs.push(layer);
  }
  // Resolve every N first so that a missing --input-size fails before any heavy work.
  const sizes = convs.map((layer) => layerSize(layer, options.inputSize));
  options.onStart?.({ file: model.path, kind: model.kind, inputShape: found.inputShape, alpha, layerCount: convs.length, skipped });
  const layers: LayerReport[] = [];
  for (let i = 0; i < convs.length; i++) {
    const layer = convs[i];
    options.onProgress?.(i, convs.length, layer.name);
    const { n, source, notes } = sizes[i];
    const row = await layerRow(model, layer, n, alpha, options);
    const report: LayerReport = { ...row, layer, nSource: source, notes: [...notes, ...layerNotes(layer, layer.shape[0])] };
    layers.push(report);
    options.onLayer?.(report, i, convs.length);
  }
  options.onProgress?.(convs.length, convs.length, "");
  return { file: model.path, kind: model.kind, inputShape: found.inputShape, alpha, layers, skipped };
}
