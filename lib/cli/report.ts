/** `convreg report <model.json|weights_manifest.json>`: one row per conv layer of a TF.js model. */
import { writeFile } from "node:fs/promises";
import { reportModel, type LayerReport, type ModelReport, type ReportOptions, type ReportStart } from "../tfjs/report.js";
import { sigmaRangeSvg } from "../tfjs/svg.js";
import { ConvregRangeError } from "../core/errors.js";
import { kindText } from "../tfjs/layer-options.js";
import type { InputSize } from "../tfjs/spatial.js";
import { choiceFlag, gramToleranceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag, UsageError } from "./args.js";
import { jsonNumber, sig, table } from "./format.js";

export const usage = `convreg report <model.json|weights_manifest.json> [--input-size H[xW]] [--input-value NAME=V ...]
                [--alpha A] [--json|--jsonl] [--svg out.svg] [--dense-limit WORK] [--memory-limit BYTES] [--spectrum auto|none]
                [--dense-method auto|svd|gram] [--gram-tolerance X]`;

const shapeText = (s: readonly number[]) => s.join("x");

/** sigma_max as the table shows it: exact, or the bracket [value, proven upper] and its relative width (upper - value) / upper. */
export function sigmaMaxText(l: Pick<LayerReport, "sigmaMax" | "sigmaMaxUpper">): string {
  if (l.sigmaMax === null && (l.sigmaMaxUpper ?? null) === null) return "-";
  if (l.sigmaMaxUpper === null || l.sigmaMaxUpper === undefined) return sig(l.sigmaMax as number, 6);
  const lower = l.sigmaMax === null || Number.isNaN(l.sigmaMax) ? 0 : l.sigmaMax;
  const width = l.sigmaMaxUpper > 0 ? (l.sigmaMaxUpper - lower) / l.sigmaMaxUpper : 0;
  return `[${sig(lower, 5)}, ${sig(l.sigmaMaxUpper, 5)}] (${sig(100 * width, 2)}%)`;
}

function row(l: LayerReport): string[] {
  return [
    l.layer.name,
    kindText(l.layer),
    shapeText(l.layer.shape),
    l.n === 0 ? "?" : `${l.n}x${l.width}`,
    l.nSource,
    l.penalty === null ? "-" : sig(l.penalty, 6),
    sigmaMaxText(l),
    l.sigmaMin === null ? "-" : sig(l.sigmaMin, 6),
    l.sigmaMinCertificate === null ? "-" : `${l.sigmaMinCertificate.split(":")[0]} (${l.sigmaMinBound})`,
    l.seconds.toFixed(2),
    l.error === null ? l.method : `failed ${l.error.code}`,
  ];
}

function text(report: ModelReport): string {
  const lines = [
    `model        ${report.file} (${report.kind} model, input shape ${report.inputShape ? `[${report.inputShape.map((d) => d ?? "null").join(", ")}]` : "not given"})`,
    `penalty      ||M^T M - ${report.alpha} I||_F^2 of each layer's own M (its stride, padding, dilation, groups; transposed: the forward M^T) at its input H x W`,
    "",
    table(["layer", "kind", "shape", "input", "from", "penalty", "sigma_max", "sigma_min", "sigma_min is", "s", "method"], report.layers.map(row)),
  ];
  const noted = report.layers.filter((l) => l.notes.length > 0);
  if (noted.length > 0) lines.push("", "notes:");
  for (const l of noted) for (const n of l.notes) lines.push(`  ${l.layer.name}: ${n}`);
  lines.push("", "methods:");
  for (const l of report.layers) lines.push(`  ${l.layer.name}: ${l.methodNote}${l.sigmaMinCertificate ? `; sigma_min ${l.sigmaMinCertificate}` : ""}`);
  lines.push("", report.skipped.length === 0 ? "skipped: none" : "skipped:");
  for (const s of report.skipped) lines.push(`  ${s.name} (${s.op}): ${s.reason}`);
  const failed = report.layers.filter((l) => l.error !== null);
  if (failed.length > 0) {
    lines.push("", `failed: ${failed.length} of ${report.layers.length} layers (their rows show what was still computed)`);
    for (const l of failed) lines.push(`  ${l.layer.name}: ${l.error!.message} [${l.error!.code}]`);
  }
  return lines.join("\n");
}

/** One layer as a JSON object (the element of "layers" in --json, one line of --jsonl). */
function layerJson(l: LayerReport): object {
  return {
    name: l.layer.name,
    weight: l.layer.weightName,
    op: l.layer.op,
    kind: l.layer.kind,
    groups: l.layer.groups,
    shape: l.layer.shape,
    analysedShape: l.analysedShape,
    strides: l.layer.strides,
    padding: l.layer.padding,
    dilation: l.layer.dilation,
    n: l.n,
    width: l.width,
    options: l.options,
    nSource: l.nSource,
    penalty: l.penalty,
    sigmaMax: l.sigmaMax,
    sigmaMaxBound: l.sigmaMaxBound,
    sigmaMaxUpper: l.sigmaMaxUpper,
    sigmaMin: l.sigmaMin,
    sigmaMinCertificate: l.sigmaMinCertificate,
    sigmaMinBound: l.sigmaMinBound,
    conditionNumber: l.conditionNumber === null ? null : jsonNumber(l.conditionNumber),
    method: l.method,
    methodNote: l.methodNote,
    seconds: l.seconds,
    notes: l.notes,
    error: l.error,
  };
}

