// A test kernel shared by the sigma_min suites: nearly singular by construction, so certificates must work hard or fail.
import { createKernel, type Kernel } from "../lib/index.js";
import { randomData, rng } from "./reference.js";

/** A kernel whose taps all nearly annihilate one channel combination w: w^T K_t = O(scale). */
export function nearlySingularKernel(k: number, g: number, h: number, scale: number, seed: number): Kernel {
  const data = randomData(k, g, h, seed);
  const r = rng(seed + 1);
  const w = Float64Array.from({ length: g }, () => r.normal());
  const ww = w.reduce((a, b) => a + b * b, 0);
  // Project every tap's columns off w (on the input-channel side), then add back scale * w.
  for (let t = 0; t < k * k; t++)
    for (let c = 0; c < h; c++) {
      let dot = 0;
      for (let d = 0; d < g; d++) dot += w[d] * data[(t * g + d) * h + c];
      for (let d = 0; d < g; d++) data[(t * g + d) * h + c] += (w[d] / ww) * (scale * r.normal() - dot);
    }
  return createKernel(data, [k, k, g, h]);
}
