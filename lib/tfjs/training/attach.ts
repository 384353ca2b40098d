/**
 * regularizeModel: attaches a convreg regularizer to every conv layer of a built tfjs-layers model
 * that the engines can represent, each with its own N read from the model.
 */
import type * as tf from "@tensorflow/tfjs";
import { ConvregTypeError } from "../../index.js";
import { FrobeniusRegularizer, TwoNormRegularizer, type ConvregRegularizer } from "./regularizers.js";
import type { FrobeniusEngine } from "./options.js";

/** Options of {@link regularizeModel}. */
export interface RegularizeModelOptions {
  /** Factor of each layer's penalty in the loss. */
  weight: number;
  /** Target of the squared singular values (default 1). */
  alpha?: number;
  /** "frobenius" (default, Guo 2019) or "two-norm" (Guo–Ye). */
  penalty?: "frobenius" | "two-norm";
  /** Only these layers (by name, or a predicate); default: every conv layer. */
  layers?: readonly string[] | ((layer: tf.layers.Layer) => boolean);
  engine?: FrobeniusEngine;
  /** Power steps of the 2-norm penalty per evaluation (default 2). */
  powerSteps?: number;
}

/** A layer that now carries a convreg regularizer. */
export interface AttachedLayer {
  layer: string;
  className: string;
  /** The layer's kernel variable (for custom training loops). */
  variable: tf.LayerVariable;
  regularizer: ConvregRegularizer;
  /** Input spatial size N used for the operator. */
  n: number;
  padding: "zero";
}

/** A conv layer left alone, and why. */
export interface SkippedConvLayer {
  layer: string;
  className: string;
  reason: string;
}

export interface RegularizeModelResult {
  attached: AttachedLayer[];
  skipped: SkippedConvLayer[];
}

/** The parts of a tfjs-layers Conv2D that are read or written here (protected in the typings). */
interface ConvInternals {
  name: string;
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: string;
  dataFormat: string;
  kernel?: tf.LayerVariable;
  kernelRegularizer?: unknown;
  batchInputShape?: Array<number | null>;
  readonly input: { shape: Array<number | null> } | Array<{ shape: Array<number | null> }>;
  addLoss(loss: () => tf.Scalar): void;
  getClassName(): string;
}

const CONV_CLASSES = new Set(["Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "ConvLSTM2D"]);

function spatialInput(layer: ConvInternals): [number, number] | string {
  let shape: unknown;
  try {
    // The symbolic input of the layer's first call; it throws when the layer was never called
    // or was called on several inputs (then N is ambiguous).
    const input = layer.input;
    shape = Array.isArray(input) ? undefined : input.shape;
  } catch {
    shape = undefined;
  }
  if (!Array.isArray(shape) || shape.length !== 4) return "the layer's input is not one known 4-D tensor (build the model first; shared layers are skipped)";
  const [rows, cols] = layer.dataFormat === "channelsFirst" ? [shape[2], shape[3]] : [shape[1], shape[2]];
  if (typeof rows !== "number" || typeof cols !== "number") return "the layer's input has an unknown spatial size";
  return [rows, cols];
}

/** Why the engines cannot represent this Conv2D, or its N. */
function conv2dSupport(layer: ConvInternals): number | string {
  if (layer.kernel === undefined) return "the layer is not built (no kernel yet)";
  if (layer.kernelRegularizer != null) return "the layer already has a kernelRegularizer";
  const [kr, kc] = layer.kernelSize;
  if (kr !== kc) return `non-square kernel ${kr}x${kc}: the engines take k x k kernels`;
  if (layer.strides.some((s) => s !== 1)) return `stride ${layer.strides.join("x")}: the training regularizers support stride 1 only (not yet wired to the layer engine)`;
  if (layer.dilationRate.some((d) => d !== 1))
    return `dilation ${layer.dilationRate.join("x")}: the training regularizers support dilation 1 only (not yet wired to the layer engine)`;
  if (layer.padding !== "same" && kr !== 1) return `padding "${layer.padding}": the training regularizers support "same" only (not yet wired to the layer engine)`;
  const size = spatialInput(layer);
  if (typeof size === "string") return size;
  if (size[0] !== size[1]) return `non-square input ${size[0]}x${size[1]}: the training regularizers support N x N inputs only (not yet wired to the layer engine)`;
  return size[0];
}

function selected(layer: tf.layers.Layer, filter: RegularizeModelOptions["layers"]): boolean {
  if (filter === undefined) return true;
  if (typeof filter === "function") return filter(layer);
  if (!Array.isArray(filter)) throw new ConvregTypeError("ERR_ARGUMENT", "options.layers must be an array of layer names or a predicate");
  return filter.includes(layer.name);
}

function flatten(layers: readonly tf.layers.Layer[]): tf.layers.Layer[] {
  return layers.flatMap((l) => ("layers" in l && Array.isArray((l as { layers?: unknown }).layers) ? flatten((l as unknown as { layers: tf.layers.Layer[] }).layers) : [l]));
}

/**
 * Attaches a Frobenius (or 2-norm) regularizer to every Conv2D layer of a built model that the
 * engines can represent (k x k kernel, stride 1, "same" padding, square input), with each layer's
 * own N. The penalty is added to the layer's losses, so model.fit() includes it, and set as the
 * layer's kernelRegularizer, so model.toJSON() and save/load keep it.
 */
export function regularizeModel(model: tf.LayersModel, options: RegularizeModelOptions): RegularizeModelResult {
  if (model === null || typeof model !== "object" || !Array.isArray((model as { layers?: unknown }).layers))
    throw new ConvregTypeError("ERR_ARGUMENT", "model must be a tfjs-layers model (tf.sequential or tf.model)");
  if (options === null || typeof options !== "object") throw new ConvregTypeError("ERR_ARGUMENT", "options must be an object { weight, alpha?, layers? }");
  const attached: AttachedLayer[] = [];
  const skipped: SkippedConvLayer[] = [];
  for (const layer of flatten(model.layers)) {
    const className = layer.getClassName();
    if (!CONV_CLASSES.has(className) || !selected(layer, options.layers)) continue;
    if (className !== "Conv2D") {
      skipped.push({ layer: layer.name, className, reason: `${className} is not supported: the engines compute the operator of a full Conv2D kernel` });
      continue;
    }
    const conv = layer as unknown as ConvInternals;
    const support = conv2dSupport(conv);
    if (typeof support === "string") {
      skipped.push({ layer: layer.name, className, reason: support });
      continue;
    }
    const common = { n: support, alpha: options.alpha, weight: options.weight, engine: options.engine };
    const regularizer = options.penalty === "two-norm" ? new TwoNormRegularizer({ ...common, powerSteps: options.powerSteps }) : new FrobeniusRegularizer(common);
    const variable = conv.kernel!;
    conv.kernelRegularizer = regularizer;
    // tfjs-layers turns kernelRegularizer into a loss only when it builds the layer; after build the
    // loss is added by hand (the same closure addWeight would have made).
    conv.addLoss(() => regularizer.weightedPenalty(variable.read()));
    attached.push({ layer: layer.name, className, variable, regularizer, n: support, padding: "zero" });
  }
  return { attached, skipped };
}
