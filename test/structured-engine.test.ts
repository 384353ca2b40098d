import { describe, expect, it } from "vitest";
import { createKernel, lineQuartic, lineQuarticAsync, penalty, penaltyAndGradient, penaltyAndGradientAsync, penaltyAsync, gradient, type Kernel } from "../lib/index.js";
import { bruteForceM, bruteForcePenalty, maxRelativeDiff, randomData, rng } from "./reference.js";

type Case = [k: number, g: number, h: number, n: number];

// A covering set of the sweep k 1..7, g, h 1..8, N 1..24 (the full cross product is too slow for
// the dense engine): every N with small channels, every channel pair with small N, random
// combinations of moderate size, and a few large ones. Each k appears with N < k.
function sweep(): Case[] {
  const cases: Case[] = [];
  for (let n = 1; n <= 24; n++)
    for (let k = 1; k <= 7; k++) {
      cases.push([k, 1, 1, n]);
      if ((n + k) % 3 === 0) cases.push([k, 2, 1, n]);
      if ((n + k) % 3 === 1) cases.push([k, 1, 2, n]);
    }
  for (let g = 1; g <= 8; g++) for (let h = 1; h <= 8; h++) for (const n of [1, 2, 3]) cases.push([1 + ((g + 2 * h + n) % 7), g, h, n]);
  const r = rng(2024);
  const int = (lo: number, hi: number) => lo + Math.floor(r.uniform() * (hi - lo + 1));
  while (cases.length < 600) {
    const c: Case = [int(1, 7), int(1, 8), int(1, 8), int(1, 16)];
    if (c[1] * c[2] * c[3] ** 4 <= 250_000) cases.push(c);
  }
  cases.push([3, 8, 8, 8], [7, 8, 3, 10], [4, 5, 7, 12], [2, 8, 1, 24], [5, 3, 8, 14], [6, 8, 8, 6], [7, 7, 7, 9]);
  return cases;
}

function randomAlpha(r: { uniform(): number }): number {
  return 10 ** (-2 + 4 * r.uniform()); // 0.01 .. 100, around and far from the Gram eigenvalues
}

function kernelOf([k, g, h]: Case, seed: number): Kernel {
  return createKernel(randomData(k, g, h, seed), [k, k, g, h]);
}

describe("structured engine equals the dense engine", () => {
  const cases = sweep();

  it(`covers every value of the sweep (${cases.length} cases)`, () => {
    for (let k = 1; k <= 7; k++) {
      expect(cases.some((c) => c[0] === k)).toBe(true);
      if (k > 1) expect(cases.some((c) => c[0] === k && c[3] < k)).toBe(true);
    }
    for (let v = 1; v <= 8; v++) expect(cases.some((c) => c[1] === v) && cases.some((c) => c[2] === v)).toBe(true);
    for (let n = 1; n <= 24; n++) expect(cases.some((c) => c[3] === n)).toBe(true);
    for (let g = 1; g <= 8; g++) for (let h = 1; h <= 8; h++) expect(cases.some((c) => c[1] === g && c[2] === h)).toBe(true);
  });

  it("penalty to 1e-12 relative and gradient to 1e-11 of its largest entry, random alpha", () => {
    const r = rng(77);
    const failures: string[] = [];
    let worstPenalty = 0,
      worstGradient = 0;
    cases.forEach((c, i) => {
      const kernel = kernelOf(c, 31 * i + 5);
      const alpha = randomAlpha(r);
      const n = c[3];
      const dense = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
      const structured = penaltyAndGradient(kernel, { n, alpha, engine: "structured" });
      const alone = penalty(kernel, { n, alpha, engine: "structured" });
      const ep = Math.max(Math.abs(structured.penalty - dense.penalty), Math.abs(alone - dense.penalty)) / dense.penalty;
      const eg = maxRelativeDiff(structured.gradient.data, dense.gradient.data);
      worstPenalty = Math.max(worstPenalty, ep);
      worstGradient = Math.max(worstGradient, eg);
      if (!(ep <= 1e-12) || !(eg <= 1e-11)) failures.push(`k=${c[0]} g=${c[1]} h=${c[2]} N=${n} alpha=${alpha}: penalty ${ep}, gradient ${eg}`);
    });
    expect(failures).toEqual([]);
    expect(worstPenalty).toBeLessThan(1e-12);
    expect(worstGradient).toBeLessThan(1e-11);
  });

  it("keeps its accuracy where the expanded formula cancels: M close to orthogonal", () => {
    // Centre tap a rotation, the other taps 1e-3: F is about 1e-6 of ||M^T M||_F^2 and of
    // 2 alpha ||M||_F^2, so ||M^T M||^2 - 2a||M||^2 + a^2 g N^2 would lose six digits.
    const [k, g, h, n] = [3, 2, 2, 9];
    const data = randomData(k, g, h, 12).map((v) => 1e-3 * v);
    const centre = 4 * g * h;
    [0.6, 0.8, -0.8, 0.6].forEach((v, i) => (data[centre + i] = v));
    const kernel = createKernel(data, [k, k, g, h]);
    const dense = penaltyAndGradient(kernel, { n, alpha: 1, engine: "dense" });
    const structured = penaltyAndGradient(kernel, { n, alpha: 1, engine: "structured" });
    const { m } = bruteForceM(data, k, g, h, n);
    const normM2 = m.flat().reduce((s, v) => s + v * v, 0);
    expect(dense.penalty / (2 * normM2)).toBeLessThan(1e-5);
    expect(Math.abs(structured.penalty - dense.penalty) / dense.penalty).toBeLessThan(1e-12);
    expect(Math.abs(structured.penalty - bruteForcePenalty(m, 1)) / structured.penalty).toBeLessThan(1e-12);
    expect(maxRelativeDiff(structured.gradient.data, dense.gradient.data)).toBeLessThan(1e-11);
  });
});

