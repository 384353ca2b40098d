/**
 * The layer options beyond the paper's square, stride-1, SAME layer: `stride`, `padding`
 * ("zero" = TensorFlow's SAME, "valid", "circular"), `dilation`, `width` (an H x W input with
 * H = n) and `transposed`. Semantics as TensorFlow computes them (MATH.md section 8).
 */
import { ConvregRangeError, ConvregTypeError } from "./errors.js";
import type { Kernel } from "./kernel.js";
import type { GroupOptions } from "./groups.js";
import { describe, requireChoice, requireInputSize, requireInteger, MAX_INPUT_SIZE } from "./validate.js";

/** How the input is extended outside the image. */
export type LayerPadding = "zero" | "valid" | "circular";

/** The paddings accepted by the penalty options. */
export const LAYER_PADDINGS: readonly LayerPadding[] = ["zero", "valid", "circular"];

/** Layer options of the penalty, its gradient and the line quartic (`groups`, `depthwise`: lib/core/groups.ts). */
export interface LayerKindOptions extends GroupOptions {
  /** Stride s along both axes (an integer >= 1, default 1). Output size ceil(H/s) ("zero") or floor((H - ke)/s) + 1 ("valid"). */
  stride?: number;
  /** "zero" (default, TensorFlow's SAME, the odd pad row/column at the bottom/right), "valid" or "circular". */
  padding?: LayerPadding;
  /** Dilation d (an integer >= 1, default 1): tap p reads offset p d, effective kernel size d (k - 1) + 1. */
  dilation?: number;
  /** Input width W (default n): the input is n x W. */
  width?: number;
  /** The transposed convolution (M is the forward M^T): F = ||M M^T - alpha I||_F^2 of the forward M. */
  transposed?: boolean;
}

/** A validated layer that needs the layer engine (some option is not the default). */
export interface LayerSpec {
  height: number;
  width: number;
  stride: number;
  dilation: number;
  padding: LayerPadding;
  transposed: boolean;
}

/** Output size along an axis of `input` pixels. */
export function outputSize(input: number, k: number, spec: Pick<LayerSpec, "stride" | "dilation" | "padding">): number {
  const ke = spec.dilation * (k - 1) + 1;
  return spec.padding === "valid" ? Math.floor((input - ke) / spec.stride) + 1 : Math.ceil(input / spec.stride);
}

/**
 * Reads and checks the layer options. Returns undefined when they all have their default
 * values (the existing engines handle that layer), else the spec.
 */
export function readLayerSpec(kernel: Kernel, options: LayerKindOptions & { n: number }): LayerSpec | undefined {
  // The functions that take grouped layers split them before they get here (lib/core/groups.ts);
  // any other would read a grouped kernel as a plain one.
  const { groups, depthwise } = options;
  if ((groups !== undefined && groups !== 1) || (depthwise !== undefined && depthwise !== false))
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      `options.groups and options.depthwise are taken by penalty, gradient, penaltyAndGradient, lineQuartic, transformMatrix, singularValues, spectrum and sigmaMin only; this function got groups ${describe(groups)}, depthwise ${describe(depthwise)}`,
    );
  const k = kernel.shape[0];
  const height = requireInputSize(options.n, "options.n");
  const width = options.width === undefined ? height : requireInputSize(options.width, "options.width");
  const stride = options.stride === undefined ? 1 : requireInteger(options.stride, "options.stride", 1, MAX_INPUT_SIZE);
  const dilation = options.dilation === undefined ? 1 : requireInteger(options.dilation, "options.dilation", 1, MAX_INPUT_SIZE);
  const padding = requireChoice(options.padding, "options.padding", LAYER_PADDINGS, "zero");
  if (options.transposed !== undefined && typeof options.transposed !== "boolean")
    throw new ConvregTypeError("ERR_ARGUMENT", `options.transposed must be a boolean, got ${describe(options.transposed)}`);
  const transposed = options.transposed === true;
  const spec: LayerSpec = { height, width, stride, dilation, padding, transposed };
  if (padding === "circular") {
    // The circular engines are stride-1, square and undilated.
    for (const [name, value, fallback] of [
      ["stride", stride, 1],
      ["dilation", dilation, 1],
      ["width", width, height],
    ] as const)
      if (value !== fallback)
        throw new ConvregRangeError(
          "ERR_ARGUMENT",
          `options.${name} must be ${name === "width" ? "options.n" : 1} with options.padding "circular" (got ${value}); circular padding supports only stride 1, dilation 1 and square inputs`,
        );
    return transposed ? spec : undefined;
  }
  if (padding === "valid") {
    const ke = dilation * (k - 1) + 1;
    for (const [name, size] of [
      ["options.n", height],
      ["options.width", width],
    ] as const)
      if (size < ke)
        throw new ConvregRangeError("ERR_RANGE", `${name} must be at least the effective kernel size dilation*(k-1)+1 = ${ke} with options.padding "valid", got ${size}`);
  }
  const isDefault = stride === 1 && dilation === 1 && width === height && padding === "zero" && !transposed;
  return isDefault ? undefined : spec;
}
