/**
 * The penalty family of grouped and depthwise layers. M is block diagonal over the groups and
 * so is M^T M, hence F = ||M^T M - alpha I||_F^2 is exactly the sum of the groups' F (each group's
 * identity has the group's own column count), the gradient is the groups' gradients put back
 * into the layer's layout, and the line quartic's coefficients are the sums of the groups'.
 * Every other layer option (stride, padding, dilation, width, transposed, engine) applies to
 * each group as it stands.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { ConvregRangeError } from "../core/errors.js";
import { assembleGroups, groupKernels, type GroupCall } from "../core/groups.js";

/** The direction of a line quartic, checked against the layer kernel and sliced like it. */
export function groupDirections(call: GroupCall<unknown>, direction: unknown): Kernel[] {
  const d = requireKernel(direction, "direction");
  const shape = call.kernel.shape;
  if (d.shape.some((v, i) => v !== shape[i])) throw new ConvregRangeError("ERR_SHAPE", `direction must have the kernel's shape [${shape.join(", ")}], got [${d.shape.join(", ")}]`);
  return groupKernels(d, call.layout);
}

/** F of the layer: the sum of the groups' F. */
export function sumPenalties(parts: readonly number[]): number {
  return parts.reduce((sum, f) => sum + f, 0);
}

/** The line quartic of the layer: the groups' coefficients summed. */
export function sumQuartics(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(5);
  for (const c of parts) for (let i = 0; i < 5; i++) out[i] += c[i];
  return out;
}

/** The gradient of the layer from the groups' gradients. */
export function assembleGradient(call: GroupCall<unknown>, parts: readonly Kernel[]): Kernel {
  return assembleGroups(parts, call.layout, call.kernel.shape);
}

/** Penalty and gradient of the layer from the groups' (the engine is the same for every group). */
export function combinePenaltyAndGradient<R extends { penalty: number; gradient: Kernel }>(call: GroupCall<unknown>, parts: readonly R[]): R {
  return {
    ...parts[0],
    penalty: sumPenalties(parts.map((p) => p.penalty)),
    gradient: assembleGradient(
      call,
      parts.map((p) => p.gradient),
    ),
  };
}
