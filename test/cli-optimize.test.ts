import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatKernel, randomKernel, readKernelFile, singularValues } from "../lib/index.js";
import type { HistoryRow } from "../lib/optimize/index.js";
import { parseXml } from "./xml.js";

const root = path.resolve(import.meta.dirname, "..");
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
const fresh = () => mkdtempSync(path.join(tmpdir(), "convreg-opt-"));

// Rows of our CSV: header, then cells; empty cells are null.
function readCsv(file: string): Array<Record<string, number | null>> {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const names = header.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((c, i) => [names[i], c === "" ? null : Number(c)])));
}

function expectCsvMatchesJson(csvFile: string, jsonFile: string): HistoryRow[] {
  const csv = readCsv(csvFile);
  const doc = JSON.parse(readFileSync(jsonFile, "utf8")) as { history: HistoryRow[] };
  expect(csv.length).toBe(doc.history.length);
  doc.history.forEach((row, i) => {
    const c = csv[i];
    expect([c.iteration, c.step, c.penalty, c.gradient_norm, c.gradient_evaluations, c.sigma_max, c.sigma_min, c.elapsed_ms]).toEqual([
      row.iteration,
      row.step,
      row.penalty,
      row.gradientNorm,
      row.gradientEvaluations,
      row.sigmaMax,
      row.sigmaMin,
      row.elapsedMs,
    ]);
  });
  return doc.history;
}

describe("convreg reproduce", () => {
  it("runs the four kernels, writes agreeing CSV/JSON histories and a four-panel figure, prints JSON", () => {
    const dir = fresh();
    const r = run("reproduce", "--iterations", "3", "--seed", "5", "--out", dir, "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.kernels.map((k: { shape: number[] }) => k.shape)).toEqual([
      [3, 3, 3, 1],
      [3, 3, 1, 3],
      [3, 3, 3, 6],
      [3, 3, 6, 3],
    ]);
    for (const [i, k] of report.kernels.entries()) {
      expect(k.seed).toBe(5 + i);
      expect(k.gradientEvaluations).toBe(4);
      const history = expectCsvMatchesJson(k.paths.historyCsv, k.paths.historyJson);
      expect(history.length).toBe(4);
      // The reported final values are the last row's, and sigma is what dgesvd gives for the seeded kernel at step 0.
      expect(k.final.penalty).toBe(history[3].penalty);
      expect(k.final.sigmaMax).toBe(history[3].sigmaMax);
      if (i >= 2) continue; // dgesvd of the two larger M is slow; the small ones check the pipeline
      const sv = singularValues(randomKernel(k.shape, { seed: 5 + i }), { n: 20, method: "svd" });
      expect(Math.abs(history[0].sigmaMax! - sv[0])).toBeLessThanOrEqual(1e-10 * sv[0]);
      expect(Math.abs(history[0].sigmaMin! - sv[sv.length - 1])).toBeLessThanOrEqual(1e-8 * sv[0]);
      expect(k.paths.figure).toBe(report.figure);
    }
    const elements = parseXml(readFileSync(report.figure, "utf8"));
    expect(elements.filter((e) => e.attributes.class === "panel").length).toBe(4);
    expect(elements.filter((e) => e.attributes.class === "sigma-max").length).toBe(4);
    expect(elements.filter((e) => e.attributes.class === "sigma-min").length).toBe(4);
    expect(elements.filter((e) => e.attributes.class === "title").map((e) => e.text)).toEqual([
      "3 x 3 x 3 x 1 kernel",
      "3 x 3 x 1 x 3 kernel",
      "3 x 3 x 3 x 6 kernel",
      "3 x 3 x 6 x 3 kernel",
    ]);
  });

  it("prints a summary table without --json and rejects bad flags", () => {
    const dir = fresh();
    const r = run("reproduce", "--iterations", "1", "--optimizer", "lbfgs", "--out", dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/optimizer lbfgs/);
    for (const shape of ["3x3x3x1", "3x3x1x3", "3x3x3x6", "3x3x6x3"]) expect(r.stdout).toContain(`| ${shape} |`);
    const bad = run("reproduce", "--optimizer", "sgd");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--optimizer must be one of paper, line-search, lbfgs/);
    expect(run("reproduce", "--iterations", "-1").stderr).toMatch(/--iterations/);
  });
});

