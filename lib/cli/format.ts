/** Number formatting shared by the CLI's human-readable output. */
import { maxOf } from "../core/arrays.js";

/** A number with `digits` significant digits, or "inf"/"nan". */
export function sig(value: number, digits = 6): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  return value === 0 ? "0" : value.toPrecision(digits);
}

/** A Markdown-style table with right-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(
      h.length,
      maxOf(
        rows.map((r) => r[i].length),
        0,
      ),
    ),
  );
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 1) + ":").join("|")}|`, ...rows.map(line)].join("\n");
}

/** JSON-safe number: non-finite values become null. */
export function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
