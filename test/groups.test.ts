import { describe, expect, it } from "vitest";
import {
  createKernel,
  gradient,
  lineQuartic,
  lineQuarticAsync,
  penalty,
  penaltyAndGradient,
  penaltyAndGradientAsync,
  penaltyAsync,
  singularValues,
  singularValuesAsync,
  spectrum,
  transformMatrix,
  transformMatrixAsync,
  resolveSpectrumMethod,
  spectrumAsync,
  type Kernel,
} from "../lib/index.js";
import { sigmaMin } from "../lib/spectrum/sigma-min.js";
import { sigmaMaxIterative } from "../lib/spectrum/sigma-max.js";
import {
  bruteForceGradient,
  bruteForceLayerM,
  bruteForcePenalty,
  maxRelativeDiff,
  randomData,
  referenceSingularValues,
  transpose,
  type LayerGeometry,
  type Rows,
} from "./reference.js";

/**
 * The reference: a grouped (depthwise) kernel written out, from its definition in LAYERS.md, as
 * the plain kernel [k, k, g, h] it equals (zero where an output channel does not read an input
 * channel), and M built entry by entry from that. `place[e]` is where entry e of the grouped
 * kernel sits in the plain one.
 */
function plainKernel(kernel: Kernel, kind: { groups: number } | { depthwise: true }): { data: Float64Array; g: number; h: number; place: number[] } {
  const [k, , a, b] = kernel.shape;
  const depthwise = "depthwise" in kind;
  const g = depthwise ? a : a * kind.groups; // input channels of the layer
  const h = depthwise ? a * b : b; // output channels of the layer
  const data = new Float64Array(k * k * g * h);
  const place: number[] = [];
  for (let t = 0; t < k * k; t++)
    for (let i = 0; i < a; i++)
      for (let o = 0; o < b; o++) {
        // depthwise: K[t, c = i, j = o] feeds output c m + j from input c.
        // grouped: K[t, i, o] feeds output o from input grp (g/G) + i, grp = floor(o / (h/G)).
        const input = depthwise ? i : Math.floor(o / (h / (kind as { groups: number }).groups)) * a + i;
        const output = depthwise ? i * b + o : o;
        const e = (t * g + input) * h + output;
        data[e] = kernel.data[(t * a + i) * b + o];
        place.push(e);
      }
  return { data, g, h, place };
}

type Kind = { groups: number } | { depthwise: true };
type Case = { shape: [number, number, number, number]; kind: Kind; geo: LayerGeometry; transposed?: boolean; why: string };

const geo = (height: number, width: number, stride = 1, padding: "zero" | "valid" = "zero", dilation = 1): LayerGeometry => ({ height, width, stride, dilation, padding });
const isPlain = (g: LayerGeometry) => g.stride === 1 && g.dilation === 1 && g.padding === "zero" && g.height === g.width;

const cases: Case[] = [
  { shape: [3, 3, 2, 4], kind: { groups: 2 }, geo: geo(5, 5), why: "G=2, stride 1 (the paper's layer per group)" },
  { shape: [3, 3, 1, 6], kind: { groups: 3 }, geo: geo(4, 4), why: "G=3, one input channel per group" },
  { shape: [3, 3, 2, 4], kind: { groups: 2 }, geo: geo(6, 5, 2), why: "G=2, s=2 SAME, H != W" },
  { shape: [2, 2, 2, 2], kind: { groups: 2 }, geo: geo(5, 5, 3, "valid"), why: "G=2, k=2 s=3 VALID" },
  { shape: [3, 3, 2, 4], kind: { groups: 2 }, geo: geo(7, 6, 1, "zero", 2), why: "G=2, dilation 2" },
  { shape: [3, 3, 2, 4], kind: { groups: 2 }, geo: geo(5, 5, 2), transposed: true, why: "G=2, transposed s=2" },
  { shape: [3, 3, 3, 1], kind: { depthwise: true }, geo: geo(5, 5), why: "depthwise m=1" },
  { shape: [3, 3, 3, 2], kind: { depthwise: true }, geo: geo(4, 4), why: "depthwise m=2" },
  { shape: [3, 3, 2, 2], kind: { depthwise: true }, geo: geo(7, 5, 2), why: "depthwise m=2, s=2 SAME" },
  { shape: [3, 3, 2, 1], kind: { depthwise: true }, geo: geo(3, 3, 1, "valid"), why: "depthwise VALID N=k" },
  { shape: [3, 3, 2, 2], kind: { depthwise: true }, geo: geo(6, 6, 2), transposed: true, why: "depthwise transposed s=2" },
];

function layerOptions(c: Case, alpha: number) {
  const { height, width, stride, dilation, padding } = c.geo;
  return { n: height, width, stride, dilation, padding, transposed: c.transposed, alpha, ...c.kind };
}

