// Overhead of convreg's training regularizers against TF.js's own training step, measured side by
// side in one run on the same backend: (a) the depth experiment's network (20 3x3 conv layers,
// 4 channels, 8x8 inputs, batch 8): one SGD step against the penalty+gradient of all 20 kernels;
// (b) one 3x3x64x64 layer: regularizer apply+grad (through tf.grad, as training calls it) against a
// TF.js conv2d forward+backward of a batch of 1 at N = 32 (measured) and N = 224 (the regularizer is
// measured; the conv is extrapolated from N = 32 by its N^2 cost unless --full measures it, which
// takes minutes on the CPU backend); (c) MobileNet-sized 3x3 depthwise kernels (one per channel):
// regularizer apply+grad against TF.js depthwiseConv2d forward+backward, batch 1. Run: npm run build:ts && node bench/regularizer-overhead.js [--quick] [--full]
import * as tf from "@tensorflow/tfjs";
import { frobeniusRegularizer, twoNormRegularizer, regularizeModel, addPenaltyGradients } from "../dist/tfjs/training/index.js";
import { plainCnn } from "../experiments/depth/network.js";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";

const full = process.argv.includes("--full");
const repeats = quick ? 3 : 7;
await tf.setBackend("cpu");
const backend = `${tf.getBackend()} (pure JS), tfjs ${tf.version.tfjs}`;

// (a) The experiment's network.
const network = { depth: 20, channels: 4, classes: 4, seed: 7 };
const size = 8,
  batch = 8;
const model = plainCnn(tf, { ...network, size });
const optimizer = tf.train.sgd(1e-3);
const x = tf.randomNormal([batch, size, size, 1], 0, 1, "float32", 1);
const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], "int32"), 4);
const tfStep = () => {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
  optimizer.applyGradients(grads);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const networkRows = [];
const stepTime = await timeIt(tfStep, repeats);
for (const penalty of ["frobenius", "two-norm"]) {
  const probe = plainCnn(tf, { ...network, size });
  const { attached } = regularizeModel(probe, { weight: 1e-3, alpha: 2, penalty });
  // The regularizer's share of a step: penalty and gradient of all 20 kernels added to gradients.
  const regularizerTime = await timeIt(() => {
    const grads = {};
    addPenaltyGradients(grads, attached);
    tf.dispose(Object.values(grads));
  }, repeats * 5);
  networkRows.push([penalty, fmt(stepTime.median), fmt(regularizerTime.median), `${fmt((100 * regularizerTime.median) / stepTime.median, 2)}%`]);
  probe.dispose();
}

// (b) One 3x3x64x64 layer.
const kernel = tf.randomNormal([3, 3, 64, 64], 0, 0.05, "float32", 2);
function regularizerStep(regularizer) {
  return () => {
    const g = tf.grad((k) => regularizer.apply(k))(kernel);
    g.dataSync();
    g.dispose();
  };
}
function convStep(n) {
  const input = tf.randomNormal([1, n, n, 64], 0, 1, "float32", 3);
  return {
    run: () => {
      const g = tf.grad((k) => tf.sum(tf.conv2d(input, k, 1, "same")))(kernel);
      g.dataSync();
      g.dispose();
    },
    input,
  };
}
const layerRows = [];
let conv32 = null;
for (const n of [32, 224]) {
  const frob = await timeIt(regularizerStep(frobeniusRegularizer({ n, weight: 1e-3 })), repeats);
  const two = await timeIt(regularizerStep(twoNormRegularizer({ n, weight: 1e-3 })), Math.max(3, Math.floor(repeats / 2)));
  let conv, source;
  if (n === 32 || full) {
    const c = convStep(n);
    conv = (await timeIt(c.run, n === 32 ? 3 : 1)).median;
    c.input.dispose();
    source = "measured";
    if (n === 32) conv32 = conv;
  } else {
    conv = (conv32 * (n * n)) / (32 * 32);
    source = "extrapolated from N = 32 (cost ~ N^2)";
  }
  layerRows.push([n, fmt(conv), source, fmt(frob.median), `${fmt((100 * frob.median) / conv, 2)}%`, fmt(two.median), `${fmt((100 * two.median) / conv, 2)}%`]);
}

// (c) Depthwise kernels [3, 3, C, 1]: the penalty is computed per channel (one native call each).
const depthwiseRows = [];
for (const [c, n] of [
  [32, 112],
  [256, 28],
  [1024, 7],
]) {
  const dw = tf.randomNormal([3, 3, c, 1], 0, 0.3, "float32", 4);
  const input = tf.randomNormal([1, n, n, c], 0, 1, "float32", 5);
  const step = (regularizer) => () => {
    const g = tf.grad((k) => regularizer.apply(k))(dw);
    g.dataSync();
    g.dispose();
  };
  const conv = await timeIt(() => {
    const g = tf.grad((k) => tf.sum(tf.depthwiseConv2d(input, k, 1, "same")))(dw);
    g.dataSync();
    g.dispose();
  }, 3);
  const frob = await timeIt(step(frobeniusRegularizer({ n, weight: 1e-3, depthwise: true })), repeats);
  const two = await timeIt(step(twoNormRegularizer({ n, weight: 1e-3, depthwise: true })), Math.max(3, Math.floor(repeats / 2)));
  depthwiseRows.push([
    `3x3x${c}x1, N = ${n}`,
    fmt(conv.median),
    fmt(frob.median),
    `${fmt((100 * frob.median) / conv.median, 2)}%`,
    fmt(two.median),
    `${fmt((100 * two.median) / conv.median, 2)}%`,
  ]);
  tf.dispose([dw, input]);
}

console.log(`backend: ${backend}; node ${process.version}; command: ${reproduceCommand("regularizer-overhead.js")}${full ? " --full" : ""}\n`);
console.log("(a) the depth experiment's network: one training step (batch 8) vs the regularizer on all 20 kernels (ms, medians)\n");
console.log(markdownTable(["penalty", "TF.js step", "regularizer", "overhead"], networkRows));
console.log("\n(b) one 3x3x64x64 layer: TF.js conv2d forward+backward (batch 1) vs regularizer apply+grad (ms, medians)\n");
console.log(markdownTable(["N", "conv fwd+bwd", "conv timing", "Frobenius", "Frobenius/conv", "2-norm", "2-norm/conv"], layerRows));
console.log("\n(c) depthwise kernels: TF.js depthwiseConv2d forward+backward (batch 1) vs regularizer apply+grad (ms, medians)\n");
console.log(markdownTable(["kernel", "conv fwd+bwd", "Frobenius", "Frobenius/conv", "2-norm", "2-norm/conv"], depthwiseRows));
const file = writeResults("regularizer-overhead", { backend, full, networkRows, layerRows, depthwiseRows });
console.log(`\nwritten ${file}`);
