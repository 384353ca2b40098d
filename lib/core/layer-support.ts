/**
 * Which layer kinds this build's penalty and spectrum compute exactly. Issue 13 adds the kinds
 * engine by engine; until one lands, callers that pass a layer's own options (the CLI's analyze,
 * the model report) get ERR_ARGUMENT "not supported yet" here instead of numbers for a different
 * operator (spectrum, for one, would silently analyse the stride-1 SAME layer).
 * Flip a flag when its engine lands.
 */
import { ConvregError } from "./errors.js";
import type { LayerKindOptions } from "./layer-spec.js";

/** Layer options plus the channel structure (grouped and depthwise convolutions). */
export interface LayerShapeOptions extends LayerKindOptions {
  /** Number of groups G (TF's Conv2D `groups`: kernel [k, k, g/G, h]); default 1. */
  groups?: number;
  /** Depthwise convolution (TF's [k, k, C, multiplier] kernel). */
  depthwise?: boolean;
}

/** What each part supports: `layer` is stride, valid padding, dilation, width and transposed. */
export const LAYER_SUPPORT = {
  penalty: { layer: true, groups: true, depthwise: true },
  spectrum: { layer: true, groups: true, depthwise: true },
} as const;

/** The non-default options of a layer, by name, e.g. ["stride 2", "padding valid"]. */
export function layerOptionNames(o: LayerShapeOptions, n: number): { layer: string[]; groups: string[]; depthwise: string[] } {
  const layer: string[] = [];
  if (o.stride !== undefined && o.stride !== 1) layer.push(`stride ${o.stride}`);
  if (o.padding === "valid") layer.push(`padding "valid"`);
  if (o.dilation !== undefined && o.dilation !== 1) layer.push(`dilation ${o.dilation}`);
  if (o.width !== undefined && o.width !== n) layer.push(`width ${o.width}`);
  if (o.transposed === true) layer.push("transposed");
  return {
    layer,
    groups: o.groups !== undefined && o.groups !== 1 ? [`groups ${o.groups}`] : [],
    depthwise: o.depthwise === true ? ["depthwise"] : [],
  };
}

/** Throws ERR_ARGUMENT "not supported yet" when `part` does not handle one of the options given. */
export function requireLayerSupport(part: keyof typeof LAYER_SUPPORT, options: LayerShapeOptions & { n: number }): void {
  const names = layerOptionNames(options, options.n);
  const support = LAYER_SUPPORT[part];
  const missing = [...(support.layer ? [] : names.layer), ...(support.groups ? [] : names.groups), ...(support.depthwise ? [] : names.depthwise)];
  if (missing.length > 0) throw new ConvregError("ERR_ARGUMENT", `${part} of a layer with ${missing.join(", ")} is not supported yet (issue 13)`);
}
