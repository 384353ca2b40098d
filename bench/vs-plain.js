// Against what a user would write instead: the paper's dense construction in plain JavaScript with
// ml-matrix (a pinned devDependency) and in numpy (bench/plain_numpy.py, run as a subprocess when
// python3 with numpy is present; skipped with the reason printed otherwise): penalty + gradient and
// the singular values of M, beside convreg's structured engine, dense engine and dgesvd, in one run.
// Each implementation's results are checked against convreg's before its time is reported.
// Run: node bench/vs-plain.js [--quick]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { penaltyAndGradient, singularValues } from "convreg";
import { benchDir, fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";
import { paperKernel } from "./kernels.js";

const alpha = 1;
const cases = quick
  ? [
      { shape: [3, 3, 3, 1], n: 6 },
      { shape: [3, 3, 3, 6], n: 4 },
    ]
  : [
      { shape: [3, 3, 3, 1], n: 20 },
      { shape: [3, 3, 3, 6], n: 12 },
    ]; // their mirrors 3x3x1x3, 3x3x6x3 cost the same
const repeats = 3; // odd: the median is a measured run

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

function runNumpy(kernel, n) {
  const job = JSON.stringify({ shape: kernel.shape, data: Array.from(kernel.data), n, alpha, repeats });
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
for (const { shape, n } of cases) {
  const kernel = paperKernel(shape);
  const ref = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
  const refSigma = singularValues(kernel, { n, method: "svd" });
  const structured = await timeIt(() => penaltyAndGradient(kernel, { n, alpha, engine: "structured" }), repeats * 5);
  const dense = await timeIt(() => penaltyAndGradient(kernel, { n, alpha, engine: "dense" }), repeats);
  const svd = await timeIt(() => singularValues(kernel, { n, method: "svd" }), repeats);
  let plainOut, plainSigma;
  const plainPg = await timeIt(() => (plainOut = plainPenaltyAndGradient(kernel, n)), repeats);
  const plainSvd = await timeIt(() => (plainSigma = plainSingularValues(kernel, n)), repeats);
  const np = numpy.ok ? runNumpy(kernel, n) : null;
  const check = (name, out, sigmaMax) => {
    const c = { name, penalty: relDiff(out.penalty, ref.penalty), gradient: maxRelDiff(out.gradient, ref.gradient.data), sigmaMax: relDiff(sigmaMax, refSigma[0]) };
    if (!(c.penalty < 1e-9 && c.gradient < 1e-9 && c.sigmaMax < 1e-9)) throw new Error(`${name} disagrees with convreg on ${shape.join("x")}: ${JSON.stringify(c)}`);
    checks.push([shape.join("x"), n, name, fmt(c.penalty), fmt(c.gradient), fmt(c.sigmaMax)]);
  };
  check("ml-matrix", plainOut, Math.max(...plainSigma));
  if (np) check("numpy", { penalty: np.penalty, gradient: np.gradient }, np.sigmaMax);
  const span = (t) => `${fmt(t.median)} (${fmt(t.min)}-${fmt(t.max)})`;
  const row = (what, convreg, plain, npT) => [
    shape.join("x"),
    n,
    what,
    span(convreg),
    span(plain),
    fmt(plain.median / convreg.median),
    npT ? span(npT) : "skipped",
    npT ? fmt(npT.median / convreg.median) : "-",
  ];
  rows.push(row("F+grad (convreg structured)", structured, plainPg, np?.penaltyGradientMs));
  rows.push(row("F+grad (convreg dense)", dense, plainPg, np?.penaltyGradientMs));
  rows.push(row("all singular values (dgesvd)", svd, plainSvd, np?.svdMs));
  results.push({
    shape,
    n,
    structured,
    dense,
    svd,
    plainPenaltyGradient: plainPg,
    plainSvd,
    numpy: np ? { penaltyGradientMs: np.penaltyGradientMs, svdMs: np.svdMs, version: np.numpy } : null,
  });
}

console.log(`\n## convreg against plain implementations, median (min-max) ms\n`);
console.log(markdownTable(["kernel", "N", "task", "convreg", "plain JS (ml-matrix)", "speedup vs JS", `numpy${numpy.ok ? " " + numpy.version : ""}`, "speedup vs numpy"], rows));
console.log(`\nEvery plain result was checked against convreg's dense engine and dgesvd (relative differences):\n`);
console.log(markdownTable(["kernel", "N", "implementation", "penalty", "gradient (max, rel. to largest)", "sigma_max"], checks));
if (!numpy.ok) console.log(`\nnumpy skipped: ${numpy.reason}.`);
console.log(`\nnumpy uses its own bundled BLAS with its default threads; convreg's BLAS threads as configured.`);
console.log(`Reproduce: ${reproduceCommand("vs-plain.js")}`);
writeResults("vs-plain", { alpha, cases, numpy, results });
