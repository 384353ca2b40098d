// Against what a user would write instead: the paper's dense construction in plain JavaScript with
// ml-matrix (a pinned devDependency) and in numpy (bench/plain_numpy.py, run as a subprocess when
// python3 with numpy is present; skipped with the reason printed otherwise): penalty + gradient and
// the singular values of M, beside convreg's structured engine, dense engine (sparse Gram), the
// default full-spectrum route (the Gram route when its bound meets gramTolerance, else dgesdd; the
// row names the route that ran), dgesdd and the Gram route, in one run: the four paper kernels at N = 20 and 3x3x16x16 at N = 16.
// Each implementation's results are checked against convreg's before its time is reported; the
// Gram route's values are checked against dgesdd's and against their stated per-value bound.
// --quick times each plain implementation once (ml-matrix takes seconds per call here).
// Run: node bench/vs-plain.js [--quick]
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { getBlasThreads, penaltyAndGradient, singularValues, singularValuesDetailed } from "convreg";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const alpha = 1;
// svd: false where the dense SVD of M (4096 x 4096) alone takes minutes in every implementation.
const cases = [
  { shape: [3, 3, 3, 1], n: 20 },
  { shape: [3, 3, 1, 3], n: 20 },
  { shape: [3, 3, 3, 6], n: 20 },
  { shape: [3, 3, 6, 3], n: 20 },
  { shape: [3, 3, 16, 16], n: 16, svd: false },
];
const repeats = 3; // odd: the median is a measured run
const plainRepeats = quick ? 1 : 3;
// ml-matrix (plain JS products) past this many multiply-adds takes minutes: skipped, and said so.
const plainWorkLimit = quick ? 1e9 : 4e9;

// ---- plain JavaScript with ml-matrix: M by definition, Omega as a list of positions ----
function plainBuild(kernel, n) {
  const [k, , g, h] = kernel.shape;
  const first = 1 - Math.ceil(k / 2);
  const m = Matrix.zeros(h * n * n, g * n * n);
  const omega = []; // [row, col, entry]
  for (let p = 0; p < k; p++)
    for (let q = 0; q < k; q++)
      for (let d = 0; d < g; d++)
        for (let c = 0; c < h; c++) {
          const e = ((p * k + q) * g + d) * h + c;
          for (let r = 0; r < n; r++)
            for (let s = 0; s < n; s++) {
              const rr = r + first + p,
                ss = s + first + q;
              if (rr < 0 || rr >= n || ss < 0 || ss >= n) continue;
              const i = c * n * n + r * n + s,
                j = d * n * n + rr * n + ss;
              m.set(i, j, m.get(i, j) + kernel.data[e]);
              omega.push([i, j, e]);
            }
        }
  return { m, omega };
}

function plainPenaltyAndGradient(kernel, n) {
  const { m, omega } = plainBuild(kernel, n);
  const gram = m.transpose().mmul(m).sub(Matrix.eye(m.columns).mul(alpha));
  let f = 0;
  for (let i = 0; i < gram.rows; i++) for (let j = 0; j < gram.columns; j++) f += gram.get(i, j) ** 2;
  const r = m.mmul(gram);
  const grad = new Float64Array(kernel.data.length);
  for (const [i, j, e] of omega) grad[e] += 4 * r.get(i, j);
  return { penalty: f, gradient: grad };
}

function plainSingularValues(kernel, n) {
  const { m } = plainBuild(kernel, n);
  // ml-matrix's SVD wants rows >= columns; the singular values of M^T are the same.
  const a = m.rows >= m.columns ? m : m.transpose();
  return new SingularValueDecomposition(a, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: false }).diagonal;
}

// ---- numpy (subprocess) ----
function numpyAvailable() {
  const r = spawnSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" });
  if (r.error) return { ok: false, reason: `python3 not runnable (${r.error.code})` };
  if (r.status !== 0) return { ok: false, reason: `python3 has no numpy (${r.stderr.trim().split("\n").at(-1)})` };
  return { ok: true, version: r.stdout.trim() };
}