describe("structured engine at sizes the dense engine cannot reach", () => {
  it("a 1x1 kernel at N = 2^20: F = N^2 ||K^T K - aI||^2 + a^2 (g - h) N^2 (M = K^T kron I)", () => {
    const [g, h, n, alpha] = [3, 2, 2 ** 20, 0.7];
    const data = randomData(1, g, h, 3);
    let f = 0;
    for (let c = 0; c < h; c++)
      for (let e = 0; e < h; e++) {
        let v = c === e ? -alpha : 0;
        for (let d = 0; d < g; d++) v += data[d * h + c] * data[d * h + e];
        f += v * v;
      }
    const expected = n * n * (f + alpha * alpha * (g - h));
    const got = penaltyAndGradient(createKernel(data, [1, 1, g, h]), { n, alpha });
    expect(got.engine).toBe("structured");
    expect(Math.abs(got.penalty - expected) / expected).toBeLessThan(1e-12);
  });

  it("F(N) is a quadratic in N once N >= 2k: dense values at N = 12, 13, 14 predict N = 1000", () => {
    const kernel = createKernel(randomData(4, 2, 3, 8), [4, 4, 2, 3]);
    const alpha = 1.3;
    const nodes = [12, 13, 14];
    const values = nodes.map((n) => penalty(kernel, { n, alpha, engine: "dense" }));
    const x = 1000;
    let predicted = 0;
    nodes.forEach((xi, i) => {
      let weight = 1;
      nodes.forEach((xj, j) => (weight *= i === j ? 1 : (x - xj) / (xi - xj)));
      predicted += weight * values[i];
    });
    const got = penalty(kernel, { n: x, alpha });
    expect(Math.abs(got - predicted) / got).toBeLessThan(1e-9);
  });
});

