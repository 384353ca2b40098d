/**
 * convreg: measure and regularize the singular values of convolution layers.
 * @packageDocumentation
 */
export * from "./core/errors.js";
export * from "./core/kernel.js";
export * from "./core/layer-options.js";
export * from "./penalty/frobenius.js";
export * from "./engines/matrix.js";
export * from "./spectrum/singular-values.js";
export * from "./spectrum/sigma-min.js";
export * from "./io/kernel-file.js";
export * from "./tfjs/public.js";
export { parseNpy, formatNpy, float16ToNumber, type NpyArray, type NpyFloatDtype } from "./io/npy.js";
export { setMemoryLimit, getMemoryLimit } from "./core/memory.js";
export { setBlasThreads, getBlasThreads, activeNativeCalls } from "./native/threads.js";
export { timeDgemm, timeDsyrk } from "./bench/blas-timing.js";
export { randomKernel, type RandomKernelOptions } from "./core/random.js";
export * from "./optimize/public.js";
export { applyLayer, applyLayerAsync, applyLayerTranspose, applyLayerTransposeAsync, type ApplyOptions } from "./engines/operator.js";
export { sigmaMaxIterative, sigmaMaxIterativeAsync, type SigmaMaxOptions, type SigmaMaxResult } from "./spectrum/sigma-max.js";
export { spectrum, spectrumAsync, resolveSpectrumMethod, type Spectrum, type SpectrumOptions, type SpectrumMethod, type SigmaMinPart, type ResolvedSpectrumMethod } from "./spectrum/spectrum.js";
export * from "./penalty/two-norm.js";
export { sigmaMaxUpperBound, sigmaMaxUpperBoundAsync, symbolBoundBytes, type SymbolBound, type SymbolBoundOptions } from "./spectrum/symbol-bound.js";
export { timeEngine, type EngineTimingOptions } from "./bench/engine-timing.js";
