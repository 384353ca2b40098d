// Does the OpenBLAS version explain dgesdd being slower than numpy's SVD? The same M (the paper's four
// kernels at N = 20, built by bench/plain_numpy.py) through LAPACKE_dgesdd (jobz 'N') of Debian's
// OpenBLAS (what the addon links) and of the OpenBLAS numpy ships (its wheel's libscipy_openblas), both
// from one C++ harness (bench/dgesdd_blas.cpp, compiled into the temp directory), beside
// numpy.linalg.svd(M, compute_uv=False) and convreg's singularValues (method "svd" and the default route).
// Rounds are interleaved; each figure is the median of the rounds' medians. Wall and CPU time.
// Run: node bench/openblas-dgesdd.js [--quick]   (needs g++ and python3 with numpy; skipped, with the reason, otherwise)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setBlasThreads, singularValues, singularValuesDetailed } from "convreg";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const shapes = [
  [3, 3, 3, 1],
  [3, 3, 1, 3],
  [3, 3, 3, 6],
  [3, 3, 6, 3],
];
const n = 20;
const rounds = quick ? 1 : 3;
const repeats = quick ? 3 : 5;
// --quick: one BLAS thread only (CPU time compares the libraries; two threads mostly measure the load).
const threadCounts = quick ? ["1"] : ["1", "2"];
const tmp = mkdtempSync(path.join(os.tmpdir(), "convreg-dgesdd-"));
const harness = path.join(tmp, "dgesdd_blas");

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26, ...options });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/** Why this machine cannot run the comparison (no compiler, no numpy, no system LAPACKE), or null. */
function missing() {
  const compiler = spawnSync("g++", ["--version"], { encoding: "utf8" });
  if (compiler.error || compiler.status !== 0) return "g++ is not runnable";
  const np = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (np.error || np.status !== 0) return "python3 with numpy is not present";
  return null;
}
const reason = missing();
if (reason) {
  console.log(`bench/openblas-dgesdd.js skipped: ${reason}.`);
  process.exit(0);
}
run("g++", ["-O2", "-std=c++17", path.join(benchDir, "dgesdd_blas.cpp"), "-ldl", "-o", harness]);
const numpyLib = run("python3", ["-c", "import numpy, glob, os; print(glob.glob(os.path.join(os.path.dirname(numpy.__file__) + '.libs', 'libscipy_openblas*'))[0])"]).trim();
const numpySymbol = run("nm", ["-D", numpyLib])
  .split("\n")
  .map((l) => l.trim().split(/\s+/).at(-1))
  .find((s) => /^(scipy_)?LAPACKE_dgesdd(64_)?$/.test(s));
if (!numpySymbol) throw new Error(`no LAPACKE_dgesdd in ${numpyLib}`);
const libraries = [
  { name: "Debian OpenBLAS (addon)", lib: "liblapacke.so.3", symbol: "LAPACKE_dgesdd", ints: "int32" },
  { name: "numpy's OpenBLAS", lib: numpyLib, symbol: numpySymbol, ints: numpySymbol.includes("64_") ? "int64" : "int32" },
];
// biome-ignore lint/suspicious/noTemplateCurlyInString: ${Version} is dpkg-query's format field, not a JS template
const systemVersion = spawnSync("dpkg-query", ["-W", "-f=${Version}", "libopenblas0"], { encoding: "utf8" }).stdout?.trim() || "unknown";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const relDiff = (a, b) => Math.abs(a - b) / Math.abs(b);

/** Wall and CPU ms of `fn` over `repeats` calls after a warm-up (median). */
function timeConvreg(fn) {
  fn();
  const wall = [],
    cpu = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage(),
      w0 = performance.now();
    fn();
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

const rows = [];
const results = [];
let numpyInfo = null;
for (const threads of threadCounts) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads };
  setBlasThreads(Number(threads));
  for (const shape of shapes) {
    const kernel = paperKernel(shape);
    const matrix = path.join(tmp, `m-${shape.join("x")}.bin`);
    const samples = { numpy: [], convregSvd: [], convregDefault: [], ...Object.fromEntries(libraries.map((l) => [l.name, []])) };
    let route = null;
    for (let r = 0; r < rounds; r++) {
      const job = JSON.stringify({ shape, data: Array.from(kernel.data), n, repeats, out: matrix });
      const np = JSON.parse(run("python3", [path.join(benchDir, "dgesdd_numpy.py")], { input: job, env, cwd: benchDir }));
      numpyInfo = { numpy: np.numpy, blas: np.blas };
      samples.numpy.push(np);
      for (const l of libraries) {
        const out = JSON.parse(run(harness, [l.lib, l.symbol, l.ints, matrix, String(np.rows), String(np.cols), String(repeats)], { env }));
        if (relDiff(out.sigmaMin, np.sigmaMin) > 1e-10 || relDiff(out.sigmaMax, np.sigmaMax) > 1e-12) throw new Error(`${l.name} disagrees with numpy on ${shape.join("x")}`);
        samples[l.name].push(out);
      }
      let values = null;
      samples.convregSvd.push(timeConvreg(() => (values = singularValues(kernel, { n, method: "svd" }))));
      if (relDiff(values.at(-1), np.sigmaMin) > 1e-10) throw new Error(`convreg's dgesdd disagrees with numpy on ${shape.join("x")}`);
      samples.convregDefault.push(timeConvreg(() => (route = singularValuesDetailed(kernel, { n }).method)));
    }
    const wall = (k) => median(samples[k].map((s) => (Array.isArray(s.wallMs) ? s.wallMs[0] : s.wallMs)));
    const cpu = (k) => median(samples[k].map((s) => s.cpuMs));
    const [sys, npLib] = libraries.map((l) => l.name);
    rows.push([
      shape.join("x"),
      threads,
      `${fmt(wall(sys))} / ${fmt(cpu(sys))}`,
      `${fmt(wall(npLib))} / ${fmt(cpu(npLib))}`,
      fmt(wall(sys) / wall(npLib)),
      `${fmt(wall("numpy"))} / ${fmt(cpu("numpy"))}`,
      `${fmt(wall("convregSvd"))} / ${fmt(cpu("convregSvd"))}`,
      `${fmt(wall("convregDefault"))} / ${fmt(cpu("convregDefault"))} (${route})`,
      fmt(wall("numpy") / wall("convregDefault")),
    ]);
    results.push({ shape, n, threads: Number(threads), samples });
  }
}
rmSync(tmp, { recursive: true, force: true });

console.log(`\n## LAPACKE_dgesdd (jobz N) by OpenBLAS version, N = ${n}: wall / CPU ms (medians)\n`);
console.log(
  markdownTable(
    [
      "kernel",
      "BLAS threads",
      `Debian OpenBLAS ${systemVersion}`,
      `numpy's ${numpyInfo?.blas ?? "OpenBLAS"}`,
      "Debian / numpy's",
      `numpy ${numpyInfo?.numpy ?? ""} svd`,
      "convreg dgesdd",
      "convreg default route",
      "numpy / default",
    ],
    rows,
  ),
);
console.log(
  `\nBoth libraries run one C++ harness on the same column-major M (copy outside the timing). ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}; load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}.`,
);
console.log(`Reproduce: ${reproduceCommand("openblas-dgesdd.js")}`);
writeResults("openblas-dgesdd", { n, rounds, repeats, systemVersion, numpy: numpyInfo, libraries, results });
