// The proven symbol bound on sigma_max (lib/spectrum/symbol-bound.ts) against references built here:
// M_N entry by entry from LAYERS.md's SAME formulas (any stride and dilation), its singular values by
// Jacobi, and the kernel's (polyphase) symbol evaluated on dense grids from its definition.
import { describe, expect, it } from "vitest";
import { createKernel, sigmaMaxUpperBound, sigmaMaxUpperBoundAsync, spectrum, spectrumAsync } from "../lib/index.js";
import { randomData, referenceSingularValues, rng, type Rows } from "./reference.js";

/** M of the strided, dilated conv with TensorFlow SAME padding, row c·Ho² + r·Ho + s, column d·N² + x·N + y. */
function stridedM(data: Float64Array, k: number, g: number, h: number, n: number, stride: number, dilation: number): Rows {
  const ho = Math.ceil(n / stride);
  const ke = dilation * (k - 1) + 1;
  const before = Math.floor(Math.max((ho - 1) * stride + ke - n, 0) / 2);
  const m: Rows = Array.from({ length: h * ho * ho }, () => new Array<number>(g * n * n).fill(0));
  for (let c = 0; c < h; c++)
    for (let r = 0; r < ho; r++)
      for (let s = 0; s < ho; s++)
        for (let d = 0; d < g; d++)
          for (let p = 0; p < k; p++)
            for (let q = 0; q < k; q++) {
              const x = r * stride - before + p * dilation;
              const y = s * stride - before + q * dilation;
              if (x < 0 || x >= n || y < 0 || y >= n) continue;
              m[c * ho * ho + r * ho + s][d * n * n + x * n + y] += data[((p * k + q) * g + d) * h + c];
            }
  return m;
}

/**
 * sigma_max of the polyphase symbol at w: rows (phase, input channel), columns output channels,
 * with the SAME offset t = p·d - before kept (a shift, which must not change sigma_max).
 * The complex g·s² x h matrix A = B + iC is embedded as the real [[B, -C], [C, B]].
 */
function symbolSigmaMax(data: Float64Array, k: number, g: number, h: number, stride: number, dilation: number, w1: number, w2: number): number {
  const rows = g * stride * stride;
  const before = Math.floor((dilation * (k - 1)) / 2);
  const re = Array.from({ length: rows }, () => new Array<number>(h).fill(0));
  const im = Array.from({ length: rows }, () => new Array<number>(h).fill(0));
  const mod = (a: number) => ((a % stride) + stride) % stride;
  for (let p = 0; p < k; p++)
    for (let q = 0; q < k; q++) {
      const t1 = p * dilation - before,
        t2 = q * dilation - before;
      const phase = mod(t1) * stride + mod(t2);
      const angle = Math.floor(t1 / stride) * w1 + Math.floor(t2 / stride) * w2;
      for (let d = 0; d < g; d++)
        for (let c = 0; c < h; c++) {
          const v = data[((p * k + q) * g + d) * h + c];
          re[phase * g + d][c] += v * Math.cos(angle);
          im[phase * g + d][c] += v * Math.sin(angle);
        }
    }
  const big: Rows = [];
  for (let i = 0; i < rows; i++) big.push([...re[i], ...im[i].map((v) => -v)]);
  for (let i = 0; i < rows; i++) big.push([...im[i], ...re[i]]);
  return referenceSingularValues(big)[0];
}

function gridMax(data: Float64Array, k: number, g: number, h: number, stride: number, dilation: number, points: number): number {
  let best = 0;
  for (let i = 0; i < points; i++)
    for (let j = 0; j < points; j++) best = Math.max(best, symbolSigmaMax(data, k, g, h, stride, dilation, (2 * Math.PI * i) / points, (2 * Math.PI * j) / points));
  return best;
}

const kernelOf = (data: Float64Array, k: number, g: number, h: number) => createKernel(data, [k, k, g, h]);

