/** Fuzz classes over the public API: kernel constructors, the layer operations, limits, extremes. */
import * as main from "../../lib/index.js";
import { optimize } from "../../lib/optimize/index.js";
import { sigmaMaxIterative, sigmaMaxIterativeAsync } from "../../lib/spectrum/sigma-max.js";
import { sigmaMin, sigmaMinAsync } from "../../lib/spectrum/sigma-min.js";

/** The public entry point plus the internals these checks also exercise. */
const convreg = { ...main, optimize, sigmaMaxIterative, sigmaMaxIterativeAsync, sigmaMin, sigmaMinAsync };
import { createKernel, kernelFromNested, kernelFromOIHW, type Kernel } from "../../lib/index.js";
import type { FuzzCase, FuzzClass, Rng } from "./harness.js";
import { nonFinitePath, show } from "./harness.js";
import { ENORMOUS_N, HOSTILE_SCALARS, hostileData, hostileKernel, hostileOptions, hostileShape, randomData, smallKernel } from "./values.js";

type Op = { name: string; sync: (k: unknown, o: unknown) => unknown; async: (k: unknown, o: unknown) => Promise<unknown> };
const call = (f: unknown) => f as (k: unknown, o: unknown) => never;

const sameShapeKernel = (k: unknown): unknown => {
  const kk = k as { shape?: unknown; data?: unknown };
  return kk && kk.data instanceof Float64Array ? { shape: kk.shape, data: kk.data.map((v) => v / 2 + 0.25) } : k;
};
const vectorFor = (k: unknown, o: unknown, side: "in" | "out"): Float64Array => {
  const shape = (k as { shape?: number[] })?.shape;
  const n = (o as { n?: unknown })?.n;
  if (!Array.isArray(shape) || typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 64) return new Float64Array(4);
  const channels = shape[side === "in" ? 2 : 3];
  if (typeof channels !== "number" || !Number.isInteger(channels) || channels < 1 || channels > 64) return new Float64Array(4);
  return new Float64Array(channels * n * n).fill(0.5);
};

/** Every layer operation of the public API, sync and async. */
export const OPERATIONS: Op[] = [
  { name: "penalty", sync: call(convreg.penalty), async: call(convreg.penaltyAsync) },
  { name: "gradient", sync: call(convreg.gradient), async: call(convreg.gradientAsync) },
  { name: "penaltyAndGradient", sync: call(convreg.penaltyAndGradient), async: call(convreg.penaltyAndGradientAsync) },
  { name: "singularValues", sync: call(convreg.singularValues), async: call(convreg.singularValuesAsync) },
  { name: "transformMatrix", sync: call(convreg.transformMatrix), async: call(convreg.transformMatrixAsync) },
];

/** The APIs added by the other issues, for the hostile classes (their valid paths have their own tests). */
export const MORE_OPERATIONS: Op[] = [
  {
    name: "lineQuartic",
    sync: (k, o) => convreg.lineQuartic(k as never, sameShapeKernel(k) as never, o as never),
    async: (k, o) => convreg.lineQuarticAsync(k as never, sameShapeKernel(k) as never, o as never),
  },
  {
    name: "applyLayer",
    sync: (k, o) => convreg.applyLayer(k as never, vectorFor(k, o, "in"), o as never),
    async: (k, o) => convreg.applyLayerAsync(k as never, vectorFor(k, o, "in"), o as never),
  },
  {
    name: "applyLayerTranspose",
    sync: (k, o) => convreg.applyLayerTranspose(k as never, vectorFor(k, o, "out"), o as never),
    async: (k, o) => convreg.applyLayerTransposeAsync(k as never, vectorFor(k, o, "out"), o as never),
  },
  { name: "sigmaMaxIterative", sync: call(convreg.sigmaMaxIterative), async: call(convreg.sigmaMaxIterativeAsync) },
  { name: "sigmaMin", sync: call(convreg.sigmaMin), async: call(convreg.sigmaMinAsync) },
  { name: "spectrum", sync: call(convreg.spectrum), async: call(convreg.spectrumAsync) },
  { name: "spectralPenaltyAndGradient", sync: call(convreg.spectralPenaltyAndGradient), async: call(convreg.spectralPenaltyAndGradientAsync) },
  {
    name: "optimize",
    sync: (k, o) => convreg.optimize(k as never, { ...(o as object), maxIterations: 2, spectrumEvery: 0 } as never),
    async: (k, o) => convreg.optimize(k as never, { ...(o as object), maxIterations: 2, spectrumEvery: 0 } as never),
  },
];

/** spectrum() answers NaN/Infinity by design for method "none": its own check. */
function checkAny(result: unknown): string | undefined {
  const r = result as { method?: string };
  if (r && typeof r === "object" && r.method === "none") return undefined;
  return nonFinitePath(result);
}

