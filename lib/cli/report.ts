/** `convreg report <model.json|weights_manifest.json>`: one row per conv layer of a TF.js model. */
import { writeFile } from "node:fs/promises";
import { reportModel, type LayerReport, type ModelReport, type ReportOptions, type ReportStart } from "../tfjs/report.js";
import { sigmaRangeSvg } from "../tfjs/svg.js";
import { integerFlag, onePositional, parseCommandArgs, positiveFlag, UsageError } from "./args.js";
import { jsonNumber, sig, table } from "./format.js";

export const usage = `convreg report <model.json|weights_manifest.json> [--input-size N] [--alpha A] [--json|--jsonl]
                [--svg out.svg] [--dense-limit WORK] [--memory-limit BYTES]`;

const shapeText = (s: readonly number[]) => s.join("x");

function row(l: LayerReport): string[] {
  return [
    l.layer.name,
    shapeText(l.layer.shape),
    String(l.n),
    l.nSource,
    l.penalty === null ? "-" : sig(l.penalty, 6),
    l.sigmaMax === null ? "-" : sig(l.sigmaMax, 6),
    l.sigmaMin === null ? "-" : sig(l.sigmaMin, 6),
    l.sigmaMinCertificate === null ? "-" : `${l.sigmaMinCertificate.split(":")[0]} (${l.sigmaMinBound})`,
    l.conditionNumber === null ? "-" : sig(l.conditionNumber, 4),
    l.method,
  ];
}

function text(report: ModelReport): string {
  const lines = [
    `model        ${report.file} (${report.kind} model, input shape ${report.inputShape ? `[${report.inputShape.map((d) => d ?? "null").join(", ")}]` : "not given"})`,
    `penalty      ||M^T M - ${report.alpha} I||_F^2 at each layer's N; M is the stride-1 zero-padded ("same") operator of the kernel`,
    "",
    table(["layer", "shape", "N", "N from", "penalty", "sigma_max", "sigma_min", "sigma_min is", "condition", "method"], report.layers.map(row)),
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
    shape: l.layer.shape,
    analysedShape: l.analysedShape,
    strides: l.layer.strides,
    padding: l.layer.padding,
    dilation: l.layer.dilation,
    n: l.n,
    nSource: l.nSource,
    penalty: l.penalty,
    sigmaMax: l.sigmaMax,
    sigmaMin: l.sigmaMin,
    sigmaMinCertificate: l.sigmaMinCertificate,
    sigmaMinBound: l.sigmaMinBound,
    conditionNumber: l.conditionNumber === null ? null : jsonNumber(l.conditionNumber),
    method: l.method,
    methodNote: l.methodNote,
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

/** Runs the command; returns the exit code. */
export async function report(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    "input-size": { type: "string" },
    alpha: { type: "string" },
    json: { type: "boolean", default: false },
    jsonl: { type: "boolean", default: false },
    svg: { type: "string" },
    "dense-limit": { type: "string" },
    "memory-limit": { type: "string" },
  });
  const file = onePositional(positionals, "model.json or weights manifest");
  const inputSize = values["input-size"] === undefined ? undefined : integerFlag(values["input-size"], "--input-size", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const denseWorkLimit = values["dense-limit"] === undefined ? undefined : positiveFlag(values["dense-limit"], "--dense-limit", 1);
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);
  if (values.json && values.jsonl) throw new UsageError("--json and --jsonl exclude each other");
  const format = values.jsonl ? "jsonl" : values.json ? "json" : "text";
  const stream = format === "text" ? {} : streamingOutput(format, out);
  const result = await reportModel(file, { inputSize, alpha, denseWorkLimit, memoryLimit, onProgress: progress(), ...stream });
  if (values.svg !== undefined) await writeFile(values.svg, sigmaRangeSvg(result));
  if (format === "json") out(`],"failedLayers":${summary(result).failedLayers}}`);
  else if (format === "jsonl") out(JSON.stringify({ type: "summary", ...summary(result) }));
  else out(text(result));
  return 0;
}
