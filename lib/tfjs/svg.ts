/** An SVG chart of each layer's singular value range [sigma_min, sigma_max] on a log axis. */
import { maxOf, minOf } from "../core/arrays.js";
import type { ModelReport } from "./report.js";

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The chart as an SVG document (one horizontal bar per layer, a dashed line at sqrt(alpha)). */
export function sigmaRangeSvg(report: ModelReport): string {
  const rowHeight = 22;
  const left = 190;
  const width = 760;
  const plotWidth = width - left - 30;
  const top = 40;
  const height = top + rowHeight * report.layers.length + 50;
  const target = Math.sqrt(report.alpha);
  const values = report.layers.flatMap((l) => [l.sigmaMin, l.sigmaMax]).filter((v): v is number => v !== null && v > 0);
  values.push(target);
  const lo = Math.floor(Math.log10(minOf(values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(maxOf(values))));
  const x = (v: number) => left + ((Math.log10(v) - lo) / (hi - lo)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14">Singular values of M per conv layer, [sigma_min, sigma_max] (log scale): ${escapeXml(report.file.split(/[\\/]/).slice(-2).join("/"))}</text>`,
  ];
  const bottom = top + rowHeight * report.layers.length;
  for (let e = lo; e <= hi; e++) {
    const xe = x(10 ** e).toFixed(1);
    parts.push(`<line x1="${xe}" y1="${top - 6}" x2="${xe}" y2="${bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${xe}" y="${bottom + 16}" text-anchor="middle">1e${e}</text>`);
  }
  const xt = x(target).toFixed(1);
  parts.push(`<line x1="${xt}" y1="${top - 6}" x2="${xt}" y2="${bottom}" stroke="#c33" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${xt}" y="${bottom + 32}" text-anchor="middle" fill="#c33">sqrt(alpha) = ${target}</text>`);
  report.layers.forEach((l, i) => {
    const y = top + i * rowHeight;
    const [k, , g, h] = l.layer.shape;
    parts.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(`${l.layer.name} ${k}x${k}x${g}x${h} N=${l.n}`)}</text>`);
    if (l.sigmaMax === null || l.sigmaMin === null || !(l.sigmaMin > 0)) {
      const label = l.sigmaMax === null ? "not computed" : `sigma_max ${l.sigmaMax.toPrecision(4)}, sigma_min 0`;
      if (l.sigmaMax !== null) parts.push(`<circle cx="${x(l.sigmaMax).toFixed(1)}" cy="${y + 10}" r="4" fill="#36c"/>`);
      parts.push(`<text x="${left + 4}" y="${y + 14}" fill="#888">${label}</text>`);
      return;
    }
    const x0 = x(l.sigmaMin);
    const x1 = x(l.sigmaMax);
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="12" fill="#36c" opacity="0.75">` +
        `<title>${escapeXml(`${l.layer.name}: sigma in [${l.sigmaMin}, ${l.sigmaMax}]`)}</title></rect>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