function pickCall(r: Rng, kernel: unknown, options: unknown): { label: string; run: () => unknown; check: (v: unknown) => string | undefined } {
  const op = r.chance(0.35) ? r.pick(MORE_OPERATIONS) : r.pick(OPERATIONS);
  const isAsync = r.chance(0.3);
  return { label: `${op.name}${isAsync ? "Async" : ""}`, run: () => (isAsync ? op.async(kernel, options) : op.sync(kernel, options)), check: checkAny };
}

const describeShape = (k: Kernel) => k.shape.join("x");

/** Structural checks of a result of a valid call (on top of "every number finite"). */
function checkResult(op: string, kernel: Kernel, n: number) {
  const [k, , g, h] = kernel.shape;
  return (result: unknown): string | undefined => {
    const bad = nonFinitePath(result);
    if (bad) return bad;
    if (op.startsWith("penalty") && !op.includes("Gradient") && !((result as number) >= 0)) return `penalty ${result} < 0`;
    if (op.startsWith("gradient") && (result as Kernel).data.length !== kernel.data.length) return "gradient has the wrong length";
    if (op.startsWith("singularValues")) {
      const s = result as Float64Array;
      if (s.length !== Math.min(g, h) * n * n) return `${s.length} singular values, expected ${Math.min(g, h) * n * n}`;
      for (let i = 1; i < s.length; i++) if (s[i] > s[i - 1] || s[i] < 0) return `singular values not descending and >= 0 at ${i}`;
    }
    if (op.startsWith("transformMatrix")) {
      const m = result as { rows: number; cols: number };
      if (m.rows !== h * n * n || m.cols !== g * n * n) return `M is ${m.rows} x ${m.cols}`;
    }
    void k;
    return undefined;
  };
}

/** Random valid options for an operation on a small kernel. */
function validOptions(r: Rng, op: Op, n: number): Record<string, unknown> {
  const padding = r.pick(["zero", "circular", undefined]);
  const options: Record<string, unknown> = { n };
  if (op.name === "singularValues") {
    options.padding = padding;
    options.method = padding === "circular" ? r.pick(["fft", "svd", "gram", undefined]) : r.pick(["svd", "gram", undefined]);
  } else if (op.name === "transformMatrix") options.dense = r.chance(0.5);
  else {
    options.padding = padding;
    options.engine = r.pick(["auto", "dense", "structured", undefined]);
    options.alpha = r.pick([undefined, 1, 0.5 + r.uniform() * 2, 1e-3]);
  }
  return options;
}

/** A valid call on a kernel: `tweak` may change the options before the call. */
function validCall(r: Rng, kernel: Kernel, n: number, tweak?: (o: Record<string, unknown>, op: Op) => void): FuzzCase {
  const op = r.pick(OPERATIONS);
  const options = validOptions(r, op, n);
  tweak?.(options, op);
  const isAsync = r.chance(0.3);
  return {
    label: `${op.name}${isAsync ? "Async" : ""} ${describeShape(kernel)} ${JSON.stringify(options)}`,
    run: () => (isAsync ? op.async(kernel, options) : op.sync(kernel, options)),
    check: checkResult(op.name, kernel, n),
  };
}

