/**
 * Convolutions of a TF.js layers model (Keras topology: Sequential or Functional, Keras 2 or 3
 * style inbound nodes), with each layer's input size propagated from the model's input shape.
 */
import type { KernelShape } from "../core/kernel.js";
import type { TfjsModel } from "./model.js";
import { firstKnown, inputSpatial, mapSize, pair, UNKNOWN, windowOutput, type InputSize, type SpatialSize } from "./spatial.js";
import { kernelShapeProblem, type ConvKind, type ConvLayer, type ModelConvolutions, type SkippedLayer } from "./conv-layer.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

interface LayerSpec {
  className: string;
  name: string;
  config: Obj;
  inbound: string[] | null;
}

// Each conv class: its rows, as [kind, weight suffix] (a separable layer gives two rows).
const CONV: Record<string, [ConvKind, string][]> = {
  Conv2D: [["conv", "kernel"]],
  Convolution2D: [["conv", "kernel"]],
  DepthwiseConv2D: [["depthwise", "depthwise_kernel"]],
  SeparableConv2D: [
    ["separable-depthwise", "depthwise_kernel"],
    ["separable-pointwise", "pointwise_kernel"],
  ],
  SeparableConvolution2D: [
    ["separable-depthwise", "depthwise_kernel"],
    ["separable-pointwise", "pointwise_kernel"],
  ],
  Conv2DTranspose: [["transposed", "kernel"]],
  Deconvolution2D: [["transposed", "kernel"]],
};
const SKIP_REASON: Record<string, string> = {
  Conv1D: "not a 2-D convolution (1-D)",
  Convolution1D: "not a 2-D convolution (1-D)",
  SeparableConv1D: "not a 2-D convolution (1-D)",
  DepthwiseConv1D: "not a 2-D convolution (1-D)",
  Conv3D: "not a 2-D convolution (3-D)",
  Conv3DTranspose: "not a 2-D convolution (3-D)",
  ConvLSTM2D: "recurrent convolution (ConvLSTM2D): its kernels act inside a recurrence",
  LocallyConnected2D: "locally connected: weights differ per position, not a convolution",
};
const SAME_SIZE = new Set([
  "InputLayer",
  "Activation",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "ThresholdedReLU",
  "Softmax",
  "BatchNormalization",
  "LayerNormalization",
  "Dropout",
  "SpatialDropout2D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
  "Add",
  "Subtract",
  "Multiply",
  "Average",
  "Maximum",
  "Minimum",
  "Concatenate",
  "Rescaling",
  "Normalization",
  "Masking",
  "Identity",
]);
const WINDOWED = new Set(["Conv2D", "Convolution2D", "DepthwiseConv2D", "SeparableConv2D", "SeparableConvolution2D"]);
const POOLING = new Set(["MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"]);

// Keras 2: [[["name", 0, 0, {}], ...]]; Keras 3: [{ args: [{ config: { keras_history: ["name", 0, 0] } }] }].
function inboundNames(nodes: unknown): string[] {
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") names.push(v[0]);
      else v.forEach(visit);
    } else if (isObj(v)) {
      if (Array.isArray(v.keras_history) && typeof v.keras_history[0] === "string") names.push(v.keras_history[0]);
      else Object.values(v).forEach(visit);
    }
  };
  visit(nodes);
  return names;
}

function modelConfig(topology: unknown): { className: string; config: unknown } | null {
  if (!isObj(topology)) return null;
  const mc = isObj(topology.model_config) ? topology.model_config : topology;
  return typeof mc.class_name === "string" ? { className: mc.class_name, config: mc.config } : null;
}

function layerSpecs(className: string, config: unknown): LayerSpec[] {
  const list = Array.isArray(config) ? config : isObj(config) && Array.isArray(config.layers) ? config.layers : [];
  const sequential = className === "Sequential";
  const specs: LayerSpec[] = [];
  list.forEach((l: unknown, i: number) => {
    if (!isObj(l)) return;
    const cfg = isObj(l.config) ? l.config : {};
    const name = typeof l.name === "string" ? l.name : typeof cfg.name === "string" ? cfg.name : `layer_${i}`;
    const inbound = sequential ? (i === 0 ? [] : [specs[i - 1]?.name ?? ""]) : inboundNames(l.inbound_nodes);
    specs.push({ className: String(l.class_name), name, config: cfg, inbound });
  });
  return specs;
}

// The input shape a layer declares (InputLayer, or the first layer of a Sequential model).
function declaredShape(c: Obj): unknown {
  return c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...c.input_shape] : undefined);
}

function outputSize(spec: LayerSpec, x: SpatialSize): SpatialSize {
  const c = spec.config;
  const cls = spec.className;
  if (SAME_SIZE.has(cls)) return x;
  if (WINDOWED.has(cls) || POOLING.has(cls)) {
    const pool = POOLING.has(cls);
    const k = pair(pool ? c.pool_size : c.kernel_size, pool ? 2 : 1);
    const s = pair(pool ? (c.strides ?? c.pool_size) : c.strides, pool ? k[0] : 1);
    const d = pair(pool ? 1 : c.dilation_rate, 1);
    const padding = typeof c.padding === "string" ? c.padding : "valid";
    return mapSize(x, (len, a) => windowOutput(len, k[a], s[a], d[a], padding));
  }
  if (cls === "Conv2DTranspose" || cls === "Deconvolution2D") {
    const k = pair(c.kernel_size, 1);
    const s = pair(c.strides, 1);
    const same = c.padding === "same";
    return mapSize(x, (len, a) => (len === null ? null : same ? len * s[a] : len * s[a] + Math.max(k[a] - s[a], 0)));
  }
  if (cls === "UpSampling2D") {
    const f = pair(c.size, 2);
    return mapSize(x, (len, a) => (len === null ? null : len * f[a]));
  }
  if (cls === "ZeroPadding2D" || cls === "Cropping2D") {
    const raw = cls === "ZeroPadding2D" ? c.padding : c.cropping;
    const sign = cls === "ZeroPadding2D" ? 1 : -1;
    // n, [rows, cols] (symmetric) or [[top, bottom], [left, right]].
    const sym = pair(raw, 1);
    const amounts =
      Array.isArray(raw) && Array.isArray(raw[0])
        ? [pair(raw[0], 0), pair(raw[1], 0)]
        : [
            [sym[0], sym[0]],
            [sym[1], sym[1]],
          ];
    return mapSize(x, (len, a) => (len === null ? null : len + sign * (amounts[a][0] + amounts[a][1])));
  }
  return UNKNOWN;
}