describe("sigmaMaxUpperBound", () => {
  it("the reference M at stride 1 is the paper's M (offsets 1 - m .. k - m)", async () => {
    const { bruteForceM } = await import("./reference.js");
    for (const k of [1, 2, 3, 4]) {
      const data = randomData(k, 2, 3, 40 + k);
      expect(stridedM(data, k, 2, 3, 5, 1, 1)).toEqual(bruteForceM(data, k, 2, 3, 5).m);
    }
  });

  it("is above sigma_max(M_N) for random kernels, k = 1..5, g != h, several N, stride 1 and 2, dilation 1 and 2", () => {
    let seed = 100;
    for (const k of [1, 2, 3, 4, 5])
      for (const [g, h] of [
        [2, 3],
        [3, 1],
      ] as const)
        for (const [stride, dilation] of [
          [1, 1],
          [2, 1],
          [1, 2],
          [2, 2],
        ] as const) {
          const data = randomData(k, g, h, seed++);
          const b = sigmaMaxUpperBound(kernelOf(data, k, g, h), { stride, dilation });
          expect(b.bound).toBe("proven");
          for (const n of [1, 3, 4, 7]) {
            const exact = referenceSingularValues(stridedM(data, k, g, h, n, stride, dilation))[0];
            expect(b.upper, `k=${k} g=${g} h=${h} s=${stride} d=${dilation} N=${n}`).toBeGreaterThanOrEqual(exact);
          }
        }
  });

  it("converges: upper - symbolLower <= tolerance·upper, and brackets the dense grid maximum of the symbol", () => {
    let seed = 300;
    for (const [k, g, h, stride] of [
      [3, 2, 3, 1],
      [3, 3, 2, 2],
      [4, 2, 2, 2],
      [5, 1, 2, 1],
    ] as const)
      for (const tolerance of [1e-2, 1e-4]) {
        const data = randomData(k, g, h, seed++);
        const b = sigmaMaxUpperBound(kernelOf(data, k, g, h), { stride, tolerance });
        expect(b.converged).toBe(true);
        expect(b.upper - b.symbolLower).toBeLessThanOrEqual(tolerance * b.upper);
        // The grid maximum is a lower value of the supremum, so at most upper; symbolLower is within the gap of it.
        const grid = gridMax(data, k, g, h, stride, 1, 48);
        expect(grid).toBeLessThanOrEqual(b.upper);
        expect(b.symbolLower).toBeGreaterThanOrEqual(grid - tolerance * b.upper);
        expect(b.symbolLower).toBeLessThanOrEqual(b.upper);
        // ... and it is the symbol of this layer, not a looser one (the stride-1 supremum is far larger):
        // at a spacing of 2 pi / 48 the grid maximum is within a few per cent of the supremum.
        expect(b.upper).toBeLessThanOrEqual(1.05 * grid);
      }
  });

  it("sigma_max(M_N) approaches the upper value as N grows; circular sigma_max at N = 64 is a sample of the symbol", () => {
    // A positive kernel: the symbol peaks at w = 0 with the sum of the entries.
    const data = Float64Array.from([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    const b = sigmaMaxUpperBound(kernelOf(data, 3, 1, 1), { tolerance: 1e-6 });
    expect(b.upper).toBeGreaterThanOrEqual(16);
    expect(b.upper).toBeLessThanOrEqual(16 * (1 + 1e-6));
    const zero = [2, 4, 8, 12].map((n) => referenceSingularValues(stridedM(data, 3, 1, 1, n, 1, 1))[0]);
    for (let i = 1; i < zero.length; i++) expect(zero[i]).toBeGreaterThan(zero[i - 1]);
    expect(zero[3]).toBeLessThanOrEqual(b.upper);
    expect(zero[3]).toBeGreaterThan(0.9 * b.upper);
    // Circular padding at N = 64: sigma_max is the largest of the symbol at the 64 x 64 DFT grid.
    const random = randomData(3, 2, 3, 77);
    const rb = sigmaMaxUpperBound(kernelOf(random, 3, 2, 3), { tolerance: 1e-4 });
    const circular = gridMax(random, 3, 2, 3, 1, 1, 64);
    expect(circular).toBeLessThanOrEqual(rb.upper);
    expect(circular).toBeGreaterThan(0.97 * rb.upper);
  });

  it("keeps its guarantee at huge and tiny scales and with mixed magnitudes", () => {
    const base = randomData(3, 2, 3, 91);
    const ref = sigmaMaxUpperBound(kernelOf(base, 3, 2, 3));
    for (const scale of [1e140, 1e-140, 2 ** 900, 2 ** -900]) {
      const b = sigmaMaxUpperBound(
        kernelOf(
          base.map((v) => v * scale),
          3,
          2,
          3,
        ),
      );
      expect(Number.isFinite(b.upper)).toBe(true);
      expect(Math.abs(b.upper / scale - ref.upper)).toBeLessThanOrEqual(1e-9 * ref.upper);
    }
    const r = rng(5);
    const mixed = base.map((v) => v * (r.uniform() < 0.5 ? 1e120 : 1e-120));
    const b = sigmaMaxUpperBound(kernelOf(mixed, 3, 2, 3));
    for (const n of [3, 5]) expect(b.upper).toBeGreaterThanOrEqual(referenceSingularValues(stridedM(mixed, 3, 2, 3, n, 1, 1))[0]);
    expect(sigmaMaxUpperBound(kernelOf(new Float64Array(18), 3, 2, 1)).upper).toBe(0);
  });

  it("rejects bad options with a coded error naming the argument", () => {
    const kernel = kernelOf(randomData(3, 2, 2, 1), 3, 2, 2);
    expect(() => sigmaMaxUpperBound(kernel, { stride: 0 })).toThrow(expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("options.stride") }));
    expect(() => sigmaMaxUpperBound(kernel, { dilation: 1.5 })).toThrow(expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("options.dilation") }));
    expect(() => sigmaMaxUpperBound(kernel, { tolerance: -1 })).toThrow(expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("options.tolerance") }));
    expect(() => sigmaMaxUpperBound(kernel, { maxCells: 0 })).toThrow(expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("options.maxCells") }));
    expect(() => sigmaMaxUpperBound({ shape: [3, 3, 2, 2], data: new Float64Array(3) } as never)).toThrow(expect.objectContaining({ code: "ERR_SHAPE" }));
    expect(() => sigmaMaxUpperBound(kernel, { memoryLimit: 1000 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });

  it("a cell cap still gives a valid upper value, marked not converged", () => {
    const data = randomData(3, 3, 3, 12);
    const b = sigmaMaxUpperBound(kernelOf(data, 3, 3, 3), { maxCells: 130, tolerance: 1e-8 });
    expect(b.converged).toBe(false);
    const grid = gridMax(data, 3, 3, 3, 1, 1, 32);
    expect(b.upper).toBeGreaterThanOrEqual(grid);
    // Below 128 cells the starting grid is coarser (2m x m cells); the value stays an upper one.
    for (const maxCells of [1, 2, 8, 50]) {
      const coarse = sigmaMaxUpperBound(kernelOf(data, 3, 3, 3), { maxCells, tolerance: 1e-8 });
      expect(coarse.converged).toBe(false);
      expect(coarse.upper).toBeGreaterThanOrEqual(grid);
      expect(coarse.cells).toBeLessThanOrEqual(Math.max(maxCells, 2));
    }
  });
});

