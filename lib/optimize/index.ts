/**
 * `convreg/optimize`: gradient descent on the Frobenius (or 2-norm) penalty, its step schedules,
 * history helpers and the figure of a run. Every name is listed explicitly; test/exports.test.ts pins the list.
 * @packageDocumentation
 */
export { optimize, type OptimizeResult, type StopReason } from "./optimize.js";
export { OPTIMIZERS, type OptimizeOptions, type OptimizerName, type SpectrumEvery } from "./options.js";
export { PENALTY_METHODS, type PenaltyMethod } from "./objective.js";
export { constantSchedule, paperSchedule, piecewiseSchedule, type ConstantSchedule, type PiecewiseSchedule, type Schedule } from "./schedule.js";
export { firstWithin, historyToCsv, type HistoryRow, type Milestone } from "./history.js";
export type { SpectrumCheck, SpectrumCheckMethod } from "./spectrum-check.js";
export { frobeniusBound, type FrobeniusBound } from "./frobenius-bound.js";
export { figureSvg, type FigurePanel } from "../plot/svg.js";
