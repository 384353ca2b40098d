/** What the reproduce and optimize commands write and print about one optimization run. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Kernel } from "../kernel.js";
import { firstWithin, historyToCsv, spectrumRows, type HistoryRow } from "../optimize/history.js";
import type { OptimizeResult } from "../optimize/optimize.js";
import type { FigurePanel } from "../plot/svg.js";
import { jsonNumber, sig } from "./format.js";

/** "3x3x3x1" */
export const shapeName = (kernel: Kernel): string => kernel.shape.join("x");

/** The run's settings, stored next to its history. */
export interface RunSettings {
  n: number;
  alpha: number;
  optimizer: string;
  seed?: number;
}

/** The JSON document of a history file (the CSV holds the same rows). */
export function historyDocument(result: OptimizeResult, settings: RunSettings): object {
  return {
    shape: result.kernel.shape,
    ...settings,
    stopReason: result.stopReason,
    gradientEvaluations: result.gradientEvaluations,
    quarticEvaluations: result.quarticEvaluations,
    spectrumMethods: result.spectrumMethods,
    elapsedMs: result.elapsedMs,
    history: result.history,
  };
}

/** Writes text to a file, creating its directory. */
export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Writes the history as CSV and/or JSON. */
export async function writeHistory(result: OptimizeResult, settings: RunSettings, paths: { csv?: string; json?: string }): Promise<void> {
  if (paths.csv) await writeText(paths.csv, historyToCsv(result.history));
  if (paths.json) await writeText(paths.json, JSON.stringify(historyDocument(result, settings), null, 1) + "\n");
}

/** A figure panel of the run, titled like the paper ("3 x 3 x 3 x 1 kernel"). */
export function panelOf(result: OptimizeResult): FigurePanel {
  const rows = spectrumRows(result.history);
  return {
    title: `${result.kernel.shape.join(" x ")} kernel`,
    iterations: rows.map((r) => r.iteration),
    sigmaMax: rows.map((r) => r.sigmaMax),
    sigmaMin: rows.map((r) => r.sigmaMin),
  };
}

const firstSpectrum = (history: readonly HistoryRow[]) => spectrumRows(history)[0];
const lastSpectrum = (history: readonly HistoryRow[]) => spectrumRows(history).at(-1)!;

/** The per-kernel summary of --json output. */
export function runSummary(result: OptimizeResult, alpha: number, paths: Record<string, string | null>): object {
  const first = firstSpectrum(result.history);
  const last = lastSpectrum(result.history);
  const within = (band: number) => {
    const m = firstWithin(result.history, band, alpha);
    return { iteration: m.iteration, gradientEvaluations: m.gradientEvaluations };
  };
  return {
    shape: result.kernel.shape,
    optimizer: result.optimizer,
    initial: { sigmaMax: first.sigmaMax, sigmaMin: first.sigmaMin, penalty: result.history[0].penalty },
    final: { sigmaMax: last.sigmaMax, sigmaMin: last.sigmaMin, penalty: last.penalty },
    iterations: last.iteration,
    gradientEvaluations: result.gradientEvaluations,
    quarticEvaluations: result.quarticEvaluations,
    within5Percent: within(0.05),
    within1Percent: within(0.01),
    stopReason: result.stopReason,
    elapsedMs: jsonNumber(result.elapsedMs),
    paths,
  };
}

/** Header of the summary table. */
export const summaryHeader = [
  "kernel",
  "σmax start",
  "σmax end",
  "σmin start",
  "σmin end",
  "F start",
  "F end",
  "±5% at iter (evals)",
  "±1% at iter (evals)",
  "evals",
  "stop",
];

/** One line of the summary table. */
export function summaryRow(result: OptimizeResult, alpha: number): string[] {
  const first = firstSpectrum(result.history);
  const last = lastSpectrum(result.history);
  const at = (band: number) => {
    const m = firstWithin(result.history, band, alpha);
    return m.iteration === null ? "never" : `${m.iteration} (${m.gradientEvaluations})`;
  };
  return [
    shapeName(result.kernel),
    sig(first.sigmaMax, 5),
    sig(last.sigmaMax, 5),
    sig(first.sigmaMin, 5),
    sig(last.sigmaMin, 5),
    sig(result.history[0].penalty, 6),
    sig(last.penalty, 6),
    at(0.05),
    at(0.01),
    String(result.gradientEvaluations),
    result.stopReason,
  ];
}
