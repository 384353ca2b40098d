import { describe, expect, it } from "vitest";
import { createKernel, lineQuartic, penalty, penaltyAndGradient, gradient, penaltyAsync, type Kernel } from "../lib/index.js";
import { native } from "../lib/native/addon.js";
import { bruteForceCircularM, bruteForceGradient, bruteForceLayerM, bruteForcePenalty, maxRelativeDiff, randomData, transpose, type LayerGeometry } from "./reference.js";

type Case = { k: number; g: number; h: number; geo: LayerGeometry; why: string };

const geo = (height: number, width: number, stride: number, padding: "zero" | "valid" = "zero", dilation = 1): LayerGeometry => ({
  height,
  width,
  stride,
  dilation,
  padding,
});

// s = 1, 2, 3; SAME and VALID; odd and even H, W with H != W; N < k; VALID with N = k;
// dilation 2; k = 1, 2, 3, 5; g < h and g > h.
const cases: Case[] = [
  { k: 3, g: 2, h: 3, geo: geo(7, 6, 2), why: "s=2 SAME, odd x even, g<h" },
  { k: 3, g: 3, h: 2, geo: geo(6, 9, 2), why: "s=2 SAME, even x odd, g>h" },
  { k: 3, g: 2, h: 2, geo: geo(8, 7, 3), why: "s=3 SAME" },
  { k: 2, g: 3, h: 1, geo: geo(5, 8, 2), why: "k=2 s=2 SAME" },
  { k: 2, g: 1, h: 3, geo: geo(7, 4, 3, "valid"), why: "k=2 s=3 VALID" },
  { k: 5, g: 2, h: 1, geo: geo(3, 4, 2), why: "k=5, N<k SAME" },
  { k: 5, g: 1, h: 2, geo: geo(4, 3, 1), why: "k=5, N<k SAME s=1 H!=W" },
  { k: 3, g: 2, h: 3, geo: geo(3, 3, 1, "valid"), why: "VALID with N=k" },
  { k: 3, g: 3, h: 2, geo: geo(3, 5, 2, "valid"), why: "VALID N=k on one axis, s=2" },
  { k: 3, g: 2, h: 2, geo: geo(9, 8, 1, "valid"), why: "VALID s=1" },
  { k: 3, g: 2, h: 3, geo: geo(9, 7, 2, "zero", 2), why: "dilation 2 SAME s=2" },
  { k: 3, g: 3, h: 1, geo: geo(7, 8, 1, "valid", 2), why: "dilation 2 VALID" },
  { k: 2, g: 1, h: 2, geo: geo(6, 5, 1, "zero", 2), why: "dilation 2 s=1 SAME, even k" },
  { k: 1, g: 3, h: 2, geo: geo(5, 6, 2), why: "k=1 s=2 (unread pixels)" },
  { k: 1, g: 2, h: 4, geo: geo(4, 5, 3, "valid"), why: "k=1 s=3 VALID" },
  { k: 5, g: 1, h: 1, geo: geo(11, 9, 3), why: "k=5 s=3 SAME" },
  { k: 3, g: 1, h: 6, geo: geo(6, 6, 2), why: "h >> g: the input side" },
  { k: 3, g: 6, h: 1, geo: geo(5, 7, 1), why: "g >> h, s=1 H != W" },
  { k: 3, g: 2, h: 2, geo: geo(2, 5, 4), why: "stride larger than the input" },
  { k: 3, g: 1, h: 2, geo: geo(10, 9, 2, "zero", 3), why: "dilation 3, s=2 (only even tap shifts pair)" },
  { k: 2, g: 2, h: 1, geo: geo(3, 2, 1, "zero", 3), why: "dilation 3, N < ke" },
];

const alpha = 0.8;

function kernelOf(c: Case, seed: number): Kernel {
  return createKernel(randomData(c.k, c.g, c.h, seed), [c.k, c.k, c.g, c.h]);
}

function options(c: Case, transposed: boolean) {
  return { n: c.geo.height, width: c.geo.width, stride: c.geo.stride, dilation: c.geo.dilation, padding: c.geo.padding, alpha, transposed };
}