describe("convreg optimize", () => {
  it("optimizes a kernel file and writes the kernel, the history and the plot", async () => {
    const dir = fresh();
    const input = path.join(dir, "k.npy");
    const start = randomKernel([3, 3, 2, 3], { seed: 9 });
    writeFileSync(input, formatKernel(start, "npy"));
    const [kOut, hCsv, hJson, plot] = ["out.npy", "h.csv", "h.json", "p.svg"].map((f) => path.join(dir, f));
    const r = run("optimize", input, "--n", "6", "--optimizer", "lbfgs", "--iterations", "200", "--tolerance", "0.01", "--out", kOut, "--history", hCsv, "--plot", plot, "--json");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.stopReason).toBe("tolerance");
    expect(report.paths).toEqual({ kernel: kOut, history: hCsv, plot });
    const result = await readKernelFile(kOut);
    const sv = singularValues(result, { n: 6, method: "svd" });
    expect(sv[0]).toBeLessThanOrEqual(1.01);
    expect(sv[sv.length - 1]).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(report.final.sigmaMax - sv[0])).toBeLessThan(1e-9);
    // The same run again with a JSON history agrees with the CSV one (apart from the timings).
    expect(run("optimize", input, "--n", "6", "--optimizer", "lbfgs", "--iterations", "200", "--tolerance", "0.01", "--history", hJson).status).toBe(0);
    const csv = readCsv(hCsv);
    const json = JSON.parse(readFileSync(hJson, "utf8")).history as HistoryRow[];
    expect(json.map((row) => [row.iteration, row.penalty, row.sigmaMin])).toEqual(csv.map((c) => [c.iteration, c.penalty, c.sigma_min]));
    const elements = parseXml(readFileSync(plot, "utf8"));
    expect(elements.filter((e) => e.attributes.class === "panel").length).toBe(1);
  });

  it("names the missing or bad flag", () => {
    const dir = fresh();
    const input = path.join(dir, "k.npy");
    writeFileSync(input, formatKernel(randomKernel([3, 3, 1, 1]), "npy"));
    expect(run("optimize", input).stderr).toMatch(/--n is required/);
    expect(run("optimize", input, "--n", "4", "--tolerance", "2").stderr).toMatch(/tolerance/);
    expect(run("optimize", path.join(dir, "missing.npy"), "--n", "4").status).toBe(1);
  });
});

describe("--tolerance", () => {
  const identityFile = () => {
    // Centre tap = identity: M = I, F = 0, every sigma = 1 (gradient zero).
    const data = new Float64Array(9 * 4);
    data[4 * 4 + 0] = 1;
    data[4 * 4 + 3] = 1;
    const file = path.join(fresh(), "identity.json");
    writeFileSync(file, JSON.stringify({ shape: [3, 3, 2, 2], layout: "hwio", data: Array.from(data) }));
    return file;
  };

  it("defaults to 0.01 for line-search and lbfgs and to off for the paper's optimizer; 0 turns it off", () => {
    const file = identityFile();
    const json = (...args: string[]) => {
      const r = run("optimize", file, "--n", "4", "--iterations", "5", "--json", ...args);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout);
    };
    const paper = json();
    expect([paper.tolerance, paper.stopReason, paper.iterations]).toEqual([null, "maxIterations", 5]);
    const lbfgs = json("--optimizer", "lbfgs");
    expect([lbfgs.tolerance, lbfgs.stopReason, lbfgs.toleranceProof, lbfgs.iterations]).toEqual([0.01, "tolerance", "frobenius", 0]);
    const lineSearch = json("--optimizer", "line-search", "--tolerance", "0.001");
    expect([lineSearch.tolerance, lineSearch.stopReason]).toEqual([0.001, "tolerance"]);
    const off = json("--optimizer", "lbfgs", "--tolerance", "0");
    expect([off.tolerance, off.stopReason]).toEqual([null, "stalled"]); // zero gradient: no step lowers F
    const paperWithTolerance = json("--tolerance", "0.05");
    expect([paperWithTolerance.tolerance, paperWithTolerance.stopReason]).toEqual([0.05, "tolerance"]);
    // The final spectrum is reported with its bounds: M = I.
    expect(Math.abs(lbfgs.final.sigmaMax - 1)).toBeLessThanOrEqual(lbfgs.final.sigmaMaxBound + 1e-15);
    expect(lbfgs.final.sigmaMinLower).toBeLessThanOrEqual(1);
    expect(lbfgs.final.sigmaMinUpper).toBeGreaterThanOrEqual(1);
  });

  it("reproduce reports its tolerance: off for paper, 0.01 for lbfgs by default", () => {
    const paper = JSON.parse(run("reproduce", "--iterations", "0", "--out", fresh(), "--json").stdout);
    expect(paper.tolerance).toBe(null);
    const lbfgs = JSON.parse(run("reproduce", "--iterations", "0", "--optimizer", "lbfgs", "--out", fresh(), "--json").stdout);
    expect(lbfgs.tolerance).toBe(0.01);
  });

  it("refuses values outside [0, 1), naming --tolerance, in reproduce and optimize", () => {
    const file = identityFile();
    for (const bad of ["1", "2", "-0.1", "abc", "", "Infinity"]) {
      for (const r of [run("reproduce", `--tolerance=${bad}`, "--out", fresh()), run("optimize", file, "--n", "4", `--tolerance=${bad}`)]) {
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/--tolerance must be a number in \[0, 1\)/);
      }
    }
  });
});
