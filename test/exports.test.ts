// The public surface, entry point by entry point. Each list is written here by hand (not an
// auto-written snapshot), so adding, removing or renaming a public name means editing this test.
// The modules are imported by the package's own name, so package.json "exports" (self-reference,
// dist/) is what resolves them: this also proves the four subpaths work as a user imports them.
import { describe, expect, it } from "vitest";

const surface: Record<string, string[]> = {
  convreg: [
    "AUTO_DENSE_WORK_LIMIT",
    "ConvregError",
    "ConvregRangeError",
    "ConvregTypeError",
    "DEFAULT_GRAM_TOLERANCE",
    "MAX_CHANNELS",
    "MAX_KERNEL_SIDE",
    "applyLayer",
    "applyLayerAsync",
    "applyLayerTranspose",
    "applyLayerTransposeAsync",
    "createKernel",
    "formatKernel",
    "formatNpy",
    "getBlasThreads",
    "getMemoryLimit",
    "gradient",
    "gradientAsync",
    "isConvregError",
    "kernelFromNested",
    "kernelFromOIHW",
    "kernelToOIHW",
    "lineQuartic",
    "lineQuarticAsync",
    "parseKernel",
    "parseNpy",
    "penalty",
    "penaltyAndGradient",
    "penaltyAndGradientAsync",
    "penaltyAsync",
    "randomKernel",
    "readKernelFile",
    "readKernelFileDetailed",
    "resolveSpectrumMethod",
    "setBlasThreads",
    "setMemoryLimit",
    "sigmaMaxUpperBound",
    "sigmaMaxUpperBoundAsync",
    "singularValues",
    "singularValuesAsync",
    "singularValuesDetailed",
    "singularValuesDetailedAsync",
    "spectralPenaltyAndGradient",
    "spectralPenaltyAndGradientAsync",
    "spectralVectorLength",
    "spectrum",
    "spectrumAsync",
    "transformMatrix",
    "transformMatrixAsync",
    "writeKernelFile",
  ],
  "convreg/optimize": [
    "OPTIMIZERS",
    "PENALTY_METHODS",
    "constantSchedule",
    "figureSvg",
    "firstWithin",
    "frobeniusBound",
    "historyToCsv",
    "optimize",
    "paperSchedule",
    "piecewiseSchedule",
  ],
  "convreg/tfjs": [
    "REPORT_DENSE_WORK_LIMIT",
    "analyzeLayer",
    "findConvolutions",
    "layerKernel",
    "readTfjsModel",
    "readWeight",
    "reportLoadedModel",
    "reportModel",
    "sigmaRangeSvg",
    "writeModelWithWeight",
  ],
  "convreg/bench": ["activeNativeCalls", "nativeMemoryStats", "releaseFreeHeap", "timeDgemm", "timeDsyrk", "timeEngine"],
  "convreg/tfjs/training": [
    "ConvregRegularizer",
    "FrobeniusRegularizer",
    "TwoNormRegularizer",
    "addPenaltyGradients",
    "frobeniusRegularizer",
    "regularizeModel",
    "twoNormRegularizer",
  ],
};

/** Names that were public before the API was curated (issue 12) and must stay internal. */
const internal = [
  "nativeError",
  "requireKernel",
  "requireShape",
  "backtrack",
  "ARMIJO_C",
  "halfToNumber",
  "numberToHalf",
  "writeBytes",
  "sigmaMaxIterative",
  "sigmaMaxIterativeAsync",
  "sigmaMin",
  "sigmaMinAsync",
  "extremeSingularValues",
  "DENSE_WORK_LIMIT",
];

// Imported by a variable specifier so TypeScript does not try to resolve dist/ before the build.
const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

describe("public API", () => {
  for (const [entry, names] of Object.entries(surface)) {
    it(`${entry} exports exactly its listed names`, async () => {
      const mod = await load(entry);
      expect(Object.keys(mod).sort()).toEqual([...names].sort());
      for (const name of names) expect(mod[name], name).toBeDefined();
    });
  }

  it("no name is exported by two entry points, and the internals by none", () => {
    const all = Object.values(surface).flat();
    expect(new Set(all).size).toBe(all.length);
    for (const name of internal) expect(all).not.toContain(name);
  });

  it("the subpaths are the built modules of package.json exports, with their types", async () => {
    const pkg = (await load("convreg/package.json")) as { default: { exports: Record<string, { types: string; import: string }> } };
    expect(Object.keys(pkg.default.exports).sort()).toEqual([".", "./bench", "./optimize", "./package.json", "./tfjs", "./tfjs/training"]);
    for (const sub of ["./optimize", "./tfjs", "./bench", "./tfjs/training"]) {
      const e = pkg.default.exports[sub];
      expect(e.import).toBe(`./dist${sub.slice(1)}/index.js`);
      expect(e.types).toBe(`./dist${sub.slice(1)}/index.d.ts`);
    }
    // One call through a subpath, checked against the main entry's own result: same function, same numbers.
    const main = await load("convreg");
    const tfjs = await load("convreg/tfjs");
    const bench = await load("convreg/bench");
    expect(typeof tfjs.readTfjsModel).toBe("function");
    expect((bench.activeNativeCalls as () => number)()).toBe(0);
    const kernel = (main.createKernel as (d: number[], s: number[]) => unknown)([0, 0, 0, 0, 2, 0, 0, 0, 0], [3, 3, 1, 1]);
    // Only the centre tap (2) is set, so M = 2 I and every singular value is 2.
    const s = (main.spectrum as (k: unknown, o: object) => { sigmaMax: number; sigmaMin: number })(kernel, { n: 3, method: "dense" });
    expect(Math.abs(s.sigmaMax - 2)).toBeLessThan(1e-14);
    expect(Math.abs(s.sigmaMin - 2)).toBeLessThan(1e-14);
  });
});
