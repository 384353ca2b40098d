/**
 * The Frobenius (Guo) and 2-norm (Guo–Ye) penalties as tfjs-layers Regularizers. apply(kernel)
 * returns weight * penalty as a scalar; its gradient, through tf.customGrad, is weight * dPenalty/dK
 * from the same native call, so a training step costs one evaluation.
 */
import * as tf from "@tensorflow/tfjs";
import { ConvregRangeError, createKernel, penaltyAndGradient, spectralPenaltyAndGradient, type Kernel } from "../../index.js";
import { assembleGroups, groupKernels, readGroups } from "../../core/groups.js";
import {
  resolveFrobeniusOptions,
  resolveTwoNormOptions,
  type FrobeniusRegularizerOptions,
  type ResolvedFrobeniusOptions,
  type ResolvedTwoNormOptions,
  type TwoNormRegularizerOptions,
} from "./options.js";

/** What tfjs-layers needs of a regularizer (its own abstract class is not exported). */
interface RegularizerInstance extends tf.serialization.Serializable {
  apply(x: tf.Tensor): tf.Scalar;
}

// tfjs-layers' Regularizer base class, reached from the same bundle the user's tf comes from so
// that instanceof checks and serialization inside tfjs-layers see a genuine Regularizer.
const RegularizerBase = Object.getPrototypeOf(tf.regularizers.l1l2().constructor) as abstract new () => RegularizerInstance;

/** The weighted penalty and its weighted gradient (HWIO, float64) for one kernel value. */
export interface WeightedEvaluation {
  /** weight * penalty. */
  value: number;
  /** weight * dPenalty/dK, same layout and length as the kernel. */
  gradient: Float64Array;
}

/** Shared part of both regularizers: kernel conversion and the customGrad wrapper. */
export abstract class ConvregRegularizer extends RegularizerBase {
  /** The weighted penalty of the last evaluation (NaN before the first). */
  lastValue = Number.NaN;
  private readonly withGradient = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => {
    const kernel = x as tf.Tensor;
    const { value, gradient } = this.evaluate(kernel.dataSync(), kernel.shape);
    const grad = Float32Array.from(gradient);
    return {
      value: tf.scalar(value),
      gradFunc: (dy: tf.Scalar) => tf.mul(dy, tf.tensor(grad, kernel.shape)),
    };
  });

  /** weight * penalty(K) as a scalar whose gradient is weight * dPenalty/dK (one native call). */
  override apply(kernel: tf.Tensor): tf.Scalar {
    return this.weightedPenalty(kernel);
  }

  /** The same as apply (the name tfjs-layers calls); for callers outside tfjs-layers. */
  weightedPenalty(kernel: tf.Tensor): tf.Scalar {
    return this.withGradient(kernel) as tf.Scalar;
  }

  /** The weighted penalty and gradient of an HWIO kernel value of the given shape (no tensors). */
  evaluate(values: ArrayLike<number>, shape: readonly number[]): WeightedEvaluation {
    if (shape.length !== 4)
      throw new ConvregRangeError("ERR_SHAPE", `${this.getClassName()} regularizes 4-D conv kernels [k, k, g, h], got a tensor of shape [${shape.join(", ")}]`);
    const result = this.penaltyAndGradient(createKernel(values, shape));
    const weight = this.weight;
    const gradient = new Float64Array(result.gradient.length);
    for (let i = 0; i < gradient.length; i++) gradient[i] = weight * result.gradient[i];
    this.lastValue = weight * result.penalty;
    return { value: this.lastValue, gradient };
  }

  /** Factor of the penalty in the loss. */
  abstract get weight(): number;
  protected abstract penaltyAndGradient(kernel: Kernel): { penalty: number; gradient: Float64Array };
}

/** Frobenius-norm regularizer weight * ||M^T M - alpha I||_F^2 (Guo 2019). */
export class FrobeniusRegularizer extends ConvregRegularizer {
  static readonly className = "ConvregFrobenius";
  readonly options: ResolvedFrobeniusOptions;

  constructor(options: FrobeniusRegularizerOptions) {
    super();
    this.options = resolveFrobeniusOptions(options);
  }

  get weight(): number {
    return this.options.weight;
  }

  /**
   * The unweighted gradient of the last step, refilled by the next one (the `out` option): safe
   * because evaluate() copies it, weighted, into an array of the caller's before returning.
   */
  private gradientBuffer: Float64Array | undefined;

