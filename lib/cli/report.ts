/** `convreg report <model.json|weights_manifest.json>`: one row per conv layer of a TF.js model. */
import { writeFile } from "node:fs/promises";
import { reportModel, type LayerReport, type ModelReport } from "../tfjs/report.js";
import { sigmaRangeSvg } from "../tfjs/svg.js";
import { integerFlag, onePositional, parseCommandArgs, positiveFlag } from "./args.js";
import { jsonNumber, sig, table } from "./format.js";

export const usage = `convreg report <model.json|weights_manifest.json> [--input-size N] [--alpha A] [--json]
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
  if (noted.length > 0) lines.push("", "notes:", ...noted.flatMap((l) => l.notes.map((n) => `  ${l.layer.name}: ${n}`)));
  lines.push("", "methods:", ...report.layers.map((l) => `  ${l.layer.name}: ${l.methodNote}${l.sigmaMinCertificate ? `; sigma_min ${l.sigmaMinCertificate}` : ""}`));
  lines.push("", report.skipped.length === 0 ? "skipped: none" : "skipped:", ...report.skipped.map((s) => `  ${s.name} (${s.op}): ${s.reason}`));
  return lines.join("\n");
}

function json(report: ModelReport): string {
  return JSON.stringify({
    file: report.file,
    kind: report.kind,
    inputShape: report.inputShape,
    alpha: report.alpha,
    layers: report.layers.map((l) => ({
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
    })),
    skipped: report.skipped,
  });
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
    svg: { type: "string" },
    "dense-limit": { type: "string" },
    "memory-limit": { type: "string" },
  });
  const file = onePositional(positionals, "model.json or weights manifest");
  const inputSize = values["input-size"] === undefined ? undefined : integerFlag(values["input-size"], "--input-size", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const denseWorkLimit = values["dense-limit"] === undefined ? undefined : positiveFlag(values["dense-limit"], "--dense-limit", 1);
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);
  const result = await reportModel(file, { inputSize, alpha, denseWorkLimit, memoryLimit, onProgress: progress() });
  if (values.svg !== undefined) await writeFile(values.svg, sigmaRangeSvg(result));
  out(values.json ? json(result) : text(result));
  return 0;
}
