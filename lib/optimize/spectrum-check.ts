/**
 * The optimizer's spectrum checks, at any size. The method is `spectrum`'s "auto" rule, resolved
 * once per run (M's size does not change): "dense" (the Gram eigenvalues or dgesvd, see
 * extremes.ts) where M fits the memory limit and the dense work limit, else "iterative":
 * sigma_max by Lanczos warm-started from the previous check's vector, and sigma_min by the
 * certified sparse method (shift-invert on a Cholesky) only at the final iterate or once
 * sigma_max is inside the tolerance band. Whatever does not fit the memory limit is left null
 * with the reason; a check never throws ERR_MEMORY_LIMIT.
 */
import { isConvregError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { sigmaMaxIterativeAsync } from "../spectrum/sigma-max.js";
import { sigmaMinAsync } from "../spectrum/sigma-min.js";
import { resolveSpectrumMethod, type SpectrumMethod } from "../spectrum/spectrum.js";
import { extremeSingularValues } from "./extremes.js";

/**
 * How a check computed its values, in `spectrum`'s names: "dense" (Gram eigenvalues or dgesvd),
 * "iterative" (Lanczos sigma_max only), "certified" (Lanczos and the shift-invert sigma_min), "none".
 */
export type SpectrumCheckMethod = Extract<SpectrumMethod, "dense" | "iterative" | "certified" | "none">;

/** sigma_max and sigma_min of one iterate with their bounds; null where not computed. */
export interface SpectrumCheck {
  method: SpectrumCheckMethod;
  sigmaMax: number | null;
  /** Absolute error bound on sigmaMax (dense: rounding; Lanczos: its residual bound). */
  sigmaMaxBound: number | null;
  /** False when Lanczos hit its iteration cap (sigmaMax is then an estimate within its bound). */
  sigmaMaxConverged: boolean;
  sigmaMin: number | null;
  /** Bracket of sigmaMin: dense, from the rounding bound; sparse, proven when `sigmaMinCertified`. */
  sigmaMinLower: number | null;
  sigmaMinUpper: number | null;
  sigmaMinCertified: boolean;
  /** Why a value is missing (memory limit, or sigma_min not due), else null. */
  note: string | null;
}

/** Settings of the checks of one run. */
export interface SpectrumCheckSettings {
  n: number;
  alpha: number;
  tolerance: number | undefined;
  memoryLimit: number | undefined;
  denseWorkLimit: number | undefined;
  signal: AbortSignal | undefined;
}

/** Lanczos relative tolerance of in-run checks: a tenth of the band (1e-3 without a tolerance). */
const runTolerance = (tolerance: number | undefined) => Math.min(1e-3, (tolerance ?? 1e-2) / 10);
/** Lanczos relative tolerance of the final spectrum. */
const FINAL_TOLERANCE = 1e-5;
/** Cap on Gram products of one in-run Lanczos check. */
const RUN_MAX_PRODUCTS = 300;

const isMemoryLimit = (e: unknown) => isConvregError(e) && e.code === "ERR_MEMORY_LIMIT";

const empty = (note: string | null): SpectrumCheck => ({
  method: "none",
  sigmaMax: null,
  sigmaMaxBound: null,
  sigmaMaxConverged: false,
  sigmaMin: null,
  sigmaMinLower: null,
  sigmaMinUpper: null,
  sigmaMinCertified: false,
  note,
});

/** Computes the spectrum checks of one run; keeps the Lanczos vector between checks. */
export class SpectrumChecker {
  /** "dense" or "iterative", from the auto rule. */
  readonly regime: "dense" | "iterative";
  /** Why the auto rule left the dense method (null when dense). */
  readonly fallbackReason: string | null;
  /** Counts of the methods that ran. */
  readonly counts = { gram: 0, svd: 0, lanczos: 0, sparse: 0 };
  private vector: Float64Array | undefined;

  constructor(
    kernel: Kernel,
    private readonly s: SpectrumCheckSettings,
  ) {
    const r = resolveSpectrumMethod(kernel, { n: s.n, method: "auto", memoryLimit: s.memoryLimit, denseWorkLimit: s.denseWorkLimit });
    this.regime = r.method === "dense" ? "dense" : "iterative";
    this.fallbackReason = r.fallbackReason;
  }

  /** The spectrum of `kernel`; `final` asks for the final report (sigma_min always attempted, tighter Lanczos). */
  async check(kernel: Kernel, final: boolean): Promise<SpectrumCheck> {
    return this.regime === "dense" ? this.dense(kernel) : this.iterative(kernel, final);
  }

  private async dense(kernel: Kernel): Promise<SpectrumCheck> {
    try {
      const e = await extremeSingularValues(kernel, this.s.n, this.s.memoryLimit);
      this.counts[e.method]++;
      const [, , g, h] = kernel.shape;
      const side = Math.min(g, h) * this.s.n * this.s.n;
      // Bounds as in extremes.ts / spectrum.ts: Gram eigenvalues err by side eps sigma_max^2 (sigma by that over 2 sigma);
      // dgesvd by 4 eps sigma_max sqrt(rows cols).
      const eigenError = side * Number.EPSILON * e.sigmaMax * e.sigmaMax;
      const maxBound = e.method === "gram" ? eigenError / (2 * e.sigmaMax) : 4 * Number.EPSILON * e.sigmaMax * Math.sqrt(g * h) * this.s.n * this.s.n;
      const minBound = e.method === "gram" ? (e.sigmaMin > 0 ? eigenError / (2 * e.sigmaMin) : Number.POSITIVE_INFINITY) : maxBound;
      return {
        method: "dense",
        sigmaMax: e.sigmaMax,
        sigmaMaxBound: maxBound,
        sigmaMaxConverged: true,
        sigmaMin: e.sigmaMin,
        sigmaMinLower: Math.max(0, e.sigmaMin - minBound),
        sigmaMinUpper: e.sigmaMin + minBound,
        sigmaMinCertified: true,
        note: null,
      };
    } catch (e) {
      if (!isMemoryLimit(e)) throw e;
      return empty(`dense spectrum skipped: ${(e as Error).message}`);
    }
  }

  private async iterative(kernel: Kernel, final: boolean): Promise<SpectrumCheck> {
    const { n, alpha, tolerance, memoryLimit, signal } = this.s;
    let top: Awaited<ReturnType<typeof sigmaMaxIterativeAsync>>;
    try {
      top = await sigmaMaxIterativeAsync(kernel, {
        n,
        memoryLimit,
        signal,
        start: this.vector,
        tolerance: final ? FINAL_TOLERANCE : runTolerance(tolerance),
        maxIterations: final ? undefined : RUN_MAX_PRODUCTS,
      });
    } catch (e) {
      if (!isMemoryLimit(e)) throw e;
      return empty(`sigma_max and sigma_min skipped (${this.fallbackReason}; Lanczos: ${(e as Error).message})`);
    }
    this.counts.lanczos++;
    this.vector = top.vector;
    const result: SpectrumCheck = { ...empty(null), method: "iterative", sigmaMax: top.sigmaMax, sigmaMaxBound: top.sigmaMaxBound, sigmaMaxConverged: top.converged };
    const target = Math.sqrt(alpha);
    const maxInBand = tolerance !== undefined && top.sigmaMax + top.sigmaMaxBound <= target * (1 + tolerance);
    if (!final && !maxInBand) return { ...result, note: "sigma_min not computed: sigma_max is outside the tolerance band" };
    try {
      const m = await sigmaMinAsync(kernel, { n, memoryLimit, signal });
      this.counts.sparse++;
      return { ...result, method: "certified", sigmaMin: m.sigmaMin, sigmaMinLower: m.certified ? m.lower : null, sigmaMinUpper: m.upper, sigmaMinCertified: m.certified };
    } catch (e) {
      if (!isMemoryLimit(e)) throw e;
      return { ...result, note: `sigma_min skipped: ${(e as Error).message}` };
    }
  }
}

/**
 * True when the check puts both extreme singular values inside the band
 * [sqrt(alpha)(1 - tol), sqrt(alpha)(1 + tol)], using their bounds: sigma_max + bound on the upper
 * side, and on the lower side sigma_min's proven lower end when certified, else its estimate.
 */
export function checkWithinBand(c: SpectrumCheck, alpha: number, tolerance: number): boolean {
  if (c.sigmaMax === null || c.sigmaMin === null) return false;
  const target = Math.sqrt(alpha);
  const maxUpper = c.sigmaMax + (c.sigmaMaxBound ?? 0);
  const minLower = c.sigmaMinCertified && c.sigmaMinLower !== null ? c.sigmaMinLower : c.sigmaMin;
  return maxUpper <= target * (1 + tolerance) && minLower >= target * (1 - tolerance);
}
