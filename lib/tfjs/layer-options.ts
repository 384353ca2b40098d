/** A model layer's own options for the library: stride, padding, dilation, H x W, groups, depthwise, transposed. */
import { ConvregError } from "../core/errors.js";
import type { LayerShapeOptions } from "../core/layer-support.js";
import type { ConvLayer } from "./conv-layer.js";

/** The options of `penalty` / `spectrum` for a layer whose input is height x width, or ERR_ARGUMENT for what they cannot express. */
export function layerOptionsOf(layer: ConvLayer, height: number, width: number): LayerShapeOptions & { n: number } {
  const [sr, sc] = layer.strides ?? [1, 1];
  const [dr, dc] = layer.dilation ?? [1, 1];
  if (sr !== sc) throw new ConvregError("ERR_ARGUMENT", `stride ${sr}x${sc} differs per axis: not supported (the layer options take one stride)`);
  if (dr !== dc) throw new ConvregError("ERR_ARGUMENT", `dilation ${dr}x${dc} differs per axis: not supported (the layer options take one dilation)`);
  const p = layer.padding ?? "same";
  if (p !== "same" && p !== "valid") throw new ConvregError("ERR_ARGUMENT", `padding "${p}" is not supported (same or valid)`);
  const o: LayerShapeOptions & { n: number } = { n: height };
  if (width !== height) o.width = width;
  if (sr !== 1) o.stride = sr;
  // A 1x1 kernel reads no neighbours: "valid" and "same" are the same layer.
  if (p === "valid" && layer.shape[0] * dr > 1) o.padding = "valid";
  if (dr !== 1) o.dilation = dr;
  if (layer.kind === "transposed") o.transposed = true;
  if (layer.kind === "depthwise" || layer.kind === "separable-depthwise") o.depthwise = true;
  if (layer.groups !== 1) o.groups = layer.groups;
  return o;
}

/** A short name of the layer's kind for the table: "conv 3x3 s2 valid", "depthwise 3x3", "conv 1x1", "transposed 4x4 s2". */
export function kindText(layer: ConvLayer): string {
  const k = layer.shape[0];
  const base = { conv: "conv", depthwise: "depthwise", "separable-depthwise": "sep. depthwise", "separable-pointwise": "sep. pointwise", transposed: "transposed" }[layer.kind];
  const parts = [`${base} ${k}x${k}`];
  const [sr, sc] = layer.strides ?? [1, 1];
  if (sr !== 1 || sc !== 1) parts.push(sr === sc ? `s${sr}` : `s${sr}x${sc}`);
  const [dr, dc] = layer.dilation ?? [1, 1];
  if (dr !== 1 || dc !== 1) parts.push(dr === dc ? `d${dr}` : `d${dr}x${dc}`);
  if (layer.padding === "valid" && k > 1) parts.push("valid");
  if (layer.groups !== 1) parts.push(`G${layer.groups}`);
  return parts.join(" ");
}
