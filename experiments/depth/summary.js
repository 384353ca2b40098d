/**
 * The experiment's summary table, from results.json. Also runnable on its own to redo the table
 * and the figures from a saved run: node experiments/depth/summary.js [results.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFigures } from "./figures.js";

const average = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function summarize({ records, config }) {
  const stepsPerEpoch = Math.floor(config.trainCount / config.batchSize);
  return records.map((r) => {
    const first = r.epochs[0], last = r.epochs.at(-1);
    const lastSteps = r.steps.slice(-stepsPerEpoch);
    const firstLayer = average(lastSteps.map((s) => s.gradNorms[0]));
    const lastLayer = average(lastSteps.map((s) => s.gradNorms.at(-1)));
    return {
      arm: r.arm.name,
      trainLoss: last.trainLoss,
      lowestTrainLoss: Math.min(...r.steps.map((s) => s.loss)),
      testAccuracy: last.testAccuracy,
      bestTestAccuracy: Math.max(...r.epochs.map((e) => e.testAccuracy)),
      meanGradFirstLayer: firstLayer,
      meanGradLastLayer: lastLayer,
      gradRatioFirstToLast: firstLayer / lastLayer,
      // Steps where the first layer's data gradient is exactly zero: every ReLU of some later layer
      // was off for the whole batch, so no signal reaches the output from below it.
      deadSteps: r.steps.filter((s) => s.gradNorms[0] === 0).length,
      firstDeadStep: r.steps.findIndex((s) => s.gradNorms[0] === 0) + 1 || null,
      sigmaMaxRange: [Math.min(...last.sigmaMax), Math.max(...last.sigmaMax)],
      sigmaMinRange: [Math.min(...last.sigmaMin), Math.max(...last.sigmaMin)],
      layersNearTarget: last.sigmaMin.filter((lo, i) => lo > 0.8 * Math.sqrt(config.alpha) && last.sigmaMax[i] < 1.2 * Math.sqrt(config.alpha)).length,
      initialSigma: [Math.min(...first.sigmaMin), Math.max(...first.sigmaMax)],
      secondsPerEpoch: average(r.epochs.slice(1).map((e) => e.wallSeconds)),
      regularizerSecondsPerEpoch: average(r.epochs.slice(1).map((e) => e.regularizerSeconds)),
      diverged: r.diverged,
    };
  });
}

export function summaryTable(rows) {
  const f = (x, d = 3) => (x === null ? "–" : x.toFixed(d));
  const out = [
    "| arm | train loss: last epoch (lowest step) | held-out acc: last (best) | last-epoch grad norm, layer 1 / layer 20 | dead steps (first) | layers with sigma in 0.8–1.2 sqrt(alpha) | sigma_max range | sigma_min range | s/epoch (regularizer) |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows)
    out.push(
      `| ${r.arm} | ${f(r.trainLoss)} (${f(r.lowestTrainLoss)}) | ${f(r.testAccuracy)} (${f(r.bestTestAccuracy)}) | ${r.meanGradFirstLayer.toExponential(1)} / ${r.meanGradLastLayer.toExponential(1)} | ${r.deadSteps}${r.firstDeadStep ? ` (${r.firstDeadStep})` : ""} | ${r.layersNearTarget} | ${f(r.sigmaMaxRange[0], 2)}–${f(r.sigmaMaxRange[1], 2)} | ${f(r.sigmaMinRange[0], 2)}–${f(r.sigmaMinRange[1], 2)} | ${f(r.secondsPerEpoch, 1)} (${f(r.regularizerSecondsPerEpoch, 3)}) |`,
    );
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "results.json");
  const results = JSON.parse(readFileSync(file, "utf8"));
  results.summary = summarize(results);
  writeFileSync(file, JSON.stringify(results));
  writeFigures(path.dirname(file), results);
  console.log(summaryTable(results.summary));
}
