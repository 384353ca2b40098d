/**
 * Every function the addon exports, with its argument and result types: the one list of the
 * native boundary. Each entry is either a `task` (binding/worker.h exportTask: exported as `name`
 * and as `nameAsync`, whose Promise form is derived below, never written twice) or a `plain`
 * function (exported once). The types (NativeTasks, NativeHelpers, NativeAddon) and the runtime
 * list of export names (nativeExportNames, checked against the loaded addon by
 * test/native-exports.test.ts) are both derived from NATIVE_FUNCTIONS.
 *
 * To add a native function: one entry here, its registration in binding/ (and a plan in lib/).
 */
import type { CancelArg, KernelArgs, NativeCancelToken, NativeMemoryStats, NativeSparse, NativeSpectral, RawLanczos, GradientOut, RawSigmaMin, RawSymbolBound } from "./raw.js";

/** A function exported by exportTask: sync as `name`, Promise form as `${name}Async`. */
interface TaskEntry<F> {
  readonly form: "task";
  /** Type only: never set at run time. */
  readonly signature?: F;
}
/** A function exported once (settings, helpers, the CancelToken class). */
interface PlainEntry<F> {
  readonly form: "plain";
  /** Type only: never set at run time. */
  readonly signature?: F;
}
function task<F extends (...args: never[]) => unknown>(): TaskEntry<F> {
  return { form: "task" };
}
function plain<F>(): PlainEntry<F> {
  return { form: "plain" };
}

type WithAlpha = [...KernelArgs, alpha: number];
/** F returned, dF/dK written into `gradient` (lib/native/raw.ts GradientOut). */
type WithGradient = [...WithAlpha, gradient: GradientOut];
type WithMethod = [...KernelArgs, method: "svd" | "gram"];
type QuarticArgs = [...KernelArgs, alpha: number, direction: Float64Array, dense: boolean];
type ApplyArgs = [...KernelArgs, vectors: Float64Array, count: number];
type SpectralArgs = [...KernelArgs, alpha: number, start: Float64Array | null, steps: number];
/** A layer's kernel and spec (binding/layer_args.h). */
export type LayerBaseArgs = [
  data: Float64Array,
  k: number,
  g: number,
  h: number,
  height: number,
  width: number,
  stride: number,
  dilation: number,
  valid: boolean,
  transposed: boolean,
];
type LayerArgs = [...LayerBaseArgs, alpha: number];

