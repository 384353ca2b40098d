// Certified sigma_min (shift-invert on a CHOLMOD Cholesky of the Gram matrix) for a real trained
// 3x3x64x64 layer: the F_0 convolution of @upscalerjs/default-model 1.0.0 (MIT, TF.js format),
// read from its model.json and weight shard below. Time, CPU time and peak memory against N; each N
// runs in its own process so that its peak RSS is its own. N = 6 is checked against dense dgesvd.
// Run: npm run bench:sigma-min [-- --sizes 6,16,32,56] [--rounding probabilistic]  (--quick: N = 6, 8; default 6, 16)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createKernel, singularValues } from "convreg";
import { sigmaMinAsync } from "../dist/spectrum/sigma-min.js";
import { benchDir, fmt, markdownTable, quick, writeResults } from "./common.js";

const GiB = 1024 ** 3;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounding = arg("--rounding", "worst-case");

/** The F_0 kernel [3,3,64,64] (HWIO float32) from the package's weightsManifest and shard. */
function upscalerF0() {
  const dir = path.join(benchDir, "..", "node_modules", "@upscalerjs", "default-model", "models");
  const manifest = JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8")).weightsManifest;
  for (const group of manifest) {
    let offset = 0; // weights of a group are stored back to back in its shards
    const shards = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (w.dtype !== "float32" || w.quantization) throw new Error(`unexpected weight encoding for ${w.name}`);
      if (/(^|\/)F_0\/kernel/.test(w.name) && w.shape.join() === "3,3,64,64") {
        const bytes = shards.subarray(offset, offset + 4 * count);
        const f32 = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
        return createKernel(f32, [3, 3, 64, 64]);
      }
      offset += 4 * count;
    }
  }
  throw new Error("F_0/kernel [3,3,64,64] not found in @upscalerjs/default-model");
}

/** The try that came closest: its a-priori and a-posteriori Cholesky terms against the allowed margin. */
function marginSummary(detail) {
  const tries = detail.attempts.filter((a) => a.factored);
  if (tries.length === 0) return "-";
  const best = tries.reduce((b, a) => (a.allowedMargin - a.margin > b.allowedMargin - b.margin ? a : b));
  const post = best.residualComputed ? best.residualMargin.toExponential(2) : "-";
  return `${best.choleskyMargin.toExponential(2)} / ${post} / ${best.allowedMargin.toExponential(2)}`;
}

async function one(n) {
  const kernel = upscalerF0();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await sigmaMinAsync(kernel, { n, memoryLimit: 12 * GiB, factorMemoryLimit: 14 * GiB, rounding });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out = { n, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssBytes: process.resourceUsage().maxRSS * 1024, ...r };
  delete out.vector;
  if (n <= 6) {
    const s = singularValues(kernel, { n, method: "svd" });
    out.dgesvd = s[s.length - 1];
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

if (process.argv.includes("--one")) {
  await one(Number(arg("--one")));
} else {
  const sizes = arg("--sizes", quick ? "6,8" : "6,16")
    .split(",")
    .map(Number); // N = 32 (minutes): --sizes 6,16,32
  const load = os.loadavg()[0];
  const rows = [];
  const runs = [];
  for (const n of sizes) {
    const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--one", String(n), "--rounding", rounding], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (child.status !== 0) {
      console.log(`N = ${n}: failed (exit ${child.status}) ${child.stderr.trim().split("\n").slice(-3).join(" ")}`);
      runs.push({ n, failed: child.stderr.trim().split("\n").slice(-3).join(" ") });
      continue;
    }
    const r = JSON.parse(child.stdout.trim().split("\n").pop());
    runs.push(r);
    rows.push([
      n,
      r.sizes.order,
      fmt(r.sizes.factorNonzeros, 3),
      fmt(r.sizes.factorFlops / 1e9, 3),
      `${fmt(r.memory.factorBytes / GiB, 3)} / ${fmt(r.peakRssBytes / GiB, 3)}`,
      `${fmt(r.timing.factorSeconds, 3)} (${r.iterations.factorizations})`,
      fmt(r.seconds, 3),
      fmt(r.cpuSeconds, 3),
      r.sigmaMin.toPrecision(10),
      `[${r.lower.toPrecision(10)}, ${r.upper.toPrecision(10)}]`,
      fmt(r.relativeWidth, 2),
      `${r.certificate} (${r.bound})`,
      marginSummary(r.certificateDetail),
      fmt(r.timing.residualSeconds, 3),
      r.dgesvd === undefined ? "-" : r.dgesvd.toPrecision(10),
    ]);
    console.log(`N = ${n} done in ${fmt(r.seconds, 3)} s`);
  }
  console.log(`\nF_0 of @upscalerjs/default-model (3x3x64x64), ${rounding} rounding model, 1-min load average at start ${load.toFixed(1)} on ${os.cpus().length} cores\n`);
  console.log(
    markdownTable(
      [
        "N",
        "Gram order",
        "nnz(L)",
        "GFlop/factor",
        "factor / peak RSS GiB",
        "factor s (count)",
        "wall s",
        "CPU s",
        "sigma_min",
        "bracket",
        "rel. width",
        "certificate (bound)",
        "margin a priori / a posteriori / allowed",
        "residual s",
        "dgesvd",
      ],
      rows,
    ),
  );
  const name = sizes.join() === "6,16" && rounding === "worst-case" ? "sigma-min" : `sigma-min-${sizes.join("-")}-${rounding}`;
  const file = writeResults(name, { rounding, loadAverage: load, cores: os.cpus().length, runs });
  console.log(
    `\nwrote ${path.relative(process.cwd(), file)}\nreproduce: npm run bench:sigma-min -- --sizes ${sizes.join(",")}${rounding === "worst-case" ? "" : " --rounding " + rounding}`,
  );
}