function runNumpy(kernel, n, svd) {
  const job = JSON.stringify({ shape: kernel.shape, data: Array.from(kernel.data), n, alpha, repeats, svd });
  const r = spawnSync("python3", [path.join(benchDir, "plain_numpy.py")], { input: job, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bench/plain_numpy.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const relDiff = (a, b) => Math.abs(a - b) / Math.abs(b);
function maxRelDiff(a, b) {
  let d = 0,
    s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

const numpy = numpyAvailable();
const rows = [],
  checks = [],
  results = [];
const span = (t) => `${fmt(t.median)} (${fmt(t.min)}-${fmt(t.max)})`;
for (const { shape, n, svd: withSvd = true } of cases) {
  const kernel = paperKernel(shape);
  const [, , g, h] = shape;
  const side = Math.min(g, h) * n * n,
    other = Math.max(g, h) * n * n;
  const plainFits = side * side * other <= plainWorkLimit;
  const ref = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
  const structured = await timeIt(() => penaltyAndGradient(kernel, { n, alpha, engine: "structured" }), repeats * 5);
  const dense = await timeIt(() => penaltyAndGradient(kernel, { n, alpha, engine: "dense" }), repeats);
  let refSigma = null,
    svd = null,
    gram = null,
    gramSigma = null,
    auto = null,
    autoOut = null;
  if (withSvd) {
    auto = await timeIt(() => (autoOut = singularValuesDetailed(kernel, { n })), repeats);
    svd = await timeIt(() => (refSigma = singularValues(kernel, { n, method: "svd" })), repeats);
    gram = await timeIt(() => (gramSigma = singularValues(kernel, { n, method: "gram" })), repeats);
    // The Gram route's stated bound per value: min(sqrt(delta), delta / sigma), delta = side eps sigma_max^2.
    const delta = side * Number.EPSILON * gramSigma[0] ** 2;
    let worst = 0,
      worstRel = 0;
    for (let i = 0; i < refSigma.length; i++) {
      const err = Math.abs(gramSigma[i] - refSigma[i]);
      const bound = Math.min(Math.sqrt(delta), delta / gramSigma[i]);
      worst = Math.max(worst, err / bound);
      worstRel = Math.max(worstRel, err / refSigma[i]);
    }
    if (!(worst <= 1)) throw new Error(`the Gram route broke its stated bound on ${shape.join("x")} (error / bound ${worst})`);
    if (maxRelDiff(autoOut.values, refSigma) > 1e-9) throw new Error(`the default route disagrees with dgesdd on ${shape.join("x")}`);
    checks.push([shape.join("x"), n, "convreg gram (dsyevd)", "-", "-", `${fmt(worstRel)} (max rel. per value; error/bound ${fmt(worst)})`]);
  }
  let plainOut,
    plainSigma,
    plainPg = null,
    plainSvd = null;
  if (plainFits) {
    plainPg = await timeIt(() => (plainOut = plainPenaltyAndGradient(kernel, n)), plainRepeats);
    if (withSvd) plainSvd = await timeIt(() => (plainSigma = plainSingularValues(kernel, n)), plainRepeats);
  }
  const np = numpy.ok ? runNumpy(kernel, n, withSvd) : null;
  const check = (name, out, sigmaMax) => {
    const c = {
      name,
      penalty: relDiff(out.penalty, ref.penalty),
      gradient: maxRelDiff(out.gradient, ref.gradient.data),
      sigmaMax: sigmaMax === null ? 0 : relDiff(sigmaMax, refSigma[0]),
    };
    if (!(c.penalty < 1e-9 && c.gradient < 1e-9 && c.sigmaMax < 1e-9)) throw new Error(`${name} disagrees with convreg on ${shape.join("x")}: ${JSON.stringify(c)}`);
    checks.push([shape.join("x"), n, name, fmt(c.penalty), fmt(c.gradient), sigmaMax === null ? "-" : fmt(c.sigmaMax)]);
  };
  if (plainFits) check("ml-matrix", plainOut, withSvd ? Math.max(...plainSigma) : null);
  if (np) check("numpy", { penalty: np.penalty, gradient: np.gradient }, withSvd ? np.sigmaMax : null);
  const row = (what, convreg, plain, npT) => [
    shape.join("x"),
    n,
    what,
    span(convreg),
    plain ? span(plain) : plainFits ? "-" : "skipped (minutes)",
    plain ? fmt(plain.median / convreg.median) : "-",
    npT ? span(npT) : numpy.ok ? "-" : "skipped",
    npT ? fmt(npT.median / convreg.median) : "-",
  ];
  rows.push(row("F+grad (convreg structured)", structured, plainPg, np?.penaltyGradientMs));
  rows.push(row("F+grad (convreg dense)", dense, plainPg, np?.penaltyGradientMs));
  if (withSvd) {
    rows.push(row(`all singular values (default route: ${autoOut.method})`, auto, plainSvd, np?.svdMs));
    rows.push(row("all singular values (dgesdd)", svd, plainSvd, np?.svdMs));
    rows.push(row("all singular values (Gram, dsyevd)", gram, plainSvd, np?.svdMs));
  }
  results.push({
    shape,
    n,
    structured,
    dense,
    svd,
    gram,
    defaultRoute: auto ? { ...auto, method: autoOut.method, relativeErrorBound: autoOut.relativeErrorBound, gramTolerance: autoOut.gramTolerance } : null,
    plainPenaltyGradient: plainPg,
    plainSvd,
    numpy: np ? { penaltyGradientMs: np.penaltyGradientMs, svdMs: np.svdMs ?? null, version: np.numpy, blas: np.blas } : null,
  });
}

console.log(`\n## convreg against plain implementations, median (min-max) ms\n`);
console.log(markdownTable(["kernel", "N", "task", "convreg", "plain JS (ml-matrix)", "speedup vs JS", `numpy${numpy.ok ? " " + numpy.version : ""}`, "speedup vs numpy"], rows));
console.log(`\nEvery plain result was checked against convreg's dense engine and dgesdd (relative differences):\n`);
console.log(markdownTable(["kernel", "N", "implementation", "penalty", "gradient (max, rel. to largest)", "sigma_max"], checks));
if (!numpy.ok) console.log(`\nnumpy skipped: ${numpy.reason}.`);
const npBlas = results.find((r) => r.numpy)?.numpy.blas;
// The addon links the system OpenBLAS (Debian's libopenblas0 here).
// biome-ignore lint/suspicious/noTemplateCurlyInString: ${Version} is dpkg-query's format field, not a JS template
const systemBlas = spawnSync("dpkg-query", ["-W", "-f=${Version}", "libopenblas0"], { encoding: "utf8" }).stdout?.trim() || "unknown";
console.log(
  `\nBLAS: convreg OpenBLAS ${systemBlas} (${getBlasThreads()} threads); numpy ${npBlas ?? "-"} with its default threads. ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}.`,
);
console.log(`The Gram route's values err by at most min(sqrt(d), d / sigma), d = side * eps * sigma_max^2 (checked above against dgesdd).`);
console.log(
  `The default route takes the Gram route when that bound gives every value to gramTolerance (default 1e-10 relative), else dgesdd. Load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}.`,
);
console.log(`Reproduce: ${reproduceCommand("vs-plain.js")}`);
writeResults("vs-plain", { alpha, cases, numpy, results });
