/** The optimizer's public surface (re-exported by the package index). */
export { optimize, type OptimizeResult, type StopReason } from "./optimize.js";
export { OPTIMIZERS, type OptimizeOptions, type OptimizerName, type SpectrumEvery } from "./options.js";
export { constantSchedule, paperSchedule, piecewiseSchedule, type ConstantSchedule, type PiecewiseSchedule, type Schedule } from "./schedule.js";
export { firstWithin, historyToCsv, type HistoryRow, type Milestone } from "./history.js";
export { extremeSingularValues, type ExtremeSingularValues } from "./extremes.js";
export { checkWithinBand, type SpectrumCheck, type SpectrumCheckMethod } from "./spectrum-check.js";
export { frobeniusBound, type FrobeniusBound } from "./frobenius-bound.js";
export { minimizeOnPositiveAxis, type LineMinimum } from "./quartic.js";
export { PENALTY_METHODS, type PenaltyMethod } from "./objective.js";
export { backtrack, ARMIJO_C, type BacktrackResult } from "./backtracking.js";
export { figureSvg, type FigurePanel } from "../plot/svg.js";
