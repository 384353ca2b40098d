/**
 * One arm of the experiment: a custom training loop (tf.variableGrads + applyGradients) on the
 * data loss, plus the arm's penalty gradient, recording what the experiment measures.
 */
import { plainCnn, convKernels } from "./network.js";

/** Extreme singular values of each conv layer at the layer's N, by convreg's own engine. */
function layerSpectra(convreg, kernels, n) {
  return kernels.map((variable) => {
    const kernel = convreg.createKernel(variable.read().dataSync(), variable.shape);
    const sigma = convreg.singularValues(kernel, { n, method: "gram" });
    let max = 0, min = Infinity;
    for (const s of sigma) (max = Math.max(max, s)), (min = Math.min(min, s));
    return { max, min };
  });
}

function accuracy(tf, model, data) {
  return tf.tidy(() => {
    const x = tf.tensor4d(data.images, [data.count, data.size, data.size, 1]);
    const predicted = model.predict(x).argMax(-1).dataSync();
    let right = 0;
    for (let i = 0; i < data.count; i++) right += predicted[i] === data.labels[i] ? 1 : 0;
    return right / data.count;
  });
}

/** Adds 2 lambda K to each conv kernel's gradient (L2 weight decay as a loss lambda ||K||^2). */
function addWeightDecay(tf, grads, kernels, lambda) {
  for (const kernel of kernels) {
    const variable = kernel.read();
    const previous = grads[variable.name];
    grads[variable.name] = tf.tidy(() => tf.add(previous, tf.mul(variable, 2 * lambda)));
    previous.dispose();
  }
  let total = 0;
  for (const kernel of kernels) total += lambda * tf.tidy(() => tf.sum(tf.square(kernel.read())).dataSync()[0]);
  return total;
}

export function runArm(tf, convreg, convregTfjs, config, arm, train, test) {
  const model = plainCnn(tf, { ...config.network, size: train.size });
  const kernels = convKernels(model);
  const n = train.size;
  let attached = [];
  if (arm.kind === "frobenius" || arm.kind === "two-norm") {
    const result = convregTfjs.regularizeModel(model, { alpha: config.alpha, weight: arm.weight, penalty: arm.kind });
    if (result.skipped.length > 0) throw new Error(`layers skipped: ${JSON.stringify(result.skipped)}`);
    attached = result.attached;
  }
  const optimizer = tf.train.momentum(config.learningRate, config.momentum);
  const steps = Math.floor(train.count / config.batchSize);
  const xs = tf.tensor4d(train.images, [train.count, n, n, 1]);
  const ys = tf.oneHot(tf.tensor1d(train.labels, "int32"), config.network.classes);
  const record = { arm, epochs: [], steps: [], diverged: false };
  const snapshot = (epoch, wallSeconds, regularizerSeconds, losses) => {
    const spectra = layerSpectra(convreg, kernels, n);
    record.epochs.push({
      epoch,
      trainLoss: losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : null,
      testAccuracy: accuracy(tf, model, test),
      sigmaMax: spectra.map((s) => s.max),
      sigmaMin: spectra.map((s) => s.min),
      wallSeconds,
      regularizerSeconds,
    });
  };
  snapshot(0, 0, 0, []);
  for (let epoch = 1; epoch <= config.epochs && !record.diverged; epoch++) {
    const started = performance.now();
    let regularizerMs = 0;
    const losses = [];
    for (let step = 0; step < steps; step++) {
      const x = xs.slice([step * config.batchSize], [config.batchSize]);
      const y = ys.slice([step * config.batchSize], [config.batchSize]);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
      // The gradient flow: the data-loss gradient of each conv kernel, before any penalty is added.
      const gradNorms = tf.tidy(() => tf.stack(kernels.map((k) => tf.norm(grads[k.read().name]))).dataSync());
      const regularizerStart = performance.now();
      let penalty = 0;
      if (attached.length) penalty = convregTfjs.addPenaltyGradients(grads, attached);
      else if (arm.kind === "l2") penalty = addWeightDecay(tf, grads, kernels, arm.weight);
      regularizerMs += performance.now() - regularizerStart;
      optimizer.applyGradients(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, x, y, ...Object.values(grads)]);
      losses.push(loss);
      record.steps.push({ loss, penalty, gradNorms: Array.from(gradNorms) });
      if (!Number.isFinite(loss)) {
        record.diverged = true;
        break;
      }
    }
    snapshot(epoch, (performance.now() - started) / 1000, regularizerMs / 1000, losses);
    const last = record.epochs.at(-1);
    console.log(
      `  ${arm.name.padEnd(18)} epoch ${epoch}: loss ${last.trainLoss?.toFixed(4)}, held-out acc ${last.testAccuracy.toFixed(3)}, ` +
        `sigma ${Math.min(...last.sigmaMin).toFixed(3)}..${Math.max(...last.sigmaMax).toFixed(3)}, ${last.wallSeconds.toFixed(1)} s (regularizer ${last.regularizerSeconds.toFixed(3)} s)`,
    );
  }
  tf.dispose([xs, ys]);
  model.dispose();
  return record;
}
