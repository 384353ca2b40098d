/** Benchmark helper: the engines' penalty+gradient timed inside the native core (no JS crossing per call). */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { native } from "../native/addon.js";
import { requireAlpha, requireChoice, requireInputSize, requireInteger } from "../core/validate.js";
import { denseGradientPlan } from "../engines/dense.js";
import { structuredGradientPlan } from "../engines/structured.js";

/** Options of {@link timeEngine}. */
export interface EngineTimingOptions {
  n: number;
  alpha?: number;
  engine: "dense" | "structured";
  /** Calls in a row per timed run (default 1). */
  calls?: number;
  /** Timed runs; the median is returned (default 5). */
  repeats?: number;
}

/** Median milliseconds per penalty+gradient call of one engine, timed in C++ (memory-checked like the call itself). */
export function timeEngine(kernel: Kernel, options: EngineTimingOptions): number {
  const k = requireKernel(kernel);
  const n = requireInputSize(options.n, "options.n");
  const alpha = requireAlpha(options.alpha);
  const engine = requireChoice(options.engine, "options.engine", ["dense", "structured"], "structured");
  const calls = requireInteger(options.calls ?? 1, "options.calls", 1, 1e7);
  const repeats = requireInteger(options.repeats ?? 5, "options.repeats", 1, 1000);
  (engine === "dense" ? denseGradientPlan : structuredGradientPlan)(k, n, alpha); // memory guard only
  const [kk, , g, h] = k.shape;
  return native.timeEnginePenaltyAndGradient(k.data, kk, g, h, n, alpha, engine === "dense", calls, repeats);
}
