/**
 * convreg: measure and regularize the singular values of convolution layers.
 *
 * The main entry point: kernels, penalties, spectra, errors, files, memory limit and BLAS threads.
 * The optimizer is `convreg/optimize`, TF.js models are `convreg/tfjs`, timing helpers are
 * `convreg/bench`. Every name is listed explicitly; test/exports.test.ts pins the list.
 * @packageDocumentation
 */
export { ConvregError, ConvregRangeError, ConvregTypeError, isConvregError, type ConvregErrorCode, type ConvregErrorFields } from "./core/errors.js";
export {
  MAX_CHANNELS,
  MAX_KERNEL_SIDE,
  createKernel,
  kernelFromNested,
  kernelFromOIHW,
  kernelToOIHW,
  type Kernel,
  type KernelLayout,
  type KernelShape,
  type NestedKernel,
} from "./core/kernel.js";
export { randomKernel, type RandomKernelOptions } from "./core/random.js";
export type { LayerOptions } from "./core/layer-options.js";
export type { Padding } from "./engines/circular.js";
export type { LayerKindOptions, LayerPadding } from "./core/layer-spec.js";
export type { GroupOptions } from "./core/groups.js";
export {
  penalty,
  penaltyAsync,
  gradient,
  gradientAsync,
  penaltyAndGradient,
  penaltyAndGradientAsync,
  lineQuartic,
  lineQuarticAsync,
  type Engine,
  type PenaltyOptions,
  type GradientOptions,
  type PenaltyAndGradient,
} from "./penalty/frobenius.js";
export {
  spectralPenaltyAndGradient,
  spectralPenaltyAndGradientAsync,
  spectralVectorLength,
  type SpectralEngine,
  type SpectralOptions,
  type SpectralPenaltyAndGradient,
} from "./penalty/two-norm.js";
export { transformMatrix, transformMatrixAsync, type DenseMatrix, type SparseMatrix } from "./engines/matrix.js";
export { applyLayer, applyLayerAsync, applyLayerTranspose, applyLayerTransposeAsync, type ApplyOptions } from "./engines/operator.js";
export {
  singularValues,
  singularValuesAsync,
  singularValuesDetailed,
  singularValuesDetailedAsync,
  type SingularValueOptions,
  type SingularValuesResult,
} from "./spectrum/singular-values.js";
export { DEFAULT_GRAM_TOLERANCE } from "./spectrum/values-route.js";
export {
  spectrum,
  spectrumAsync,
  resolveSpectrumMethod,
  AUTO_DENSE_WORK_LIMIT,
  type Spectrum,
  type SpectrumOptions,
  type SpectrumMethod,
  type ResolvedSpectrumMethod,
  type DenseRoute,
} from "./spectrum/spectrum.js";
export type { BoundKind, SigmaMinRounding } from "./spectrum/sigma-min.js";
export { sigmaMaxUpperBound, sigmaMaxUpperBoundAsync, type SymbolBound, type SymbolBoundOptions } from "./spectrum/symbol-bound.js";
export {
  readKernelFile,
  readKernelFileDetailed,
  writeKernelFile,
  parseKernel,
  formatKernel,
  type KernelFile,
  type KernelFileOptions,
} from "./io/kernel-file.js";
export { parseNpy, formatNpy, type NpyArray, type NpyFloatDtype } from "./io/npy.js";
export { setMemoryLimit, getMemoryLimit } from "./core/memory.js";
export { setBlasThreads, getBlasThreads } from "./native/threads.js";