/** M of the layer (the forward M, transposed for a transposed layer) and its entries' positions. */
function reference(c: Case, kernel: Kernel) {
  const plain = plainKernel(kernel, c.kind);
  const { m, omega } = bruteForceLayerM(plain.data, c.shape[0], plain.g, plain.h, c.geo);
  if (!c.transposed) return { m, omega, plain };
  const swapped = new Map<number, Array<[number, number]>>();
  for (const [e, list] of omega)
    swapped.set(
      e,
      list.map(([i, j]) => [j, i] as [number, number]),
    );
  return { m: transpose(m), omega: swapped, plain };
}

describe("grouped and depthwise layers against M written out from the definition", () => {
  for (const [index, c] of cases.entries()) {
    const alpha = 0.7;
    const kernel = createKernel(randomData(c.shape[0], c.shape[2], c.shape[3], 300 + index).subarray(0, c.shape[0] ** 2 * c.shape[2] * c.shape[3]), c.shape);
    it(`${c.why}: penalty, gradient and line quartic`, async () => {
      const { m, omega, plain } = reference(c, kernel);
      const f = bruteForcePenalty(m, alpha);
      const plainGradient = bruteForceGradient(m, omega, plain.data.length, alpha);
      const expected = plain.place.map((e) => plainGradient[e]);
      const options = layerOptions(c, alpha);
      expect(penalty(kernel, options)).toBeCloseTo(f, 9);
      expect(await penaltyAsync(kernel, options)).toBeCloseTo(f, 9);
      const both = penaltyAndGradient(kernel, options);
      expect(both.gradient.shape).toEqual(kernel.shape);
      expect(maxRelativeDiff(both.gradient.data, expected)).toBeLessThan(1e-12);
      expect(maxRelativeDiff(gradient(kernel, options).data, expected)).toBeLessThan(1e-12);
      expect(maxRelativeDiff((await penaltyAndGradientAsync(kernel, options)).gradient.data, expected)).toBeLessThan(1e-12);
      // The quartic against F(K + t D) of the written-out M at five values of t.
      const direction = createKernel(randomData(c.shape[0], c.shape[2], c.shape[3], 900 + index).subarray(0, kernel.data.length), c.shape);
      const coefficients = lineQuartic(kernel, direction, options);
      expect(Array.from(await lineQuarticAsync(kernel, direction, options))).toEqual(Array.from(coefficients));
      for (const t of [-1.5, -0.5, 0.25, 1, 2]) {
        const moved = createKernel(
          kernel.data.map((v, i) => v + t * direction.data[i]),
          c.shape,
        );
        const expectedF = bruteForcePenalty(reference(c, moved).m, alpha);
        const value = coefficients.reduce((sum, ci, p) => sum + ci * t ** p, 0);
        expect(Math.abs(value - expectedF) / expectedF).toBeLessThan(1e-11);
      }
    });
    if (isPlain(c.geo) && !c.transposed)
      it(`${c.why}: transformMatrix, singular values, spectrum and sigmaMin`, async () => {
        const { m, plain } = reference(c, kernel);
        const options = { n: c.geo.height, ...c.kind };
        const dense = transformMatrix(kernel, { ...options, dense: true });
        expect([dense.rows, dense.cols]).toEqual([m.length, m[0].length]);
        expect(Array.from(dense.data)).toEqual(m.flat());
        // The sparse M: same entries, and each stored entry index points at the kernel entry it holds.
        const sparse = transformMatrix(kernel, options);
        const rebuilt: Rows = Array.from({ length: sparse.rows }, () => new Array<number>(sparse.cols).fill(0));
        for (let r = 0; r < sparse.rows; r++)
          for (let z = sparse.rowStart[r]; z < sparse.rowStart[r + 1]; z++) {
            rebuilt[r][sparse.column[z]] += sparse.value[z];
            expect(kernel.data[sparse.entry[z]]).toBe(sparse.value[z]);
          }
        expect(rebuilt).toEqual(m);
        expect(await transformMatrixAsync(kernel, { ...options, dense: true })).toEqual(dense);
        expect(await transformMatrixAsync(kernel, options)).toEqual(sparse);
        const want = referenceSingularValues(m);
        const values = singularValues(kernel, options);
        expect(values.length).toBe(want.length);
        expect(maxRelativeDiff(values, want)).toBeLessThan(1e-10);
        expect(maxRelativeDiff(await singularValuesAsync(kernel, options), want)).toBeLessThan(1e-10);
        const s = spectrum(kernel, { ...options, method: "dense" });
        expect(s.sigmaMax).toBeCloseTo(want[0], 10);
        expect(s.sigmaMin).toBeCloseTo(want[want.length - 1], 10);
        expect(maxRelativeDiff(s.values!, want)).toBeLessThan(1e-10);
        expect(await spectrumAsync(kernel, { ...options, method: "dense" })).toEqual(s);
        // Lanczos per group: the largest group's sigma_max, bracketed above by the groups' symbol bounds.
        const iterative = spectrum(kernel, { ...options, method: "iterative" });
        expect(Math.abs(iterative.sigmaMax - want[0])).toBeLessThanOrEqual(iterative.sigmaMaxBound + 1e-12 * want[0]);
        expect(iterative.sigmaMaxUpper).toBeGreaterThanOrEqual(want[0] * (1 - 1e-12));
        expect(iterative.values).toBeNull();
        const certified = spectrum(kernel, { ...options, method: "certified" });
        expect(certified.sigmaMinLower!).toBeLessThanOrEqual(want[want.length - 1] + 1e-9 * want[0]);
        expect(certified.sigmaMinUpper!).toBeGreaterThanOrEqual(want[want.length - 1] - 1e-9 * want[0]);
        expect(certified.bound.sigmaMin).toBe("proven");
        const low = sigmaMin(kernel, options);
        const smallest = want[want.length - 1];
        expect(low.sigmaMin).toBeCloseTo(smallest, 8);
        // The reference (Jacobi on the Gram matrix) is good to about eps sigma_max^2 / sigma_min.
        const slack = 1e-9 * want[0];
        expect(low.lower).toBeLessThanOrEqual(smallest + slack);
        expect(low.upper).toBeGreaterThanOrEqual(smallest - slack);
        // The vector is a unit singular vector of the whole M on its side.
        const side = low.side === "input" ? m : transpose(m);
        const image = side.map((row) => row.reduce((sum, v, j) => sum + v * low.vector[j], 0));
        expect(Math.hypot(...low.vector)).toBeCloseTo(1, 10);
        expect(Math.hypot(...image)).toBeCloseTo(smallest, 7);
        expect(plain.data.length).toBeGreaterThan(kernel.data.length);
      });
  }

  it("groups: 1 and depthwise: false are the plain layer", () => {
    const kernel = createKernel(randomData(3, 2, 3, 5), [3, 3, 2, 3]);
    const plain = penaltyAndGradient(kernel, { n: 5 });
    expect(penaltyAndGradient(kernel, { n: 5, groups: 1 })).toEqual(plain);
    expect(penaltyAndGradient(kernel, { n: 5, depthwise: false })).toEqual(plain);
  });
});

