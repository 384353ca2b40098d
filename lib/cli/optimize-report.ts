/** What the reproduce and optimize commands write and print about one optimization run. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Kernel } from "../core/kernel.js";
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
  /** The tolerance band of the run (null: no tolerance stop). */
  tolerance: number | null;
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
    spectrumRegime: result.spectrumRegime,
    finalSpectrum: result.finalSpectrum,
    finalFrobeniusBound: result.finalFrobeniusBound,
    toleranceProof: result.toleranceProof,
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

// The first computed values of each (the initial iterate's, by default) and the final iterate's.
const firstSpectrum = (history: readonly HistoryRow[]) => ({
  sigmaMax: history.find((r) => r.sigmaMax !== null)?.sigmaMax ?? null,
  sigmaMin: history.find((r) => r.sigmaMin !== null)?.sigmaMin ?? null,
});

/** The per-kernel summary of --json output. */
export function runSummary(result: OptimizeResult, alpha: number, tolerance: number | null, paths: Record<string, string | null>): object {
  const first = firstSpectrum(result.history);
  const last = result.history[result.history.length - 1];
  const within = (band: number) => {
    const m = firstWithin(result.history, band, alpha);
    return { iteration: m.iteration, gradientEvaluations: m.gradientEvaluations };
  };
  const f = result.finalSpectrum;
  return {
    shape: result.kernel.shape,
    optimizer: result.optimizer,
    tolerance,
    initial: { sigmaMax: first.sigmaMax, sigmaMin: first.sigmaMin, penalty: result.history[0].penalty },
    final: {
      sigmaMax: f.sigmaMax,
      sigmaMaxBound: f.sigmaMaxBound,
      sigmaMin: f.sigmaMin,
      sigmaMinLower: f.sigmaMinLower,
      sigmaMinUpper: f.sigmaMinUpper,
      sigmaMinCertified: f.sigmaMinCertified,
      method: f.method,
      note: f.note,
      frobeniusBound: result.finalFrobeniusBound,
      penalty: last.penalty,
    },
    spectrumRegime: result.spectrumRegime,
    iterations: last.iteration,
    gradientEvaluations: result.gradientEvaluations,
    quarticEvaluations: result.quarticEvaluations,
    within5Percent: within(0.05),
    within1Percent: within(0.01),
    stopReason: result.stopReason,
    toleranceProof: result.toleranceProof,
    elapsedMs: jsonNumber(result.elapsedMs),
    paths,
  };
}

/** Header of the summary table. */
export const summaryHeader = ["kernel", "σmax start", "σmax end", "σmin start", "σmin end", "F start", "F end", "±5% at iter (evals)", "±1% at iter (evals)", "evals", "stop"];

/** One line of the summary table. */
export function summaryRow(result: OptimizeResult, alpha: number): string[] {
  const first = firstSpectrum(result.history);
  const last = { ...result.finalSpectrum, penalty: result.history[result.history.length - 1].penalty };
  const v = (x: number | null, digits: number) => (x === null ? "-" : sig(x, digits));
  const at = (band: number) => {
    const m = firstWithin(result.history, band, alpha);
    return m.iteration === null ? "never" : `${m.iteration} (${m.gradientEvaluations})`;
  };
  return [
    shapeName(result.kernel),
    v(first.sigmaMax, 5),
    v(last.sigmaMax, 5),
    v(first.sigmaMin, 5),
    v(last.sigmaMin, 5),
    sig(result.history[0].penalty, 6),
    sig(last.penalty, 6),
    at(0.05),
    at(0.01),
    String(result.gradientEvaluations),
    result.stopReason === "tolerance" ? `tolerance (${result.toleranceProof})` : result.stopReason,
  ];
}

/** Lines on the final spectrum: each extreme value with its bound, the Frobenius bound, and what is missing and why. */
export function finalSpectrumLines(result: OptimizeResult): string[] {
  const f = result.finalSpectrum;
  const lines: string[] = [];
  const lanczos = f.method === "iterative" || f.method === "certified";
  const how = lanczos ? "Lanczos, residual bound" : f.method === "none" ? "" : "dense, rounding bound";
  if (f.sigmaMax !== null) lines.push(`final σmax = ${sig(f.sigmaMax, 8)} ± ${sig(f.sigmaMaxBound ?? Number.NaN, 2)} (${how}${f.sigmaMaxConverged ? "" : ", iteration cap hit"})`);
  if (f.sigmaMin !== null) {
    const bracket = f.sigmaMinLower !== null && f.sigmaMinUpper !== null ? `in [${sig(f.sigmaMinLower, 8)}, ${sig(f.sigmaMinUpper, 8)}]` : "";
    lines.push(`final σmin = ${sig(f.sigmaMin, 8)} ${bracket} (${lanczos ? (f.sigmaMinCertified ? "sparse Cholesky, certified" : "sparse shift-invert, estimate") : how})`);
  }
  const b = result.finalFrobeniusBound;
  if (b) lines.push(`from the penalty: σmax <= ${sig(b.sigmaMaxUpper, 8)}, σmin >= ${sig(b.sigmaMinLower, 8)} (every σ² within ${sig(b.radius, 3)} of alpha)`);
  if (f.note) lines.push(`not computed: ${f.note}`);
  if (result.spectrumRegime.reason) lines.push(`spectrum method: iterative, because ${result.spectrumRegime.reason}`);
  return lines;
}