function kernelWeightName(model: TfjsModel, layer: string, suffix: string): string | null {
  const plain = (n: string) => n.replace(/:0$/, "");
  let suffixMatch: string | null = null;
  for (const name of model.weights.keys()) {
    const p = plain(name);
    if (p === `${layer}/${suffix}`) return name;
    if (suffixMatch === null && p.endsWith(`/${layer}/${suffix}`)) suffixMatch = name;
  }
  return suffixMatch;
}

function hasWeights(model: TfjsModel, layer: string): boolean {
  for (const name of model.weights.keys()) if (name.startsWith(`${layer}/`) || name.includes(`/${layer}/`)) return true;
  return false;
}

/** The rows of one conv layer (two for a separable one); what cannot be read goes to `skipped`. */
function convLayers(model: TfjsModel, spec: LayerSpec, input: SpatialSize, skipped: SkippedLayer[]): ConvLayer[] {
  const c = spec.config;
  const strides = pair(c.strides, 1);
  const padding = typeof c.padding === "string" ? c.padding : "valid";
  const dilation = pair(c.dilation_rate, 1);
  const rows: ConvLayer[] = [];
  for (const [kind, suffix] of CONV[spec.className]) {
    const weightName = kernelWeightName(model, spec.name, suffix);
    const name = CONV[spec.className].length > 1 ? `${spec.name}/${suffix.replace("_kernel", "")}` : spec.name;
    if (weightName === null) {
      skipped.push({ name, op: spec.className, reason: `no kernel weight "${spec.name}/${suffix}" in the manifest` });
      continue;
    }
    const shape = model.weights.get(weightName)!.entry.shape;
    const problem = kernelShapeProblem(shape);
    if (problem) {
      skipped.push({ name, op: spec.className, reason: problem });
      continue;
    }
    const pointwise = kind === "separable-pointwise";
    // The pointwise step is a 1x1 stride-1 convolution of the depthwise step's output.
    const at = pointwise ? mapSize(input, (len, a) => windowOutput(len, pair(c.kernel_size, 1)[a], strides[a], dilation[a], padding)) : input;
    rows.push({
      name,
      weightName,
      op: spec.className,
      kind,
      groups: kind === "conv" && typeof c.groups === "number" ? c.groups : 1,
      shape: shape as unknown as KernelShape,
      strides: pointwise ? [1, 1] : strides,
      padding: pointwise ? "valid" : padding,
      dilation: pointwise ? [1, 1] : dilation,
      // A transposed layer's M^T acts on its output: the forward convolution's input.
      input: kind === "transposed" ? outputSize(spec, input) : at,
    });
  }
  return rows;
}

function collect(model: TfjsModel, className: string, config: unknown, standIn: InputSize | undefined, out: ModelConvolutions, nestedIn: SpatialSize | null): void {
  const specs = layerSpecs(className, config);
  const sizes = new Map<string, SpatialSize>();
  specs.forEach((spec, i) => {
    const declared = declaredShape(spec.config);
    if (out.inputShape === null && Array.isArray(declared)) out.inputShape = declared.map((d) => (typeof d === "number" ? d : null));
    let input: SpatialSize;
    if (spec.className === "InputLayer" || (i === 0 && declared !== undefined && !spec.inbound?.length)) input = inputSpatial(declared, standIn);
    else if (spec.inbound?.length) input = firstKnown(spec.inbound.map((n) => sizes.get(n) ?? UNKNOWN));
    else input = i === 0 && nestedIn !== null ? nestedIn : UNKNOWN;
    if (spec.className === "Sequential" || spec.className === "Functional" || spec.className === "Model") {
      collect(model, spec.className, spec.config, standIn, out, input);
      sizes.set(spec.name, UNKNOWN);
      return;
    }
    if (CONV[spec.className]) for (const conv of convLayers(model, spec, input, out.skipped)) out.convs.push(conv);
    else if (SKIP_REASON[spec.className]) out.skipped.push({ name: spec.name, op: spec.className, reason: SKIP_REASON[spec.className] });
    else if (hasWeights(model, spec.name)) out.skipped.push({ name: spec.name, op: spec.className, reason: "not a convolution" });
    sizes.set(spec.name, spec.className === "InputLayer" ? input : outputSize(spec, input));
  });
}

/** The convolutions of a layers model. */
export function findLayersConvs(model: TfjsModel, standIn: InputSize | undefined): ModelConvolutions {
  const doc = model.document as Obj;
  const mc = modelConfig(doc.modelTopology);
  const out: ModelConvolutions = { convs: [], skipped: [], inputShape: null };
  if (mc === null) return out;
  collect(model, mc.className, mc.config, standIn, out, null);
  return out;
}
