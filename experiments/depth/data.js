/**
 * The task: classify the orientation of a noisy stripe pattern (0, 45, 90 or 135 degrees) in a
 * small grayscale image. Generated from a seed, so every run sees the same data; nothing is
 * downloaded.
 */

/** mulberry32: a small seeded generator. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CLASSES = 4;

/**
 * `count` images of side `size` (NHWC, one channel) and their labels, balanced over the classes.
 * Each image: cos(2 pi f (x cos t + y sin t) + phase) with a random frequency and phase, plus
 * Gaussian noise of standard deviation `noise`.
 */
export function stripes(count, size, seed, noise = 0.8) {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const images = new Float32Array(count * size * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES;
    const angle = (label * Math.PI) / CLASSES + (random() - 0.5) * 0.3;
    const frequency = 0.15 + 0.2 * random();
    const phase = 2 * Math.PI * random();
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const u = x * Math.cos(angle) + y * Math.sin(angle);
        images[(i * size + y) * size + x] = Math.cos(2 * Math.PI * frequency * u + phase) + noise * normal();
      }
    labels[i] = label;
  }
  return { images, labels, count, size };
}