  protected penaltyAndGradient(kernel: Kernel): { penalty: number; gradient: Float64Array } {
    // The layer options route to the layer engine when they are not the paper's layer.
    // groups / depthwise: the engine splits M's diagonal blocks (lib/core/groups.ts) and sums their F.
    const { n, width, alpha, padding, stride, dilation, transposed, engine, groups, depthwise } = this.options;
    if (this.gradientBuffer?.length !== kernel.data.length) this.gradientBuffer = new Float64Array(kernel.data.length);
    // groups 1 is the default, which the engine refuses next to depthwise: true.
    const groupsOption = groups === 1 ? undefined : groups;
    const result = penaltyAndGradient(kernel, { n, width, alpha, padding, stride, dilation, transposed, engine, groups: groupsOption, depthwise, out: this.gradientBuffer });
    return { penalty: result.penalty, gradient: result.gradient.data };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options };
  }

  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config);
  }
}

/**
 * 2-norm regularizer weight * ||G - alpha I||_2 (G the smaller Gram matrix of M), estimated by
 * `powerSteps` power steps warm-started from the previous call's vector, as Guo–Ye do.
 * A grouped or depthwise M is block diagonal with blocks of one shape, so G - alpha I is too and
 * its 2-norm is the largest of the blocks' 2-norms: each group runs its own warm-started power
 * method, and the gradient is that of the group attaining the maximum (zero elsewhere).
 */
export class TwoNormRegularizer extends ConvregRegularizer {
  static readonly className = "ConvregTwoNorm";
  readonly options: ResolvedTwoNormOptions;
  /** One power-method vector per group (one entry for a plain layer). */
  private startVectors: Array<Float64Array | undefined> = [];

  constructor(options: TwoNormRegularizerOptions) {
    super();
    this.options = resolveTwoNormOptions(options);
  }

  get weight(): number {
    return this.options.weight;
  }

  protected penaltyAndGradient(kernel: Kernel): { penalty: number; gradient: Float64Array } {
    const { groups, depthwise } = this.options;
    const layout = readGroups(kernel, { groups: groups === 1 ? undefined : groups, depthwise });
    if (!layout) return this.groupPenalty(kernel, 0);
    const parts = groupKernels(kernel, layout).map((k, group) => this.groupPenalty(k, group));
    if (this.startVectors.length > parts.length) this.startVectors.length = parts.length;
    let top = 0;
    for (let group = 1; group < parts.length; group++) if (parts[group].penalty > parts[top].penalty) top = group;
    const shape: Kernel["shape"] = [layout.k, layout.k, layout.inPerGroup, layout.outPerGroup];
    const zero = new Float64Array(parts[top].gradient.length);
    const gradients = parts.map((p, group) => ({ shape, data: group === top ? p.gradient : zero }));
    return { penalty: parts[top].penalty, gradient: assembleGroups(gradients, layout, kernel.shape).data };
  }

  /** The estimate for one block, continuing that block's power method. */
  private groupPenalty(kernel: Kernel, group: number): { penalty: number; gradient: Float64Array } {
    const { n, alpha, engine, powerSteps } = this.options;
    const expected = Math.min(kernel.shape[2], kernel.shape[3]) * n * n;
    const previous = this.startVectors[group];
    const startVector = previous?.length === expected ? previous : undefined;
    const result = spectralPenaltyAndGradient(kernel, { n, alpha, engine, powerSteps, startVector });
    this.startVectors[group] = result.vector;
    return { penalty: result.penalty, gradient: result.gradient.data };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options };
  }

  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config);
  }
}

tf.serialization.registerClass(FrobeniusRegularizer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
tf.serialization.registerClass(TwoNormRegularizer as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** A Frobenius regularizer for `kernelRegularizer` of `tf.layers.conv2d`. */
export function frobeniusRegularizer(options: FrobeniusRegularizerOptions): FrobeniusRegularizer {
  return new FrobeniusRegularizer(options);
}

/** A 2-norm (Guo–Ye) regularizer for `kernelRegularizer` of `tf.layers.conv2d`. */
export function twoNormRegularizer(options: TwoNormRegularizerOptions): TwoNormRegularizer {
  return new TwoNormRegularizer(options);
}
