// Type tests of the public API, checked by tsc (vitest typecheck mode, vitest.config.ts; nothing
// here runs). They import the packages by name, so they check the built .d.ts files that
// package.json "exports" points a user at.
import { describe, expectTypeOf, it } from "vitest";
import {
  createKernel,
  gradient,
  gradientAsync,
  penalty,
  penaltyAndGradient,
  penaltyAndGradientAsync,
  penaltyAsync,
  singularValues,
  singularValuesAsync,
  singularValuesDetailed,
  spectrum,
  spectrumAsync,
  transformMatrix,
  transformMatrixAsync,
  type BoundKind,
  type DenseMatrix,
  type Kernel,
  type PenaltyAndGradient,
  type SparseMatrix,
  type DenseRoute,
  type SingularValuesResult,
  type Spectrum,
  type SpectrumMethod,
} from "convreg";
import { optimize, type HistoryRow, type OptimizeResult, type SpectrumCheckMethod, type StopReason } from "convreg/optimize";
import { readTfjsModel, analyzeLayer, type LayerSpectrumMethod, type ModelKind, type TfjsModel } from "convreg/tfjs";
import { timeDgemm } from "convreg/bench";

const kernel = createKernel(new Float64Array(9), [3, 3, 1, 1]);

describe("penalties: sync returns values, async returns promises of the same", () => {
  it("penalty / gradient / penaltyAndGradient", () => {
    expectTypeOf(kernel).toEqualTypeOf<Kernel>();
    expectTypeOf(penalty(kernel, { n: 4 })).toEqualTypeOf<number>();
    expectTypeOf(penaltyAsync(kernel, { n: 4 })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(gradient(kernel, { n: 4 })).toEqualTypeOf<Kernel>();
    expectTypeOf(gradientAsync(kernel, { n: 4 })).toEqualTypeOf<Promise<Kernel>>();
    expectTypeOf(penaltyAndGradient(kernel, { n: 4 })).toEqualTypeOf<PenaltyAndGradient>();
    expectTypeOf(penaltyAndGradientAsync(kernel, { n: 4 })).toEqualTypeOf<Promise<PenaltyAndGradient>>();
    expectTypeOf(penaltyAndGradient(kernel, { n: 4 }).gradient).toEqualTypeOf<Kernel>();
    expectTypeOf(penalty).parameter(1).toHaveProperty("n").toEqualTypeOf<number>();
    // @ts-expect-error options are required
    penalty(kernel);
    // @ts-expect-error the engine is one of the listed names
    penalty(kernel, { n: 4, engine: "fast" });
  });

  it("transformMatrix: the dense flag picks the overload", () => {
    expectTypeOf(transformMatrix(kernel, { n: 4, dense: true })).toEqualTypeOf<DenseMatrix>();
    expectTypeOf(transformMatrix(kernel, { n: 4 })).toEqualTypeOf<SparseMatrix>();
    expectTypeOf(transformMatrixAsync(kernel, { n: 4, dense: true })).toEqualTypeOf<Promise<DenseMatrix>>();
    expectTypeOf(transformMatrixAsync(kernel, { n: 4, dense: false })).toEqualTypeOf<Promise<SparseMatrix>>();
  });
});

describe("spectra", () => {
  it("singularValues gives every value; spectrum the extremes with bounds", () => {
    expectTypeOf(singularValues(kernel, { n: 4 })).toEqualTypeOf<Float64Array>();
    expectTypeOf(singularValuesAsync(kernel, { n: 4, method: "gram" })).toEqualTypeOf<Promise<Float64Array>>();
    expectTypeOf(spectrum(kernel, { n: 4 })).toEqualTypeOf<Spectrum>();
    expectTypeOf(spectrumAsync(kernel, { n: 4, method: "certified" })).toEqualTypeOf<Promise<Spectrum>>();
    const s = spectrum(kernel, { n: 4, denseWorkLimit: 1e9 });
    expectTypeOf(s.sigmaMax).toEqualTypeOf<number>();
    expectTypeOf(s.sigmaMin).toEqualTypeOf<number | null>();
    expectTypeOf(s.sigmaMinLower).toEqualTypeOf<number | null>();
    expectTypeOf(s.values).toEqualTypeOf<Float64Array | null>();
    expectTypeOf(s.bound).toEqualTypeOf<{ sigmaMax: BoundKind; sigmaMin: BoundKind }>();
    expectTypeOf<SpectrumMethod>().toEqualTypeOf<"auto" | "dense" | "iterative" | "certified" | "pointwise" | "none">();
    // @ts-expect-error one vocabulary: the old "lanczos" is not a method name
    spectrum(kernel, { n: 4, method: "lanczos" });
  });

  it("the full spectrum's route is reported, and chosen by the same names", () => {
    const r = singularValuesDetailed(kernel, { n: 4, method: "auto", gramTolerance: 1e-8 });
    expectTypeOf(r).toEqualTypeOf<SingularValuesResult>();
    expectTypeOf(r.method).toEqualTypeOf<"svd" | "gram" | "fft" | "pointwise" | "mixed">();
    expectTypeOf(r.errorBounds).toEqualTypeOf<Float64Array>();
    expectTypeOf(spectrum(kernel, { n: 4, denseMethod: "gram" }).denseRoute).toEqualTypeOf<DenseRoute | undefined>();
    // @ts-expect-error the dense route is "svd", "gram" or "auto"
    spectrum(kernel, { n: 4, denseMethod: "fft" });
  });

  it("every other caller reports spectrum's method names", () => {
    expectTypeOf<LayerSpectrumMethod>().toEqualTypeOf<"dense" | "iterative" | "certified" | "pointwise">();
    expectTypeOf<SpectrumCheckMethod>().toEqualTypeOf<"dense" | "iterative" | "certified" | "none">();
    expectTypeOf<LayerSpectrumMethod>().toExtend<SpectrumMethod>();
    expectTypeOf<SpectrumCheckMethod>().toExtend<SpectrumMethod>();
    expectTypeOf(analyzeLayer(kernel, { n: 4 }))
      .resolves.toHaveProperty("method")
      .toEqualTypeOf<LayerSpectrumMethod>();
  });
});

describe("subpaths", () => {
  it("optimize resolves to its result", () => {
    const run = optimize(kernel, { n: 4 });
    expectTypeOf(run).toEqualTypeOf<Promise<OptimizeResult>>();
    expectTypeOf(run).resolves.toHaveProperty("kernel").toEqualTypeOf<Kernel>();
    expectTypeOf(run).resolves.toHaveProperty("history").toEqualTypeOf<HistoryRow[]>();
    expectTypeOf(run).resolves.toHaveProperty("stopReason").toEqualTypeOf<StopReason>();
    expectTypeOf(run).resolves.toHaveProperty("finalSpectrum").toHaveProperty("method").toEqualTypeOf<SpectrumCheckMethod>();
  });

  it("readTfjsModel resolves to a model", () => {
    expectTypeOf(readTfjsModel).parameters.toEqualTypeOf<[path: string]>();
    expectTypeOf(readTfjsModel("model.json")).toEqualTypeOf<Promise<TfjsModel>>();
    expectTypeOf<TfjsModel["kind"]>().toEqualTypeOf<ModelKind>();
  });

  it("bench timing", () => {
    expectTypeOf(timeDgemm(8, 8, 8)).toEqualTypeOf<{ ms: number; gflops: number }>();
  });

  it("internals are not importable from the entry points", async () => {
    // @ts-expect-error sigmaMin is internal (the route is spectrum with method "certified")
    const { sigmaMin } = await import("convreg");
    // @ts-expect-error optimize lives in convreg/optimize only
    const { optimize: fromMain } = await import("convreg");
    void sigmaMin;
    void fromMain;
  });
});
