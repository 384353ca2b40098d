/**
 * convreg/tfjs/training: the Frobenius and 2-norm penalties inside @tensorflow/tfjs training
 * (a peer dependency: this entry point imports it, the main entry point does not).
 */
export { frobeniusRegularizer, twoNormRegularizer, FrobeniusRegularizer, TwoNormRegularizer, ConvregRegularizer, type WeightedEvaluation } from "./regularizers.js";
export {
  regularizeModel,
  type RegularizeModelOptions,
  type RegularizeModelResult,
  type AttachedLayer,
  type ConvKernelName,
  type ConvLayerGeometry,
  type SkippedConvLayer,
} from "./attach.js";
// Side effect: serializes a DepthwiseConv2D that carries a convreg regularizer correctly (a TF.js bug).
import "./depthwise-config.js";
export { addPenaltyGradients, type RegularizedKernel } from "./custom-loop.js";
export type { FrobeniusRegularizerOptions, TwoNormRegularizerOptions, FrobeniusEngine } from "./options.js";
