/** The network: a deep plain CNN (3x3 "same" convs with ReLU, no normalization, no skips). */
export function plainCnn(tf, { depth, channels, size, classes, seed }) {
  const model = tf.sequential();
  for (let i = 0; i < depth; i++)
    model.add(
      tf.layers.conv2d({
        name: `conv${i + 1}`,
        ...(i === 0 ? { inputShape: [size, size, 1] } : {}),
        filters: channels,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      }),
    );
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ name: "classifier", units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + depth }) }));
  return model;
}

/** The kernels of the conv layers, first to last. */
export function convKernels(model) {
  return model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.kernel);
}
