// Shared benchmark helpers: timing with medians and spread, Markdown tables, result files.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

export const quick = process.argv.includes("--quick");
export const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** Runs `fn` (sync or async) `repeats` times after one warm-up; returns median, min, max in ms. */
export async function timeIt(fn, repeats) {
  await fn();
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], max: ms[ms.length - 1], repeats };
}

/** Significant-digit formatting for tables. */
export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** A Markdown table. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---:")), ...rows.map((r) => line(r.map(String)))].join("\n");
}

/** Writes bench/results/<name>.json with the machine context. */
export function writeResults(name, data) {
  const dir = path.join(benchDir, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), quick, node: process.version, ...data }, null, 2) + "\n");
  return file;
}

/** The command line that reproduces this script's run. */
export function reproduceCommand(script) {
  return `node bench/${script}${quick ? " --quick" : ""}`;
}
