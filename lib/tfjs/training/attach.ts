/**
 * regularizeModel: attaches a convreg regularizer to every conv kernel of a built tfjs-layers model
 * that the engines can represent, each with its own N read from the model.
 */
import type * as tf from "@tensorflow/tfjs";
import { ConvregTypeError } from "../../index.js";
import { FrobeniusRegularizer, TwoNormRegularizer, type ConvregRegularizer } from "./regularizers.js";
import type { FrobeniusEngine } from "./options.js";
import { outputSize } from "../../core/layer-spec.js";

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

/** The operator's geometry read from a layer: the options its regularizer was made with. */
export interface ConvLayerGeometry {
  /** Input height N of the operator (for a Conv2DTranspose: its output height, the forward conv's input). */
  n: number;
  /** Input width of the operator. */
  width: number;
  stride: number;
  dilation: number;
  /** "zero" for TF.js "same", "valid" for "valid". */
  padding: "zero" | "valid";
  /** A Conv2DTranspose: M is the forward conv's M^T (kernel [k, k, out, in] read as HWIO). */
  transposed: boolean;
  /** A depthwise kernel [k, k, C, m] (DepthwiseConv2D, or the depthwise half of SeparableConv2D). */
  depthwise: boolean;
}

/** Which weight of the layer a regularizer is attached to. */
export type ConvKernelName = "kernel" | "depthwise_kernel" | "pointwise_kernel";

/** A kernel that now carries a convreg regularizer (a SeparableConv2D gives two entries). */
export interface AttachedLayer extends ConvLayerGeometry {
  layer: string;
  className: string;
  /** The weight's name in the layer: "kernel", "depthwise_kernel" or "pointwise_kernel". */
  kernel: ConvKernelName;
  /** The kernel variable (for custom training loops). */
  variable: tf.LayerVariable;
  regularizer: ConvregRegularizer;
}

/** A conv layer (or one kernel of a SeparableConv2D) left alone, and why. */
export interface SkippedConvLayer {
  layer: string;
  className: string;
  reason: string;
}

export interface RegularizeModelResult {
  attached: AttachedLayer[];
  skipped: SkippedConvLayer[];
}

/** The parts of a tfjs-layers conv layer that are read or written here (protected in the typings). */
interface ConvInternals {
  name: string;
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: string;
  dataFormat: string;
  kernel?: tf.LayerVariable | null;
  kernelRegularizer?: unknown;
  depthwiseKernel?: tf.LayerVariable | null;
  depthwiseRegularizer?: unknown;
  pointwiseKernel?: tf.LayerVariable | null;
  pointwiseRegularizer?: unknown;
  batchInputShape?: Array<number | null>;
  readonly input: { shape: Array<number | null> } | Array<{ shape: Array<number | null> }>;
  addLoss(loss: () => tf.Scalar): void;
  getClassName(): string;
}

/** Where a kernel and its regularizer live on the layer object. */
interface KernelSlot {
  name: ConvKernelName;
  variable: "kernel" | "depthwiseKernel" | "pointwiseKernel";
  regularizer: "kernelRegularizer" | "depthwiseRegularizer" | "pointwiseRegularizer";
}

const KERNEL: KernelSlot = { name: "kernel", variable: "kernel", regularizer: "kernelRegularizer" };
const DEPTHWISE: KernelSlot = { name: "depthwise_kernel", variable: "depthwiseKernel", regularizer: "depthwiseRegularizer" };
const POINTWISE: KernelSlot = { name: "pointwise_kernel", variable: "pointwiseKernel", regularizer: "pointwiseRegularizer" };