describe("lineQuartic", () => {
  const quarticCases: Case[] = [
    [1, 1, 1, 4],
    [2, 1, 3, 5],
    [3, 3, 1, 2],
    [3, 2, 3, 6],
    [4, 3, 2, 3],
    [5, 2, 2, 7],
    [6, 1, 2, 4],
    [7, 2, 1, 3],
    [3, 4, 4, 5],
    // Large enough for the BLAS path: A^T read from the kernel in place (g < h), and packed taps (g >= h).
    [3, 10, 10, 4],
    [3, 10, 11, 4],
    [3, 11, 10, 4],
  ];
  const ts = [-2, -1, -0.5, 0, 0.25, 1, 3];

  it.each(quarticCases)("k=%i g=%i h=%i N=%i: F(K + tD) = sum c_i t^i at 7 values of t (dense F)", (k, g, h, n) => {
    const kernel = kernelOf([k, g, h, n], 11 * k + g + 3 * h + n);
    const direction = kernelOf([k, g, h, n], 500 + k * g * h * n);
    const alpha = 0.5 + (k % 4);
    const c = lineQuartic(kernel, direction, { n, alpha });
    expect(c).toBeInstanceOf(Float64Array);
    expect(c.length).toBe(5);
    for (const t of ts) {
      const moved = createKernel(
        kernel.data.map((v, i) => v + t * direction.data[i]),
        kernel.shape,
      );
      const f = penalty(moved, { n, alpha, engine: "dense" });
      const poly = c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * c[4])));
      expect(Math.abs(poly - f) / f).toBeLessThan(1e-12);
    }
  });

  it.each(quarticCases)("k=%i g=%i h=%i N=%i: c4 = ||M(D)^T M(D)||^2, c0 = F(K), c1 = <dF/dK, D> (brute force and dense)", (k, g, h, n) => {
    const kernel = kernelOf([k, g, h, n], 7 * k + g + h + n);
    const dData = randomData(k, g, h, 900 + k + g * h + n);
    const direction = createKernel(dData, [k, k, g, h]);
    const alpha = 1.7;
    const c = lineQuartic(kernel, direction, { n, alpha, engine: "structured" });
    const c4 = bruteForcePenalty(bruteForceM(dData, k, g, h, n).m, 0); // ||M^T M - 0 I||^2
    expect(Math.abs(c[4] - c4) / c4).toBeLessThan(1e-12);
    const dense = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
    expect(Math.abs(c[0] - dense.penalty) / dense.penalty).toBeLessThan(1e-12);
    let slope = 0,
      scale = 0;
    dense.gradient.data.forEach((v, i) => {
      slope += v * dData[i];
      scale += Math.abs(v * dData[i]);
    });
    expect(Math.abs(c[1] - slope) / scale).toBeLessThan(1e-12);
    // The dense engine's own quartic agrees coefficient by coefficient.
    const cd = lineQuartic(kernel, direction, { n, alpha, engine: "dense" });
    expect(maxRelativeDiff(c, cd)).toBeLessThan(1e-12);
  });

  it("async form gives the same coefficients; auto is structured", async () => {
    const kernel = kernelOf([3, 2, 3, 0], 1);
    const direction = kernelOf([3, 2, 3, 0], 2);
    const opts = { n: 50, alpha: 1 };
    const c = await lineQuarticAsync(kernel, direction, opts);
    expect(Array.from(c)).toEqual(Array.from(lineQuartic(kernel, direction, { ...opts, engine: "structured" })));
    expect(Array.from(c)).toEqual(Array.from(lineQuartic(kernel, direction, { ...opts, engine: "auto" })));
  });

  it("rejects a direction of another shape or type and an unknown engine", () => {
    const kernel = kernelOf([3, 2, 3, 0], 1);
    const other = kernelOf([3, 3, 2, 0], 1);
    expect(() => lineQuartic(kernel, other, { n: 5 })).toThrow(/direction must have the kernel's shape \[3, 3, 2, 3\]/);
    expect(() => lineQuartic(kernel, { shape: [3, 3, 2, 3] } as unknown as Kernel, { n: 5 })).toThrow(/direction\.data must be a Float64Array/);
    expect(() => lineQuartic(kernel, kernel, { n: 5, engine: "fast" as "auto" })).toThrow(/options\.engine must be one of "auto", "dense", "structured"/);
    expect(() => lineQuartic(kernel, kernel, { n: 0 })).toThrow(/options\.n/);
  });
});

describe("engine option and memory guard", () => {
  it("auto is the default and resolves to structured; dense reports dense", async () => {
    const kernel = kernelOf([3, 2, 2, 0], 4);
    expect(penaltyAndGradient(kernel, { n: 6 }).engine).toBe("structured");
    expect(penaltyAndGradient(kernel, { n: 6, engine: "auto" }).engine).toBe("structured");
    expect((await penaltyAndGradientAsync(kernel, { n: 6, engine: "dense" })).engine).toBe("dense");
    expect(await penaltyAsync(kernel, { n: 6 })).toBe(penalty(kernel, { n: 6, engine: "structured" }));
    expect(Array.from(gradient(kernel, { n: 6 }).data)).toEqual(Array.from(penaltyAndGradient(kernel, { n: 6, engine: "structured" }).gradient.data));
    expect(() => penalty(kernel, { n: 6, engine: "sparse" as "auto" })).toThrow(/options\.engine must be one of "auto", "dense", "structured", got "sparse"/);
  });

  it("estimates the tap Gram memory before the native call", () => {
    const kernel = kernelOf([3, 64, 64, 0], 4);
    // Tap Gram 576 x 576 doubles = 2.5 MiB (the gradient overwrites it with its weights).
    for (const call of [
      () => penaltyAndGradient(kernel, { n: 8, memoryLimit: 4e6 }),
      () => penalty(kernel, { n: 8, memoryLimit: 2e6 }),
      () => lineQuartic(kernel, kernel, { n: 8, memoryLimit: 6e6 }),
    ])
      expect(call).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT", message: expect.stringMatching(/tap Gram matri(x|ces) 576 x 576/) }));
    expect(penaltyAndGradient(kernel, { n: 8, memoryLimit: 8e6 }).engine).toBe("structured");
  });
});