describe("grouped and depthwise options: errors name the option", () => {
  const kernel = createKernel(randomData(3, 2, 4, 1), [3, 3, 2, 4]);
  it.each([
    [{ groups: 3 }, /options\.groups must divide the kernel's output channels \(shape\[3\] = 4\), got 3/],
    [{ groups: 0 }, /options\.groups/],
    [{ groups: 1.5 }, /options\.groups must be an integer/],
    [{ groups: 8 }, /options\.groups/],
    [{ groups: 2, depthwise: true }, /options\.groups and options\.depthwise exclude each other/],
  ])("%o", (extra, message) => {
    expect(() => penalty(kernel, { n: 4, ...extra })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_/), message: expect.stringMatching(message) }));
    expect(() => singularValues(kernel, { n: 4, ...extra })).toThrow(message);
  });
  it("a function that does not split groups refuses them rather than read the kernel as a plain one", () => {
    expect(() => sigmaMaxIterative(kernel, { n: 4, groups: 2 })).toThrow(/options\.groups and options\.depthwise are taken by penalty/);
    expect(() => sigmaMaxIterative(kernel, { n: 4, depthwise: true })).toThrow(/options\.groups and options\.depthwise are taken by penalty/);
    expect(sigmaMaxIterative(kernel, { n: 4, groups: 1 }).sigmaMax).toBe(sigmaMaxIterative(kernel, { n: 4 }).sigmaMax);
  });
  it("resolveSpectrumMethod resolves a grouped layer as its groups' spectrum calls do", () => {
    // Per group the dense SVD is G^2 times smaller: a limit between the two sizes tells them apart.
    const big = createKernel(randomData(3, 4, 8, 2), [3, 3, 4, 8]);
    const group = { n: 6, denseWorkLimit: 4e6 }; // plain [3, 3, 4, 8]: 288 x 144 x 144 = 6e6; a group: 144^3 = 3e6
    expect(resolveSpectrumMethod(big, { ...group, groups: 1 }).method).toBe("iterative");
    expect(resolveSpectrumMethod(createKernel(big.data.subarray(0, 9 * 4 * 4), [3, 3, 4, 4]), group).method).toBe("dense");
    expect(resolveSpectrumMethod(big, { ...group, groups: 2 }).method).toBe("dense");
  });
  it("non-boolean depthwise and non-number groups are type errors", () => {
    expect(() => penalty(kernel, { n: 4, depthwise: "yes" as unknown as boolean })).toThrow(/options\.depthwise must be a boolean/);
    expect(() => penalty(kernel, { n: 4, groups: "2" as unknown as number })).toThrow(/options\.groups must be a number/);
  });
  it("a direction of another shape is refused with the layer kernel's shape", () => {
    const direction = createKernel(new Float64Array(9 * 2 * 2), [3, 3, 2, 2]);
    expect(() => lineQuartic(kernel, direction, { n: 4, groups: 2 })).toThrow(/direction must have the kernel's shape \[3, 3, 2, 4\]/);
  });
});
