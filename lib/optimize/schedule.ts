/**
 * Step-size schedules for the paper's fixed-step gradient descent, as plain values so that they
 * can be passed around, printed and validated.
 */
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import { describe, requirePositive } from "../core/validate.js";

/** A constant step. */
export interface ConstantSchedule {
  kind: "constant";
  step: number;
}

/**
 * Piecewise constant: `steps[i]` applies from iteration `starts[i]` (inclusive) until the next
 * start; `starts` begins at 0 and increases.
 */
export interface PiecewiseSchedule {
  kind: "piecewise";
  starts: readonly number[];
  steps: readonly number[];
}

/** A schedule: "paper", a schedule value, or a function from the iteration (0-based) to the step. */
export type Schedule = "paper" | ConstantSchedule | PiecewiseSchedule | ((iteration: number) => number);

/** The paper's schedule (Section 4): 1e-5 for iterations 0-9, 1e-4 for 10-19, 1e-3 after. */
export const paperSchedule: PiecewiseSchedule = Object.freeze({
  kind: "piecewise",
  starts: Object.freeze([0, 10, 20]),
  steps: Object.freeze([1e-5, 1e-4, 1e-3]),
}) as PiecewiseSchedule;

/** A constant schedule value. */
export function constantSchedule(step: number): ConstantSchedule {
  return { kind: "constant", step: requirePositive(step, "step") };
}

/** A piecewise constant schedule value (see {@link PiecewiseSchedule}). */
export function piecewiseSchedule(starts: readonly number[], steps: readonly number[]): PiecewiseSchedule {
  const s = { kind: "piecewise" as const, starts: [...starts], steps: [...steps] };
  requirePiecewise(s, "schedule");
  return s;
}

function requirePiecewise(s: PiecewiseSchedule, name: string): void {
  if (!Array.isArray(s.starts) || !Array.isArray(s.steps) || s.starts.length === 0 || s.starts.length !== s.steps.length)
    throw new ConvregTypeError("ERR_ARGUMENT", `${name}.starts and ${name}.steps must be non-empty arrays of equal length`);
  s.starts.forEach((v, i) => {
    const ok = Number.isInteger(v) && (i === 0 ? v === 0 : v > s.starts[i - 1]);
    if (!ok) throw new ConvregRangeError("ERR_RANGE", `${name}.starts must be increasing integers starting at 0, got [${s.starts.join(", ")}]`);
  });
  s.steps.forEach((v, i) => requirePositive(v, `${name}.steps[${i}]`));
}

/** Checks a schedule and returns the function iteration -> step it describes. */
export function scheduleFunction(schedule: unknown, name = "options.schedule"): (iteration: number) => number {
  if (schedule === undefined || schedule === "paper") return scheduleFunction(paperSchedule, name);
  if (typeof schedule === "function") {
    const f = schedule as (iteration: number) => number;
    return (iteration) => requirePositive(f(iteration), `${name}(${iteration})`);
  }
  if (schedule === null || typeof schedule !== "object")
    throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be "paper", a { kind } schedule or a function, got ${describe(schedule)}`);
  const s = schedule as { kind?: unknown };
  if (s.kind === "constant") {
    const step = requirePositive((s as ConstantSchedule).step, `${name}.step`);
    return () => step;
  }
  if (s.kind === "piecewise") {
    const p = schedule as PiecewiseSchedule;
    requirePiecewise(p, name);
    const starts = [...p.starts];
    const steps = [...p.steps];
    return (iteration) => {
      let i = starts.length - 1;
      while (starts[i] > iteration) i--;
      return steps[i];
    };
  }
  throw new ConvregRangeError("ERR_ARGUMENT", `${name}.kind must be "constant" or "piecewise", got ${describe(s.kind)}`);
}
