/**
 * Grouped and depthwise layers (LAYERS.md): M is block diagonal over the groups, so every
 * quantity is computed per group from the group's own kernel and combined. This file reads the
 * `groups` / `depthwise` options, slices the kernel into the groups' kernels and puts per-group
 * kernels (gradients) back into the layer's layout.
 *
 * Layouts (TensorFlow's):
 * - grouped, G groups: kernel `[k, k, g/G, h]`, `shape[2]` is the input channels per group;
 *   output channel o belongs to group `floor(o / (h/G))`, which reads input channels
 *   `grp (g/G) .. grp (g/G) + g/G - 1`;
 * - depthwise: kernel `[k, k, C, m]`; output channel `c m + j` reads only input channel c through
 *   `K[:, :, c, j]`.
 * A depthwise kernel's HWIO data is exactly that of the grouped kernel `[k, k, 1, C m]` with
 * G = C (index `(t C + c) m + j = t (C m) + (c m + j)`), so both are read as one layout: group
 * `grp` owns, at every tap and input row i, the output columns `grp hg .. grp hg + hg - 1`.
 * With that numbering M's row and column blocks of a group are contiguous, so M is block
 * diagonal as it stands.
 */
import { ConvregRangeError, ConvregTypeError } from "./errors.js";
import { requireKernel, type Kernel } from "./kernel.js";
import { describe, requireInteger, requireOptions } from "./validate.js";

/** Options that make a layer grouped or depthwise. */
export interface GroupOptions {
  /**
   * Grouped convolution with G groups (an integer >= 1 dividing the kernel's output channels
   * `shape[3]`; default 1). TensorFlow's layout: the kernel is `[k, k, g/G, h]`, so `shape[2]` is the
   * input channels per group and the layer has `G shape[2]` input channels.
   */
  groups?: number;
  /**
   * Depthwise convolution (default false): the kernel is `[k, k, C, m]` (TensorFlow's
   * depthwiseConv2d layout, m the channel multiplier); output channel `c m + j` reads only input
   * channel c through `K[:, :, c, j]`. Excludes `groups`.
   */
  depthwise?: boolean;
}

/** The block structure of a grouped or depthwise layer, in the common grouped layout. */
export interface GroupLayout {
  /** Number of groups (C for depthwise). */
  count: number;
  /** Kernel side k. */
  k: number;
  /** Input channels per group (1 for depthwise). */
  inPerGroup: number;
  /** Output channels per group (m for depthwise). */
  outPerGroup: number;
}

/**
 * Reads `options.groups` and `options.depthwise` against the kernel. Returns undefined for a
 * plain layer (neither given, `groups: 1`, `depthwise: false`), else the layout.
 */
export function readGroups(kernel: Kernel, options: GroupOptions): GroupLayout | undefined {
  const [k, , g, h] = kernel.shape;
  const { depthwise, groups } = options; // read once
  if (depthwise !== undefined && typeof depthwise !== "boolean") throw new ConvregTypeError("ERR_ARGUMENT", `options.depthwise must be a boolean, got ${describe(depthwise)}`);
  if (depthwise === true) {
    if (groups !== undefined)
      throw new ConvregRangeError(
        "ERR_ARGUMENT",
        `options.groups and options.depthwise exclude each other (a depthwise layer has one group per input channel); got groups ${describe(groups)}`,
      );
    return { count: g, k, inPerGroup: 1, outPerGroup: h };
  }
  if (groups === undefined) return undefined;
  const count = requireInteger(groups, "options.groups", 1, h);
  if (h % count !== 0) throw new ConvregRangeError("ERR_ARGUMENT", `options.groups must divide the kernel's output channels (shape[3] = ${h}), got ${count}`);
  return count === 1 ? undefined : { count, k, inPerGroup: g, outPerGroup: h / count };
}

/** Total output channels of the layout. */
function totalOut(layout: GroupLayout): number {
  return layout.count * layout.outPerGroup;
}