const CONV_CLASSES = new Set(["Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "ConvLSTM2D"]);
const WIRED_CLASSES = new Set(["Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"]);

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

/** The output length of tfjs-layers' Conv2DTranspose along one axis (its deconvLength). */
function transposedOutputLength(input: number, stride: number, k: number, padding: "zero" | "valid"): number {
  return padding === "zero" ? input * stride : input * stride + Math.max(k - stride, 0);
}

/**
 * The geometry of a layer's spatial kernel (Conv2D, Conv2DTranspose, DepthwiseConv2D or the
 * depthwise half of a SeparableConv2D), or why the engine cannot represent it.
 */
function spatialGeometry(layer: ConvInternals, className: string): ConvLayerGeometry | string {
  const transposed = className === "Conv2DTranspose";
  const [kr, kc] = layer.kernelSize;
  if (kr !== kc) return `non-square kernel ${kr}x${kc}: the engines take k x k kernels`;
  const [sr, sc] = layer.strides;
  if (sr !== sc) return `strides ${sr}x${sc}: the engines take the same stride on both axes`;
  const [dr, dc] = layer.dilationRate;
  if (dr !== dc) return `dilation ${dr}x${dc}: the engines take the same dilation on both axes`;
  // tfjs-layers' Conv2DTranspose.call and DepthwiseConv2D.call do not pass dilationRate to the op
  // (SeparableConv2D does).
  if ((transposed || className === "DepthwiseConv2D") && dr !== 1) return `dilation ${dr}x${dc} on a ${className}: tfjs-layers ignores it, so the layer's operator is ambiguous`;
  if (layer.padding !== "same" && layer.padding !== "valid") return `padding "${layer.padding}": the engines take "same" and "valid"`;
  const padding = layer.padding === "same" ? "zero" : "valid";
  const size = spatialInput(layer);
  if (typeof size === "string") return size;
  const [n, width] = transposed ? size.map((s) => transposedOutputLength(s, sr, kr, padding)) : size;
  const depthwise = className === "DepthwiseConv2D" || className === "SeparableConv2D";
  return { n, width, stride: sr, dilation: dr, padding, transposed, depthwise };
}

/**
 * The pointwise half of a SeparableConv2D: a plain 1x1 conv, stride 1, on the depthwise half's
 * output (TF.js's separableConv2d applies it with padding "valid", which for 1x1 is "same").
 */
function pointwiseGeometry(depthwise: ConvLayerGeometry, k: number): ConvLayerGeometry {
  const spec = { stride: depthwise.stride, dilation: depthwise.dilation, padding: depthwise.padding };
  const n = outputSize(depthwise.n, k, spec);
  const width = outputSize(depthwise.width, k, spec);
  return { n, width, stride: 1, dilation: 1, padding: "zero", transposed: false, depthwise: false };
}

/** The kernels of a wired layer with their geometry, or why the layer is skipped as a whole. */
function kernelsOf(layer: ConvInternals, className: string): Array<{ slot: KernelSlot; geometry: ConvLayerGeometry }> | string {
  const slots = className === "SeparableConv2D" ? [DEPTHWISE, POINTWISE] : className === "DepthwiseConv2D" ? [DEPTHWISE] : [KERNEL];
  if (slots.some((slot) => layer[slot.variable] == null)) return "the layer is not built (no kernel yet)";
  const geometry = spatialGeometry(layer, className);
  if (typeof geometry === "string") return geometry;
  if (className !== "SeparableConv2D") return [{ slot: slots[0], geometry }];
  return [
    { slot: DEPTHWISE, geometry },
    { slot: POINTWISE, geometry: pointwiseGeometry(geometry, layer.kernelSize[0]) },
  ];
}

/** The paper's layer: the only one the 2-norm penalty takes. */
function isPaperLayer(g: ConvLayerGeometry): boolean {
  return g.stride === 1 && g.dilation === 1 && g.padding === "zero" && g.width === g.n && !g.transposed;
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
 * Attaches a Frobenius (or 2-norm) regularizer to every Conv2D, Conv2DTranspose, DepthwiseConv2D
 * and SeparableConv2D kernel of a built model that the engines can represent (k x k kernel, "same"
 * or "valid" padding, any stride, dilation and H x W input), with each layer's own geometry: a
 * DepthwiseConv2D's depthwise_kernel with `depthwise: true`; a SeparableConv2D's depthwise_kernel
 * likewise and its pointwise_kernel as a plain 1x1 conv on the depthwise half's output. The 2-norm
 * penalty takes only the paper's layer (stride 1, "same", dilation 1, square input); other kernels
 * are skipped for it. The penalty is added to the layer's losses, so model.fit() includes it, and
 * set as the kernel's regularizer (kernelRegularizer, depthwiseRegularizer, pointwiseRegularizer),
 * so model.toJSON() and save/load keep it.
 */
export function regularizeModel(model: tf.LayersModel, options: RegularizeModelOptions): RegularizeModelResult {
  if (model === null || typeof model !== "object" || !Array.isArray((model as { layers?: unknown }).layers))
    throw new ConvregTypeError("ERR_ARGUMENT", "model must be a tfjs-layers model (tf.sequential or tf.model)");
  if (options === null || typeof options !== "object") throw new ConvregTypeError("ERR_ARGUMENT", "options must be an object { weight, alpha?, layers? }");
  const twoNorm = options.penalty === "two-norm";
  const attached: AttachedLayer[] = [];
  const skipped: SkippedConvLayer[] = [];
  for (const layer of flatten(model.layers)) {
    const className = layer.getClassName();
    if (!CONV_CLASSES.has(className) || !selected(layer, options.layers)) continue;
    const skip = (reason: string) => skipped.push({ layer: layer.name, className, reason });
    if (!WIRED_CLASSES.has(className)) {
      skip(`${className} is not supported: the engines compute Conv2D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D operators`);
      continue;
    }
    const conv = layer as unknown as ConvInternals;
    const kernels = kernelsOf(conv, className);
    if (typeof kernels === "string") {
      skip(kernels);
      continue;
    }
    const separable = className === "SeparableConv2D";
    for (const { slot, geometry } of kernels) {
      const which = separable ? `the ${slot.name === "depthwise_kernel" ? "depthwise" : "pointwise"} kernel: ` : "";
      if (conv[slot.regularizer] != null) {
        skip(`${which}the layer already has a ${slot.regularizer}`);
        continue;
      }
      if (twoNorm && !isPaperLayer(geometry)) {
        skip(`${which}the 2-norm penalty supports only stride 1, dilation 1, "same" padding and square inputs (penalty "frobenius" takes this layer)`);
        continue;
      }
      const common = { n: geometry.n, alpha: options.alpha, weight: options.weight, engine: options.engine, depthwise: geometry.depthwise };
      const regularizer = twoNorm
        ? new TwoNormRegularizer({ ...common, powerSteps: options.powerSteps })
        : new FrobeniusRegularizer({
            ...common,
            width: geometry.width,
            stride: geometry.stride,
            dilation: geometry.dilation,
            padding: geometry.padding,
            transposed: geometry.transposed,
          });
      const variable = conv[slot.variable]!;
      conv[slot.regularizer] = regularizer;
      // tfjs-layers turns a regularizer into a loss only when it builds the layer; after build the
      // loss is added by hand (the same closure addWeight would have made).
      conv.addLoss(() => regularizer.weightedPenalty(variable.read()));
      const entry: AttachedLayer = { layer: layer.name, className, kernel: slot.name, variable, regularizer, ...geometry };
      attached.push(entry);
    }
  }
  return { attached, skipped };
}
