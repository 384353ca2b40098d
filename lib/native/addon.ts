/** Loads the compiled addon and describes its functions. Nothing here validates. */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import fs from "node:fs";

/** M in CSR form as the addon returns it (indices fit in int32; checked before the call). */
export interface NativeSparse {
  rows: number;
  cols: number;
  rowStart: Int32Array;
  column: Int32Array;
  entry: Int32Array;
  value: Float64Array;
}

type KernelArgs = [kernel: Float64Array, k: number, g: number, h: number, n: number];
type Both<A extends unknown[], R> = ((...args: A) => R) & { async: (...args: A) => Promise<R> };

/** The raw functions of the addon: each heavy one also exists with an `Async` suffix. */
export interface NativeAddon {
  sparseMatrix(...a: KernelArgs): NativeSparse;
  sparseMatrixAsync(...a: KernelArgs): Promise<NativeSparse>;
  denseMatrix(...a: KernelArgs): Float64Array;
  denseMatrixAsync(...a: KernelArgs): Promise<Float64Array>;
  densePenalty(...a: [...KernelArgs, alpha: number]): number;
  densePenaltyAsync(...a: [...KernelArgs, alpha: number]): Promise<number>;
  densePenaltyAndGradient(...a: [...KernelArgs, alpha: number]): { penalty: number; gradient: Float64Array };
  densePenaltyAndGradientAsync(...a: [...KernelArgs, alpha: number]): Promise<{ penalty: number; gradient: Float64Array }>;
  denseSingularValues(...a: [...KernelArgs, method: "svd" | "gram"]): Float64Array;
  denseSingularValuesAsync(...a: [...KernelArgs, method: "svd" | "gram"]): Promise<Float64Array>;
  setBlasThreads(threads: number): void;
  blasThreads(): number;
  /** @internal Leak tests: counted native memory (lib/native/memory-stats.ts). */
  nativeMemoryStats(): { liveBytes: number; peakBytes: number; liveObjects: number; scratchBytes: number };
  /** @internal RSS checks: glibc malloc_trim(0). */
  releaseFreeHeap(): void;
  [name: string]: unknown;
}
export type { Both };

function findAddon(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, "../../build/Release/convreg.node"),
    path.resolve(here, "../../../build/Release/convreg.node"),
    path.resolve(here, "../../build/Debug/convreg.node"),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      "convreg: the native addon is not built (build/Release/convreg.node is missing). " +
        "Run `npm install` (needs: apt-get install -y libopenblas-dev liblapacke-dev)",
    );
  return found;
}

/** The loaded addon. */
export const native: NativeAddon = createRequire(import.meta.url)(findAddon()) as NativeAddon;