describe("spectrum with the symbol bound", () => {
  it("iterative sigma_max comes with a proven upper value: [Lanczos, upper] brackets the exact value", async () => {
    const data = randomData(3, 2, 3, 21);
    const kernel = kernelOf(data, 3, 2, 3);
    const exact = referenceSingularValues(stridedM(data, 3, 2, 3, 6, 1, 1))[0];
    for (const s of [spectrum(kernel, { n: 6, method: "iterative" }), await spectrumAsync(kernel, { n: 6, method: "iterative" })]) {
      expect(s.sigmaMaxUpper).toBeGreaterThanOrEqual(exact);
      expect(s.sigmaMax).toBeLessThanOrEqual(exact * (1 + 1e-12));
    }
    expect(spectrum(kernel, { n: 6, method: "dense" }).sigmaMaxUpper).toBeUndefined();
    // The symbol's search over the memory limit leaves Lanczos alone: its value stays, the upper one is null.
    const tight = spectrum(kernel, { n: 6, method: "iterative", memoryLimit: 100000 });
    expect(tight.sigmaMaxUpper).toBeNull();
    expect(Math.abs(tight.sigmaMax - exact)).toBeLessThanOrEqual(1e-9 * exact);
  });

  it("when even Lanczos is over the memory limit, auto gives the bracket [0, symbol upper]", async () => {
    const data = randomData(3, 2, 2, 33);
    const kernel = kernelOf(data, 3, 2, 2);
    const upper = sigmaMaxUpperBound(kernel, { tolerance: 1e-3 }).upper;
    for (const s of [spectrum(kernel, { n: 2048, memoryLimit: 4e6 }), await spectrumAsync(kernel, { n: 2048, memoryLimit: 4e6 })]) {
      expect(s.method).toBe("symbol");
      expect(s.sigmaMax).toBe(0);
      expect(s.sigmaMaxUpper).toBeGreaterThanOrEqual(upper * (1 - 1e-3));
      expect(s.sigmaMaxBound).toBe(s.sigmaMaxUpper);
      expect(s.bound.sigmaMax).toBe("proven");
      expect(s.sigmaMaxUpper).toBeGreaterThanOrEqual(referenceSingularValues(stridedM(data, 3, 2, 2, 8, 1, 1))[0]);
    }
    expect(() => spectrum(kernel, { n: 2048, memoryLimit: 4e6, method: "iterative" })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });

  it("groups and depthwise: above sigma_max of the whole grouped M built by definition (zeros off the groups), stride 1 and 2", async () => {
    // Grouped [k, k, g/G, h]: output o of group floor(o / (h/G)) reads inputs G_o (g/G) + i through K[:, :, i, o].
    // Depthwise [k, k, C, m]: output c m + j reads input c through K[:, :, c, j]. The full kernel puts them in place.
    const full = (data: Float64Array, k: number, gFull: number, hFull: number, inputOf: (o: number, i: number) => number | null) => {
      const out = new Float64Array(k * k * gFull * hFull);
      const gLocal = data.length / (k * k * hFull);
      for (let t = 0; t < k * k; t++)
        for (let o = 0; o < hFull; o++)
          for (let i = 0; i < gLocal; i++) {
            const d = inputOf(o, i);
            if (d !== null) out[(t * gFull + d) * hFull + o] = data[(t * gLocal + i) * hFull + o];
          }
      return out;
    };
    let seed = 900;
    for (const stride of [1, 2]) {
      // Grouped: 4 inputs, 6 outputs, 2 groups ([3, 3, 2, 6]).
      const grouped = randomData(3, 2, 6, seed++);
      grouped.forEach((v, i) => (grouped[i] = i % 6 < 3 ? v : 3 * v)); // the second group is larger
      const gb = sigmaMaxUpperBound(kernelOf(grouped, 3, 2, 6), { stride, groups: 2 });
      const gFull = full(grouped, 3, 4, 6, (o, i) => Math.floor(o / 3) * 2 + i);
      // Depthwise: 3 channels, multiplier 2 ([3, 3, 3, 2]); channel 1 is the largest.
      const dw = randomData(3, 3, 2, seed++);
      dw.forEach((v, i) => (dw[i] = Math.floor(i / 2) % 3 === 1 ? 4 * v : v));
      const db = await sigmaMaxUpperBoundAsync(kernelOf(dw, 3, 3, 2), { stride, depthwise: true });
      const dwAsGrouped = Float64Array.from({ length: 3 * 3 * 6 }, (_, e) => dw[Math.floor(e / 6) * 6 + (e % 6)]);
      const dFull = full(dwAsGrouped, 3, 3, 6, (o, i) => Math.floor(o / 2) + i);
      for (const [b, data, g, label] of [
        [gb, gFull, 4, "grouped"],
        [db, dFull, 3, "depthwise"],
      ] as const) {
        expect(b.bound).toBe("proven");
        expect(b.converged).toBe(true);
        for (const n of [3, 4, 7]) {
          const exact = referenceSingularValues(stridedM(data, 3, g, 6, n, stride, 1))[0];
          expect(b.upper, `${label} s=${stride} N=${n}`).toBeGreaterThanOrEqual(exact);
        }
        // The whole layer's own symbol bound (zeros off the groups) brackets the same supremum.
        const whole = sigmaMaxUpperBound(kernelOf(data, 3, g, 6), { stride, tolerance: 1e-3 });
        expect(b.upper, label).toBeGreaterThanOrEqual(whole.symbolLower);
        expect(whole.upper, label).toBeGreaterThanOrEqual(b.symbolLower);
      }
    }
  });

  it("coarse cells (small maxCells) still bound the supremum of the symbol sampled on a fine grid, 1 channel", () => {
    // One channel: sigma_max(A(w)) = |sum_t K_t e^{i<u_t, w>}|, sampled here on a 256 x 128 grid of the half torus.
    const scalarMax = (data: Float64Array, k: number, points: number) => {
      let best = 0;
      for (let i = 0; i < 2 * points; i++)
        for (let j = 0; j <= points; j++) {
          const [w1, w2] = [(Math.PI * i) / points, (Math.PI * j) / points];
          let re = 0,
            im = 0;
          for (let p = 0; p < k; p++)
            for (let q = 0; q < k; q++) {
              re += data[p * k + q] * Math.cos(p * w1 + q * w2);
              im += data[p * k + q] * Math.sin(p * w1 + q * w2);
            }
          best = Math.max(best, Math.hypot(re, im));
        }
      return best;
    };
    // K[p][q] = cos((a p + b q) pi / 16): the symbol peaks between the corners of the first 16 x 8 grid
    // of cells (maxCells 128 stops there), so the bound rests on the cells' corner values alone
    // (with half the angle of MATH.md §9 step 3b, the bound falls below the sampled maximum here).
    for (const [k, a, c] of [
      [3, 7, 5],
      [3, 5, 3],
      [4, 5, 3],
    ]) {
      const peaked = Float64Array.from({ length: k * k }, (_, t) => Math.cos(((a * Math.floor(t / k) + c * (t % k)) * Math.PI) / 16));
      const b = sigmaMaxUpperBound(kernelOf(peaked, k, 1, 1), { maxCells: 128, tolerance: 1e-12 });
      expect(b.upper, `peaked k=${k} a=${a} b=${c}`).toBeGreaterThanOrEqual(scalarMax(peaked, k, 128));
    }
    let seed = 1200;
    for (const k of [2, 3, 4])
      for (const maxCells of [8, 32, 128, 512])
        for (let trial = 0; trial < 6; trial++) {
          const data = randomData(k, 1, 1, seed++);
          const b = sigmaMaxUpperBound(kernelOf(data, k, 1, 1), { maxCells, tolerance: 1e-12 });
          expect(b.upper, `k=${k} maxCells=${maxCells} seed=${seed - 1}`).toBeGreaterThanOrEqual(scalarMax(data, k, 128));
        }
  });
});