export const apiClasses: FuzzClass[] = [
  {
    name: "kernel constructors (hostile shape/data)",
    weight: 14,
    make: (r) => {
      const shape = r.chance(0.5) ? hostileShape(r) : [r.int(1, 3), 0, r.int(1, 3), r.int(1, 3)].map((v, i, a) => (i === 1 ? a[0] : v));
      const num = (v: unknown) => (typeof v === "number" ? v : NaN);
      const length = Array.isArray(shape) && shape.length === 4 ? Math.floor(Math.min(200, Math.abs(num(shape[0]) * num(shape[1]) * num(shape[2]) * num(shape[3])) || 3)) : 3;
      const data = r.chance(0.7) ? hostileData(r, length) : randomData(r, length);
      const which = r.int(0, 2);
      if (which === 0) return { label: `createKernel(${show(shape)})`, run: () => createKernel(data as never, shape as never) };
      if (which === 1) return { label: `kernelFromOIHW(${show(shape)})`, run: () => kernelFromOIHW(data as never, shape as never) };
      const nested = r.pick([null, [], [[[[1]]]], [[[[1, 2]], [[3]]]], [[[["1"]]]], [[[[NaN]]]], [[[1]]], "[[[[1]]]]", [[[[1], [2]]]]]);
      return { label: `kernelFromNested(${JSON.stringify(nested)})`, run: () => kernelFromNested(nested as never, r.pick(["hwio", "oihw", "nchw", undefined]) as never) };
    },
  },
  {
    name: "operations (hostile kernel)",
    weight: 16,
    make: (r) => {
      const c = pickCall(r, hostileKernel(r), { n: r.int(1, 5) });
      return { ...c, label: `${c.label}(hostile kernel)` };
    },
  },
  {
    name: "operations (hostile options)",
    weight: 20,
    make: (r) => {
      const kernel = smallKernel(r, 3, 2);
      const options = hostileOptions(r);
      const c = pickCall(r, kernel, options);
      return { ...c, label: `${c.label} ${describeShape(kernel)} options ${show(options)}` };
    },
  },
  {
    name: "operations (valid, small)",
    weight: 16,
    make: (r) => {
      const kernel = r.chance(0.15)
        ? (() => {
            // A valid kernel whose data is a view at an offset into a larger buffer.
            const k = smallKernel(r, 3, 2);
            const big = new Float64Array(k.data.length + 3);
            big.set(k.data, 3);
            return { shape: k.shape, data: big.subarray(3) };
          })()
        : smallKernel(r);
      return validCall(r, kernel, r.int(1, 6));
    },
  },
  {
    name: "enormous sizes (refused before allocation)",
    weight: 8,
    make: (r) => {
      const wide = r.chance(0.1);
      const kernel = wide ? createKernel(new Float64Array(256 * 256), [1, 1, 256, 256]) : smallKernel(r, 3, 4);
      const n = wide ? r.pick([64, 128, 1024]) : r.pick(ENORMOUS_N);
      let structured = false;
      const c = validCall(r, kernel, n, (o, op) => {
        // The circular engine needs little memory but N^2 time: at these N it would legitimately run
        // for minutes, so enormous N only go to paths whose memory grows with N (or the structured engine).
        if (op.name !== "singularValues" && o.engine !== "dense") o.padding = "zero";
        // The structured engine's cost does not depend on N: zero padding with engine auto may answer.
        structured = /^penalty|^gradient/.test(op.name) && o.padding !== "circular" && o.engine !== "dense";
        // A 1 x 1 kernel's values and spectrum have a closed form (K's values, each N^2 times): they may answer.
        if (wide && /^singularValues|^spectrum/.test(op.name)) structured = true;
      });
      return { ...c, check: (v) => nonFinitePath(v), expectCodes: ["ERR_MEMORY_LIMIT", "ERR_RANGE"], allowResult: structured };
    },
  },
  {
    name: "memory limit option (tiny per-call limits)",
    weight: 4,
    make: (r) => {
      const limit = r.pick([1, 8]);
      const c = validCall(r, smallKernel(r, 3, 3), r.int(3, 6), (o) => (o.memoryLimit = limit));
      return { ...c, check: undefined, expectCodes: ["ERR_MEMORY_LIMIT"] };
    },
  },
  {
    name: "extreme values (tiny/huge entries, alpha at the edges)",
    weight: 10,
    make: (r) => {
      const base = smallKernel(r, 3, 2);
      const scale = 10 ** r.int(-320, 308);
      const data = base.data.map((v) => Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, v * scale)));
      if (r.chance(0.2)) data[0] = r.pick([Number.MIN_VALUE, -0, Number.MAX_VALUE, -Number.MAX_VALUE]);
      const kernel = createKernel(data, base.shape);
      const alpha = r.pick([Number.MIN_VALUE, 1e-300, 1e-12, 1, 1e12, 1e154, 1e300, Number.MAX_VALUE]);
      const c = validCall(r, kernel, r.int(1, 5), (o) => {
        if ("alpha" in o) o.alpha = alpha;
      });
      // Sizes still hold; values may overflow, which must be ERR_NONFINITE, never NaN in a result.
      return { ...c, label: `${c.label} scale ${scale}` };
    },
  },
  {
    name: "settings (memory limit, BLAS threads)",
    weight: 2,
    make: (r) => {
      const v = r.pick([...HOSTILE_SCALARS, 1, 2, 4]);
      if (r.chance(0.5))
        return {
          label: `setBlasThreads(${show(v)})`,
          run: () => {
            const before = convreg.getBlasThreads();
            try {
              convreg.setBlasThreads(v as number);
            } finally {
              convreg.setBlasThreads(before);
            }
          },
        };
      // Valid limits are restored at once so that the rest of the run keeps its limit.
      return {
        label: `setMemoryLimit(${show(v)})`,
        run: () => {
          const before = convreg.getMemoryLimit();
          try {
            convreg.setMemoryLimit(v as number);
          } finally {
            convreg.setMemoryLimit(before);
          }
        },
      };
    },
  },
];
