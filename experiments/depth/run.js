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
import { summarize, summaryTable } from "./summary.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");

export const config = {
  network: { depth: 20, channels: 4, classes: CLASSES, seed: 7 },
  imageSize: 8,
  trainCount: quick ? 32 : 192,
  testCount: 128,
  batchSize: 8,
  epochs: quick ? 1 : 6,
  // Run 1 used 0.02 with weights 4x smaller: the regularized networks came alive, then a large
  // step killed every ReLU. 0.005 keeps lr * weight (the penalty's own step) as it was.
  learningRate: 0.005,
  momentum: 0.9,
  // ReLU halves the energy of its input on average, so sigma^2 = 2 (not 1) is what keeps a
  // conv + ReLU pair norm-preserving; the same target for both spectral penalties.
  alpha: 2,
};

const arms = [
  { name: "none", kind: "none", weight: 0 },
  { name: "L2 4e-3", kind: "l2", weight: 4e-3 },
  { name: "Frobenius 4e-3", kind: "frobenius", weight: 4e-3 },
  { name: "Frobenius 4e-2", kind: "frobenius", weight: 4e-2 },
  { name: "Frobenius 1.2e-1", kind: "frobenius", weight: 1.2e-1 },
  { name: "2-norm 4e-1", kind: "two-norm", weight: 4e-1 },
];

await tf.setBackend("cpu");
const train = stripes(config.trainCount, config.imageSize, 1);
const test = stripes(config.testCount, config.imageSize, 2);
console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}; ${config.network.depth} conv layers x ${config.network.channels} channels, ${config.imageSize}x${config.imageSize} inputs`);
const started = performance.now();
const records = [];
for (const arm of quick ? arms.filter((a) => a.kind === "none" || a.weight === 4e-3) : arms) {
  console.log(`arm ${arm.name}`);
  records.push(runArm(tf, convreg, convregTfjs, config, arm, train, test));
}
const totalSeconds = (performance.now() - started) / 1000;
const out = path.join(here, "results");
mkdirSync(out, { recursive: true });
const results = { config, backend: tf.getBackend(), tfjs: tf.version.tfjs, totalSeconds, date: new Date().toISOString(), records };
writeFileSync(path.join(out, "results.json"), JSON.stringify(results));
writeFigures(out, results);

results.summary = summarize(results);
writeFileSync(path.join(out, "results.json"), JSON.stringify(results));
console.log(`\n${summaryTable(results.summary)}`);
console.log(`\ntotal ${totalSeconds.toFixed(0)} s; results in ${path.relative(process.cwd(), out)}/`);