/**
 * Streaming output: --json writes one JSON document whose "layers" rows appear one line each as
 * the layers finish; --jsonl writes one object per layer, then a summary line. Either way an
 * interrupted run keeps every finished layer.
 */
function streamingOutput(format: "json" | "jsonl", out: (s: string) => void): Pick<ReportOptions, "onStart" | "onLayer"> {
  if (format === "jsonl") return { onLayer: (l) => out(JSON.stringify({ type: "layer", ...layerJson(l) })) };
  return {
    onStart: (s: ReportStart) => {
      const head = JSON.stringify({ file: s.file, kind: s.kind, inputShape: s.inputShape, alpha: s.alpha, skipped: s.skipped });
      out(`${head.slice(0, -1)},"layers":[`);
    },
    onLayer: (l, index, total) => out(JSON.stringify(layerJson(l)) + (index < total - 1 ? "," : "")),
  };
}

function summary(report: ModelReport) {
  return {
    file: report.file,
    kind: report.kind,
    inputShape: report.inputShape,
    alpha: report.alpha,
    layers: report.layers.length,
    failedLayers: report.layers.filter((l) => l.error !== null).length,
    skipped: report.skipped,
  };
}

// A one-line progress display on stderr, only on a terminal.
function progress(): ((done: number, total: number, layer: string) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total, layer) => {
    process.stderr.write(done < total ? `\r\x1b[K[${done + 1}/${total}] ${layer}` : "\r\x1b[K");
  };
}

/** --input-size N or HxW (e.g. 192 or 144x256). */
export function inputSizeFlag(value: string): InputSize {
  const parts = value.split("x");
  if (parts.length === 2) {
    const h = Number(parts[0]);
    const w = Number(parts[1]);
    if (parts.every((p) => p.trim() !== "") && Number.isInteger(h) && Number.isInteger(w) && h >= 1 && w >= 1) return [h, w];
    throw new ConvregRangeError("ERR_RANGE", `--input-size must be an integer >= 1 or HxW with integers >= 1, got ${JSON.stringify(value)}`);
  }
  return integerFlag(value, "--input-size", 1);
}

/** --input-value NAME=V (repeatable): the value of a graph input that sizes tensors, e.g. downsample_ratio=0.5. */
export function inputValuesFlag(values: readonly string[] | undefined): Record<string, number> | undefined {
  if (values === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const item of values) {
    const at = item.indexOf("=");
    const value = Number(item.slice(at + 1));
    if (at < 1 || item.slice(at + 1).trim() === "" || !Number.isFinite(value))
      throw new ConvregRangeError("ERR_RANGE", `--input-value must be NAME=V with a graph input's name and a finite number, got ${JSON.stringify(item)}`);
    out[item.slice(0, at)] = value;
  }
  return out;
}

/** Runs the command; returns the exit code. */
export async function report(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    "input-size": { type: "string" },
    "input-value": { type: "string", multiple: true },
    alpha: { type: "string" },
    json: { type: "boolean", default: false },
    jsonl: { type: "boolean", default: false },
    svg: { type: "string" },
    "dense-limit": { type: "string" },
    "memory-limit": { type: "string" },
    spectrum: { type: "string" },
    "dense-method": { type: "string" },
    "gram-tolerance": { type: "string" },
  });
  const file = onePositional(positionals, "model.json or weights manifest");
  const inputSize = values["input-size"] === undefined ? undefined : inputSizeFlag(values["input-size"]);
  const inputValues = inputValuesFlag(values["input-value"]);
  const spectrum = choiceFlag(values.spectrum, "--spectrum", ["auto", "none"] as const, "auto");
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const denseWorkLimit = values["dense-limit"] === undefined ? undefined : positiveFlag(values["dense-limit"], "--dense-limit", 1);
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);
  // The route of each dense spectrum (the layers small enough for one): the library's defaults when absent.
  const denseMethod = choiceFlag(values["dense-method"], "--dense-method", ["auto", "svd", "gram"] as const, "auto");
  const gramTolerance = gramToleranceFlag(values["gram-tolerance"]);
  if (values.json && values.jsonl) throw new UsageError("--json and --jsonl exclude each other");
  const format = values.jsonl ? "jsonl" : values.json ? "json" : "text";
  const stream = format === "text" ? {} : streamingOutput(format, out);
  const result = await reportModel(file, { inputSize, inputValues, alpha, denseWorkLimit, memoryLimit, spectrum, denseMethod, gramTolerance, onProgress: progress(), ...stream });
  if (values.svg !== undefined) await writeFile(values.svg, sigmaRangeSvg(result));
  if (format === "json") out(`],"failedLayers":${summary(result).failedLayers}}`);
  else if (format === "jsonl") out(JSON.stringify({ type: "summary", ...summary(result) }));
  else out(text(result));
  return 0;
}