/** The layer's own M (the forward M, or its transpose) with Omega, by definition. */
function layerM(c: Case, data: Float64Array, transposed: boolean) {
  const b = bruteForceLayerM(data, c.k, c.g, c.h, c.geo);
  if (!transposed) return b;
  const omega = new Map<number, Array<[number, number]>>();
  for (const [e, list] of b.omega)
    omega.set(
      e,
      list.map(([i, j]) => [j, i] as [number, number]),
    );
  return { ...b, m: transpose(b.m), omega };
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe("layer engine: strides, VALID, dilation, H x W, transposed, against M by definition", () => {
  it("the reference M has the LAYERS.md output sizes", () => {
    // Independent spot checks of the builder itself: SAME ceil(H/s), VALID floor((H-ke)/s)+1.
    const one = new Float64Array(9).fill(1);
    expect(bruteForceLayerM(one, 3, 1, 1, geo(7, 6, 2)).outH).toBe(4);
    expect(bruteForceLayerM(one, 3, 1, 1, geo(7, 6, 2)).outW).toBe(3);
    expect(bruteForceLayerM(one, 3, 1, 1, geo(9, 7, 1, "valid", 2)).outH).toBe(5);
    expect(bruteForceLayerM(one, 3, 1, 1, geo(3, 3, 1, "valid")).m.length).toBe(1);
    // SAME, k = 2, s = 1: P = 1, nothing before, so output 0 reads inputs 0 and 1.
    const row0 = bruteForceLayerM(Float64Array.from([1, 2, 3, 4]), 2, 1, 1, geo(3, 3, 1)).m[0];
    expect(row0.slice(0, 5)).toEqual([1, 2, 0, 3, 4]);
  });

  for (const c of cases)
    for (const transposed of [false, true])
      it(`${c.why}: k=${c.k} g=${c.g} h=${c.h} ${c.geo.height}x${c.geo.width}${transposed ? " transposed" : ""}`, () => {
        const kernel = kernelOf(c, 31 * c.k + 7 * c.g + c.h + c.geo.height * 100 + (transposed ? 5000 : 0));
        const o = options(c, transposed);
        const b = layerM(c, kernel.data, transposed);
        const expected = bruteForcePenalty(b.m, alpha);
        expect(relative(penalty(kernel, o), expected)).toBeLessThan(1e-12);

        const pg = penaltyAndGradient(kernel, o);
        expect(pg.engine).toBe("structured");
        expect(relative(pg.penalty, expected)).toBeLessThan(1e-12);
        const formula = bruteForceGradient(b.m, b.omega, kernel.data.length, alpha);
        expect(maxRelativeDiff(pg.gradient.data, formula)).toBeLessThan(1e-12);
        expect(maxRelativeDiff(gradient(kernel, o).data, formula)).toBeLessThan(1e-12);

        // Central differences of the brute-force penalty on a few entries.
        const step = 1e-5;
        for (const e of [0, Math.floor(kernel.data.length / 2), kernel.data.length - 1]) {
          const at = (v: number) => {
            const d = Float64Array.from(kernel.data);
            d[e] += v;
            return bruteForcePenalty(layerM(c, d, transposed).m, alpha);
          };
          const fd = (at(step) - at(-step)) / (2 * step);
          expect(Math.abs(pg.gradient.data[e] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd), Math.max(...formula.map(Math.abs))));
        }

        // The quartic against F at five points of the line.
        const direction = createKernel(randomData(c.k, c.g, c.h, 999 + c.k), kernel.shape);
        const q = lineQuartic(kernel, direction, o);
        for (const t of [-1.2, -0.4, 0, 0.7, 1.5]) {
          const moved = kernel.data.map((v, i) => v + t * direction.data[i]);
          const value = q[0] + t * (q[1] + t * (q[2] + t * (q[3] + t * q[4])));
          expect(relative(value, bruteForcePenalty(layerM(c, moved, transposed).m, alpha))).toBeLessThan(1e-11);
        }
      });

  it("transposed adds alpha^2 (R - C) to the forward penalty", () => {
    const c = cases[0];
    const kernel = kernelOf(c, 4);
    const b = bruteForceLayerM(kernel.data, c.k, c.g, c.h, c.geo);
    const forward = penalty(kernel, options(c, false));
    const back = penalty(kernel, options(c, true));
    expect(relative(back, forward + alpha * alpha * (b.m.length - b.m[0].length))).toBeLessThan(1e-12);
  });

  it("stride 1, zero padding, H = W: the layer engine equals the existing structured engine", () => {
    for (const [k, g, h, n] of [
      [1, 2, 3, 4],
      [2, 3, 2, 5],
      [3, 2, 4, 7],
      [5, 3, 3, 4],
      [4, 1, 1, 2],
    ]) {
      const kernel = kernelOf({ k, g, h, geo: geo(n, n, 1), why: "" }, 11 * k + n);
      const layer = native.layerPenalty(kernel.data, k, g, h, n, n, 1, 1, false, false, alpha);
      const existing = penalty(kernel, { n, alpha });
      expect(relative(layer, existing)).toBeLessThan(1e-13);
    }
  });

  it("circular transposed: F of the block-circulant M^T", () => {
    for (const [k, g, h, n] of [
      [3, 2, 3, 4],
      [3, 3, 2, 5],
      [2, 1, 2, 3],
    ]) {
      const kernel = kernelOf({ k, g, h, geo: geo(n, n, 1), why: "" }, 3 * k + n);
      const mt = transpose(bruteForceCircularM(kernel.data, k, g, h, n));
      const got = penalty(kernel, { n, alpha, padding: "circular", transposed: true });
      expect(relative(got, bruteForcePenalty(mt, alpha))).toBeLessThan(1e-12);
      expect(relative(penaltyAndGradient(kernel, { n, alpha, padding: "circular", transposed: true }).penalty, bruteForcePenalty(mt, alpha))).toBeLessThan(1e-12);
    }
  });

  it("the async form gives the same number", async () => {
    const c = cases[2];
    const kernel = kernelOf(c, 8);
    expect(await penaltyAsync(kernel, options(c, false))).toBe(penalty(kernel, options(c, false)));
  });

  // Beyond a few kernel sizes every class count is linear in the number of positions of a fixed
  // residue mod s, so F(N) is a quadratic in N on N = N0, N0 + s, ...: three brute-force values
  // extrapolate to F at N = 64 and N = 4096 exactly (up to rounding), independently of the engine.
  const extrapolated: Array<[string, number, number, number, LayerGeometry, number[]]> = [
    ["SAME s=2, output side", 3, 2, 3, geo(0, 0, 2), [14, 16, 18]],
    ["SAME s=2, input side (h > 4g)", 3, 1, 5, geo(0, 0, 2), [14, 16, 18]],
    ["VALID s=2 dilation 2", 3, 1, 2, geo(0, 0, 2, "valid", 2), [21, 23, 25]],
  ];
  for (const [why, k, g, h, shape, ns] of extrapolated)
    it(`${why}: F at N = 64 and 4096 (and 63, 4095 for VALID) from three brute-force values`, () => {
      const kernel = createKernel(randomData(k, g, h, 77), [k, k, g, h]);
      const f = (n: number) => bruteForcePenalty(bruteForceLayerM(kernel.data, k, g, h, { ...shape, height: n, width: n }).m, alpha);
      const [x0, x1, x2] = ns;
      const [y0, y1, y2] = ns.map(f);
      const lagrange = (x: number) =>
        (y0 * (x - x1) * (x - x2)) / ((x0 - x1) * (x0 - x2)) + (y1 * (x - x0) * (x - x2)) / ((x1 - x0) * (x1 - x2)) + (y2 * (x - x0) * (x - x1)) / ((x2 - x0) * (x2 - x1));
      const targets = shape.padding === "valid" ? [63, 4095] : [64, 4096];
      for (const n of targets) {
        const o = { n, alpha, stride: shape.stride, dilation: shape.dilation, padding: shape.padding };
        expect(relative(penalty(kernel, o), lagrange(n))).toBeLessThan(1e-9);
      }
    });
});

