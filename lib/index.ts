/**
 * convreg: measure and regularize the singular values of convolution layers.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./kernel.js";
export * from "./operations.js";
export * from "./sigma-min.js";
export * from "./kernel-file.js";
export * from "./tfjs/public.js";
export { parseNpy, formatNpy, float16ToNumber, type NpyArray, type NpyFloatDtype } from "./npy.js";
export { setMemoryLimit, getMemoryLimit } from "./memory.js";
export { setBlasThreads, getBlasThreads, activeNativeCalls } from "./threads.js";
export { timeDgemm, timeDsyrk } from "./blas-timing.js";
export { randomKernel, type RandomKernelOptions } from "./random.js";
export * from "./optimize/public.js";
export { applyLayer, applyLayerAsync, applyLayerTranspose, applyLayerTransposeAsync, type ApplyOptions } from "./operator.js";
export { sigmaMaxIterative, sigmaMaxIterativeAsync, type SigmaMaxOptions, type SigmaMaxResult } from "./sigma-max.js";
export { spectrum, spectrumAsync, resolveSpectrumMethod, type Spectrum, type SpectrumOptions, type SpectrumMethod, type SigmaMinPart, type ResolvedSpectrumMethod } from "./spectrum.js";
export * from "./spectral.js";
export { sigmaMaxUpperBound, symbolBoundBytes, type SymbolBound, type SymbolBoundOptions } from "./spectrum/symbol-bound.js";
export { timeEngine, type EngineTimingOptions } from "./engine-timing.js";
