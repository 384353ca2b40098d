/**
 * For custom training loops (tf.variableGrads / optimizer.applyGradients): adds each kernel's
 * weighted penalty gradient to the data-loss gradients, one native call per kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { ConvregTypeError } from "../../index.js";
import { FrobeniusRegularizer, type ConvregRegularizer } from "./regularizers.js";
import type { FrobeniusRegularizerOptions } from "./options.js";

/** A kernel variable with its own regularizer (e.g. an entry of regularizeModel's `attached`). */
export interface RegularizedKernel {
  variable: tf.Variable | tf.LayerVariable;
  regularizer: ConvregRegularizer;
}

function underlying(variable: tf.Variable | tf.LayerVariable): tf.Variable {
  // A LayerVariable wraps a core Variable; read() returns it (no copy).
  return "read" in variable && typeof variable.read === "function" ? (variable.read() as tf.Variable) : (variable as tf.Variable);
}

/**
 * Adds weight * dF/dK of every kernel to `grads` (keyed by variable name, as tf.variableGrads
 * returns them; a missing entry is created) and returns the sum of the weighted penalties.
 * Plain variables use one Frobenius regularizer built from `options`; RegularizedKernel entries
 * use their own. The replaced gradient tensors are disposed.
 */
export function addPenaltyGradients(grads: tf.NamedTensorMap, kernels: ReadonlyArray<tf.Variable | RegularizedKernel>, options?: FrobeniusRegularizerOptions): number {
  if (grads === null || typeof grads !== "object") throw new ConvregTypeError("ERR_ARGUMENT", "grads must be the NamedTensorMap of tf.variableGrads");
  if (!Array.isArray(kernels)) throw new ConvregTypeError("ERR_ARGUMENT", "kernels must be an array of variables or { variable, regularizer }");
  let shared: FrobeniusRegularizer | undefined;
  let total = 0;
  for (const entry of kernels) {
    const isPair = entry !== null && typeof entry === "object" && "regularizer" in entry;
    let regularizer: ConvregRegularizer;
    if (isPair) regularizer = (entry as RegularizedKernel).regularizer;
    else {
      if (options === undefined) throw new ConvregTypeError("ERR_ARGUMENT", "options (n, weight, ...) are required for plain kernel variables");
      regularizer = shared ??= new FrobeniusRegularizer(options);
    }
    const variable = underlying(isPair ? (entry as RegularizedKernel).variable : (entry as tf.Variable));
    const { value, gradient } = regularizer.evaluate(variable.dataSync(), variable.shape);
    total += value;
    const penaltyGradient = tf.tensor(Float32Array.from(gradient), variable.shape);
    const previous = grads[variable.name];
    if (previous === undefined) grads[variable.name] = penaltyGradient;
    else {
      grads[variable.name] = tf.add(previous, penaltyGradient);
      previous.dispose();
      penaltyGradient.dispose();
    }
  }
  return total;
}
