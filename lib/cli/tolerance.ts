/** The `--tolerance` flag of `reproduce` and `optimize`: the relative band around sqrt(alpha) at which a run stops. */
import { ConvregRangeError } from "../core/errors.js";
import type { OptimizerName } from "../optimize/options.js";

/** Default band of the adaptive optimizers ("line-search", "lbfgs"): 1%. The paper's optimizer has none (its 1000 steps). */
export const DEFAULT_TOLERANCE = 0.01;

/** Help text shared by the commands. */
export const TOLERANCE_HELP =
  "--tolerance T: stop once sigma_max <= sqrt(alpha)(1+T) and sigma_min >= sqrt(alpha)(1-T), i.e. both within T of sqrt(alpha) " +
  "(proven by the penalty's bound or a spectrum check); default 0.01 for line-search and lbfgs, off for paper; 0 turns it off";

/** The run's tolerance: the flag in [0, 1) (0 = off -> undefined), or the optimizer's default. */
export function toleranceFlag(value: string | undefined, optimizer: OptimizerName): number | undefined {
  if (value === undefined) return optimizer === "paper" ? undefined : DEFAULT_TOLERANCE;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v < 0 || v >= 1)
    throw new ConvregRangeError("ERR_RANGE", `--tolerance must be a number in [0, 1) (a relative band around sqrt(alpha); 0 turns the stop off), got ${JSON.stringify(value)}`);
  return v === 0 ? undefined : v;
}