/** The addon's functions, by registration file in binding/. */
export const NATIVE_FUNCTIONS = {
  // binding/dense.cpp
  sparseMatrix: task<(...a: KernelArgs) => NativeSparse>(),
  denseMatrix: task<(...a: KernelArgs) => Float64Array>(),
  densePenalty: task<(...a: WithAlpha) => number>(),
  densePenaltyAndGradient: task<(...a: WithGradient) => number>(),
  denseSingularValues: task<(...a: WithMethod) => Float64Array>(),
  // binding/circular.cpp
  circularPenalty: task<(...a: WithAlpha) => number>(),
  circularPenaltyAndGradient: task<(...a: WithGradient) => number>(),
  circularSingularValues: task<(...a: KernelArgs) => Float64Array>(),
  circularDensePenalty: task<(...a: WithAlpha) => number>(),
  circularDensePenaltyAndGradient: task<(...a: WithGradient) => number>(),
  circularDenseSingularValues: task<(...a: WithMethod) => Float64Array>(),
  circularLineQuartic: task<(...a: QuarticArgs) => Float64Array>(),
  // binding/structured.cpp
  structuredPenalty: task<(...a: WithAlpha) => number>(),
  structuredPenaltyAndGradient: task<(...a: WithGradient) => number>(),
  groupedStructuredPenaltyAndGradient: task<(...a: [...WithAlpha, groups: number, gradient: GradientOut]) => number>(),
  lineQuartic: task<(...a: QuarticArgs) => Float64Array>(),
  timeEnginePenaltyAndGradient: plain<(...a: [...WithAlpha, dense: boolean, calls: number, repeats: number]) => number>(),
  // binding/layer.cpp
  layerPenalty: task<(...a: LayerArgs) => number>(),
  layerPenaltyAndGradient: task<(...a: [...LayerArgs, gradient: GradientOut]) => number>(),
  groupedLayerPenaltyAndGradient: task<(...a: [...LayerArgs, groups: number, gradient: GradientOut]) => number>(),
  layerLineQuartic: task<(...a: [...LayerArgs, direction: Float64Array]) => Float64Array>(),
  // binding/layer_spectra.cpp
  layerSparseMatrix: task<(...a: LayerBaseArgs) => NativeSparse>(),
  layerDenseMatrix: task<(...a: LayerBaseArgs) => Float64Array>(),
  layerSingularValues: task<(...a: [...LayerBaseArgs, method: "svd" | "gram"]) => Float64Array>(),
  layerSigmaMaxLanczos:
    task<(...a: [...LayerBaseArgs, start: Float64Array | null, tolerance: number, maxIterations: number, basisSize: number, cancel: CancelArg]) => RawLanczos>(),
  layerSigmaMin: task<(...a: [...LayerBaseArgs, factorMemoryLimit: number, tolerance: number, maxLanczos: number, worstCaseRounding: boolean, cancel: CancelArg]) => RawSigmaMin>(),
  // binding/operator.cpp
  applyLayer: task<(...a: ApplyArgs) => Float64Array>(),
  applyLayerTranspose: task<(...a: ApplyArgs) => Float64Array>(),
  // binding/sigma_max.cpp
  sigmaMaxLanczos: task<(...a: [...KernelArgs, start: Float64Array | null, tolerance: number, maxIterations: number, basisSize: number, cancel: CancelArg]) => RawLanczos>(),
  // binding/two_norm.cpp
  spectralDense: task<(...a: SpectralArgs) => NativeSpectral>(),
  spectralMatrixFree: task<(...a: SpectralArgs) => NativeSpectral>(),
  // binding/sigma_min.cpp
  sigmaMin: task<(...a: [...KernelArgs, factorMemoryLimit: number, tolerance: number, maxLanczos: number, worstCaseRounding: boolean, cancel: CancelArg]) => RawSigmaMin>(),
  sigmaMinGramBytes: plain<(k: number, g: number, h: number, n: number, maxLanczos: number) => number>(),
  // binding/symbol_bound.cpp
  symbolBound: task<(kernel: Float64Array, k: number, g: number, h: number, stride: number, dilation: number, tolerance: number, maxCells: number) => RawSymbolBound>(),
  // binding/cancel.cpp
  CancelToken: plain<new () => NativeCancelToken>(),
  // binding/system.cpp
  setBlasThreads: plain<(threads: number) => void>(),
  blasThreads: plain<() => number>(),
  timeDgemm: plain<(m: number, n: number, k: number, repeats: number, cpu: boolean) => number>(),
  timeDsyrk: plain<(n: number, k: number, repeats: number, cpu: boolean) => number>(),
  /** Benchmarks only: false disables the one-BLAS-thread-while-overlapping rule. */
  setOverlapRule: plain<(enabled: boolean) => void>(),
  /** Leak tests: counted native memory (lib/native/memory-stats.ts). */
  nativeMemoryStats: plain<() => NativeMemoryStats>(),
  /** RSS checks: glibc malloc_trim(0). */
  releaseFreeHeap: plain<() => void>(),
  activeNativeCalls: plain<() => number>(),
};

type Entries = typeof NATIVE_FUNCTIONS;
type SignatureOf<E> = E extends { signature?: infer F } ? Exclude<F, undefined> : never;

/** The functions exported in a sync and an `Async` form, with their sync signatures. */
export type NativeTasks = { [K in keyof Entries as Entries[K] extends TaskEntry<unknown> ? K : never]: SignatureOf<Entries[K]> };
/** The functions exported once. */
export type NativeHelpers = { [K in keyof Entries as Entries[K] extends PlainEntry<unknown> ? K : never]: SignatureOf<Entries[K]> };

/** The `...Async` forms of `T`'s functions: same arguments, the result as a Promise. */
export type AsyncForms<T> = {
  [K in keyof T & string as `${K}Async`]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** The loaded addon: every task in both forms, and the helpers. */
export type NativeAddon = NativeTasks & AsyncForms<NativeTasks> & NativeHelpers;

/** The name of a task (a function a NativePlan can run). */
export type TaskName = keyof NativeTasks;
/** The argument tuple of each task. */
export type TaskArgs = { [K in TaskName]: Parameters<NativeTasks[K]> };
/** The raw result of each task. */
export type TaskResult = { [K in TaskName]: ReturnType<NativeTasks[K]> };
/** Each task's Promise form, keyed by its sync name (for runAsync). */
export type AsyncTasks = { [K in TaskName]: (...args: TaskArgs[K]) => Promise<TaskResult[K]> };

/** The names of the tasks, in NATIVE_FUNCTIONS order. */
export function taskNames(): string[] {
  return Object.entries(NATIVE_FUNCTIONS).flatMap(([name, entry]) => (entry.form === "task" ? [name] : []));
}

/** Every name the addon must export: each task twice (`name`, `nameAsync`), each plain function once. */
export function nativeExportNames(): string[] {
  return Object.entries(NATIVE_FUNCTIONS).flatMap(([name, entry]) => (entry.form === "task" ? [name, `${name}Async`] : [name]));
}