/** Index in the layer kernel's data of entry `local` of group `group`'s kernel. */
export function layerEntryIndex(layout: GroupLayout, group: number, local: number): number {
  const hg = layout.outPerGroup;
  const row = Math.floor(local / hg); // tap * inPerGroup + input channel
  return row * totalOut(layout) + group * hg + (local - row * hg);
}

/** The kernel `[k, k, g/G, h/G]` of one group. */
export function groupKernel(kernel: Kernel, layout: GroupLayout, group: number): Kernel {
  const { k, inPerGroup, outPerGroup } = layout;
  const rows = k * k * inPerGroup;
  const data = new Float64Array(rows * outPerGroup);
  const h = totalOut(layout);
  for (let row = 0; row < rows; row++) {
    const from = row * h + group * outPerGroup;
    data.set(kernel.data.subarray(from, from + outPerGroup), row * outPerGroup);
  }
  return { shape: [k, k, inPerGroup, outPerGroup], data };
}

/** All groups' kernels, in group order. */
export function groupKernels(kernel: Kernel, layout: GroupLayout): Kernel[] {
  return Array.from({ length: layout.count }, (_, group) => groupKernel(kernel, layout, group));
}

/** Puts the groups' kernels (gradients) back into the layer kernel's layout and shape. */
export function assembleGroups(parts: readonly Kernel[], layout: GroupLayout, shape: Kernel["shape"]): Kernel {
  const { k, inPerGroup, outPerGroup } = layout;
  const rows = k * k * inPerGroup;
  const h = totalOut(layout);
  const data = new Float64Array(rows * h);
  parts.forEach((part, group) => {
    for (let row = 0; row < rows; row++) data.set(part.data.subarray(row * outPerGroup, (row + 1) * outPerGroup), row * h + group * outPerGroup);
  });
  return { shape, data };
}

/** The options without `groups` and `depthwise`, for the per-group calls. */
export function withoutGroups<T extends GroupOptions>(options: T): Omit<T, "groups" | "depthwise"> {
  const { groups: _groups, depthwise: _depthwise, ...rest } = options;
  return rest;
}

/** A grouped call: the layer kernel, its groups' kernels and the options for each group. */
export interface GroupCall<O> {
  kernel: Kernel;
  layout: GroupLayout;
  kernels: Kernel[];
  options: O;
}

/**
 * Reads a call's group options, and its kernel only when they are given (so a plain call reads
 * its kernel once, in its own route, as before): undefined for a plain layer.
 */
export function readGroupCall<O extends GroupOptions>(kernel: unknown, options: O | undefined): GroupCall<Omit<O, "groups" | "depthwise">> | undefined {
  const o = requireOptions(options);
  const { groups, depthwise } = o; // read once
  if (groups === undefined && (depthwise === undefined || depthwise === false)) return undefined;
  const k = requireKernel(kernel);
  const layout = readGroups(k, { groups, depthwise });
  if (!layout) return undefined;
  let kernels: Kernel[] | undefined; // sliced on first use: a one-call route reads the layer kernel instead
  return {
    kernel: k,
    layout,
    get kernels() {
      kernels ??= groupKernels(k, layout);
      return kernels;
    },
    options: withoutGroups(o),
  };
}

/** Runs `run` on every group in turn (sync). */
export function eachGroup<T>(kernels: readonly Kernel[], run: (kernel: Kernel, group: number) => T): T[] {
  return kernels.map((kernel, group) => run(kernel, group));
}

/**
 * Runs `run` on every group in turn (async). One group at a time: each call is checked against
 * the memory limit on its own, so running them together could exceed it.
 */
export async function eachGroupAsync<T>(kernels: readonly Kernel[], run: (kernel: Kernel, group: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let group = 0; group < kernels.length; group++) out.push(await run(kernels[group], group));
  return out;
}
