/**
 * npm run experiment:depth — does the Frobenius regularizer keep the gradients of a deep plain CNN
 * from vanishing or exploding? Trains one network per arm on generated data and writes
 * experiments/depth/results/{results.json, *.svg}. Runs on TF.js's pure-JS CPU backend.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import * as convreg from "../../dist/index.js";
import * as convregTfjs from "../../dist/tfjs/training/index.js";
import { CLASSES, stripes } from "./data.js";
import { runArm } from "./train.js";
import { writeFigures } from "./figures.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");

export const config = {
  network: { depth: 20, channels: 4, classes: CLASSES, seed: 7 },
  imageSize: 8,
  trainCount: quick ? 32 : 192,
  testCount: 128,
  batchSize: 8,
  epochs: quick ? 1 : 6,
  learningRate: 0.02,
  momentum: 0.9,
  // ReLU halves the energy of its input on average, so sigma^2 = 2 (not 1) is what keeps a
  // conv + ReLU pair norm-preserving; the same target for both spectral penalties.
  alpha: 2,
};

const arms = [
  { name: "none", kind: "none", weight: 0 },
  { name: "L2 1e-3", kind: "l2", weight: 1e-3 },
  { name: "Frobenius 1e-3", kind: "frobenius", weight: 1e-3 },
  { name: "Frobenius 1e-2", kind: "frobenius", weight: 1e-2 },
  { name: "Frobenius 3e-2", kind: "frobenius", weight: 3e-2 },
  { name: "2-norm 1e-1", kind: "two-norm", weight: 1e-1 },
];

await tf.setBackend("cpu");
const train = stripes(config.trainCount, config.imageSize, 1);
const test = stripes(config.testCount, config.imageSize, 2);
console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}; ${config.network.depth} conv layers x ${config.network.channels} channels, ${config.imageSize}x${config.imageSize} inputs`);
const started = performance.now();
const records = [];
for (const arm of quick ? arms.filter((a) => a.kind === "none" || a.weight === 1e-3) : arms) {
  console.log(`arm ${arm.name}`);
  records.push(runArm(tf, convreg, convregTfjs, config, arm, train, test));
}
const totalSeconds = (performance.now() - started) / 1000;
const out = path.join(here, "results");
mkdirSync(out, { recursive: true });
const results = { config, backend: tf.getBackend(), tfjs: tf.version.tfjs, totalSeconds, date: new Date().toISOString(), records };
writeFileSync(path.join(out, "results.json"), JSON.stringify(results));
writeFigures(out, results);

// The summary table (markdown), also in the JSON.
const rows = records.map((r) => {
  const first = r.epochs[0], last = r.epochs.at(-1);
  const lastSteps = r.steps.slice(-Math.floor(config.trainCount / config.batchSize));
  const mean = (f) => lastSteps.reduce((a, s) => a + f(s), 0) / lastSteps.length;
  const firstLayer = mean((s) => s.gradNorms[0]), lastLayer = mean((s) => s.gradNorms.at(-1));
  const epochTimes = r.epochs.slice(1).map((e) => e.wallSeconds);
  const regTimes = r.epochs.slice(1).map((e) => e.regularizerSeconds);
  return {
    arm: r.arm.name,
    trainLoss: last.trainLoss,
    testAccuracy: last.testAccuracy,
    gradRatioFirstToLast: firstLayer / lastLayer,
    sigmaMaxRange: [Math.min(...last.sigmaMax), Math.max(...last.sigmaMax)],
    sigmaMinRange: [Math.min(...last.sigmaMin), Math.max(...last.sigmaMin)],
    initialSigma: [Math.min(...first.sigmaMin), Math.max(...first.sigmaMax)],
    secondsPerEpoch: epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length,
    regularizerSecondsPerEpoch: regTimes.reduce((a, b) => a + b, 0) / regTimes.length,
    diverged: r.diverged,
  };
});
results.summary = rows;
writeFileSync(path.join(out, "results.json"), JSON.stringify(results));
const f = (x, d = 3) => (x === null ? "–" : x.toFixed(d));
console.log("\n| arm | train loss | held-out acc | grad norm first/last layer | sigma_max (layers) | sigma_min (layers) | s/epoch (regularizer) |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.arm} | ${f(r.trainLoss)} | ${f(r.testAccuracy)} | ${r.gradRatioFirstToLast.toExponential(2)} | ${f(r.sigmaMaxRange[0])}–${f(r.sigmaMaxRange[1])} | ${f(r.sigmaMinRange[0])}–${f(r.sigmaMinRange[1])} | ${f(r.secondsPerEpoch, 1)} (${f(r.regularizerSecondsPerEpoch, 3)}) |`,
  );
console.log(`\ntotal ${totalSeconds.toFixed(0)} s; results in ${path.relative(process.cwd(), out)}/`);