describe("layer options are validated", () => {
  const kernel = createKernel(randomData(3, 2, 2, 1), [3, 3, 2, 2]);
  const bad: Array<[Record<string, unknown>, string, string]> = [
    [{ stride: 0 }, "options.stride", "ERR_RANGE"],
    [{ stride: 1.5 }, "options.stride", "ERR_RANGE"],
    [{ dilation: 0 }, "options.dilation", "ERR_RANGE"],
    [{ width: 0 }, "options.width", "ERR_RANGE"],
    [{ padding: "same" }, "options.padding", "ERR_ARGUMENT"],
    [{ padding: "valid", n: 2 }, "options.n", "ERR_RANGE"],
    [{ padding: "valid", width: 4, dilation: 2 }, "options.width", "ERR_RANGE"],
    [{ padding: "circular", stride: 2 }, "options.stride", "ERR_ARGUMENT"],
    [{ padding: "circular", width: 5 }, "options.width", "ERR_ARGUMENT"],
    [{ stride: 2, engine: "dense" }, "options.engine", "ERR_ARGUMENT"],
  ];
  for (const [extra, name, code] of bad)
    it(`${JSON.stringify(extra)} names ${name}`, () => {
      const call = () => penalty(kernel, { n: 8, ...extra } as never);
      expect(call).toThrow(RangeError);
      expect(call).toThrow(name);
      try {
        call();
      } catch (e) {
        expect((e as { code: string }).code).toBe(code);
      }
      expect(() => gradient(kernel, { n: 8, ...extra } as never)).toThrow(name);
      expect(() => lineQuartic(kernel, kernel, { n: 8, ...extra } as never)).toThrow(name);
    });
  it("transposed must be a boolean", () => {
    expect(() => penalty(kernel, { n: 8, transposed: "yes" } as never)).toThrow(TypeError);
    expect(() => penalty(kernel, { n: 8, transposed: "yes" } as never)).toThrow("options.transposed");
  });
});
