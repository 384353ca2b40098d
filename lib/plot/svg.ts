/**
 * SVG figures laid out like Figure 4.1 of the paper: one panel per kernel, iteration on x,
 * sigma_max (blue) on the left axis and sigma_min (red) on the right axis. Plain SVG text with no
 * dependencies; renders in any browser.
 */

/** One panel: a title and the iterations at which both extreme singular values are known. */
export interface FigurePanel {
  title: string;
  iterations: readonly number[];
  sigmaMax: readonly number[];
  sigmaMin: readonly number[];
}

import { maxOf, minOf } from "../core/arrays.js";

const PANEL_W = 480;
const PANEL_H = 330;
const MARGIN = { left: 62, right: 66, top: 34, bottom: 50 };
const BLUE = "#1f4fd6";
const RED = "#d62728";

/** Ticks at 1, 2 or 5 times a power of ten covering [lo, hi]; the range widened to whole ticks. */
export function niceAxis(lo: number, hi: number, count = 5): { lo: number; hi: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceAxis(lo - pad, hi + pad, count);
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo: first, hi: last, ticks };
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
const fmt = (v: number): string => Number(v.toPrecision(6)).toString();
const num = (v: number): string => v.toFixed(2);
// "σ_max(M)" with a real subscript (dy shifts render everywhere, baseline-shift does not).
const sigmaLabel = (which: "max" | "min"): string => `σ<tspan dy="3" font-size="0.75em">${which}</tspan><tspan dy="-3">(M)</tspan>`;

function panelSvg(p: FigurePanel, x0: number, y0: number): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const left = x0 + MARGIN.left;
  const top = y0 + MARGIN.top;
  const maxIter = Math.max(1, maxOf(p.iterations));
  const xAxis = niceAxis(0, maxIter, 10);
  const yMax = niceAxis(Math.min(0, minOf(p.sigmaMax)), Math.max(1, maxOf(p.sigmaMax)));
  const yMin = niceAxis(Math.min(minOf(p.sigmaMin), 1), Math.max(maxOf(p.sigmaMin), 1));
  const sx = (v: number) => left + ((v - xAxis.lo) / (xAxis.hi - xAxis.lo)) * w;
  const sy = (v: number, a: { lo: number; hi: number }) => top + h - ((v - a.lo) / (a.hi - a.lo)) * h;
  const line = (values: readonly number[], a: { lo: number; hi: number }) => p.iterations.map((it, i) => `${num(sx(it))},${num(sy(values[i], a))}`).join(" ");
  const out: string[] = [`<g class="panel">`];
  out.push(`<text class="title" x="${num(left + w / 2)}" y="${num(y0 + 22)}" text-anchor="middle" font-size="15">${escapeXml(p.title)}</text>`);
  out.push(`<rect x="${num(left)}" y="${num(top)}" width="${num(w)}" height="${num(h)}" fill="none" stroke="#000" stroke-width="1"/>`);
  for (const t of xAxis.ticks) {
    const x = sx(t);
    out.push(`<line x1="${num(x)}" y1="${num(top + h)}" x2="${num(x)}" y2="${num(top + h + 5)}" stroke="#000"/>`);
    out.push(`<text x="${num(x)}" y="${num(top + h + 18)}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  for (const t of yMax.ticks) {
    const y = sy(t, yMax);
    out.push(`<line x1="${num(left - 5)}" y1="${num(y)}" x2="${num(left)}" y2="${num(y)}" stroke="${BLUE}"/>`);
    out.push(`<text x="${num(left - 8)}" y="${num(y + 4)}" text-anchor="end" font-size="11" fill="${BLUE}">${fmt(t)}</text>`);
  }
  for (const t of yMin.ticks) {
    const y = sy(t, yMin);
    out.push(`<line x1="${num(left + w)}" y1="${num(y)}" x2="${num(left + w + 5)}" y2="${num(y)}" stroke="${RED}"/>`);
    out.push(`<text x="${num(left + w + 8)}" y="${num(y + 4)}" text-anchor="start" font-size="11" fill="${RED}">${fmt(t)}</text>`);
  }
  out.push(`<text x="${num(left + w / 2)}" y="${num(top + h + 38)}" text-anchor="middle" font-size="12">iteration steps</text>`);
  const midY = top + h / 2;
  out.push(
    `<text x="${num(x0 + 16)}" y="${num(midY)}" text-anchor="middle" font-size="12" fill="${BLUE}" transform="rotate(-90 ${num(x0 + 16)} ${num(midY)})">${sigmaLabel("max")}</text>`,
  );
  const rx = x0 + PANEL_W - 14;
  out.push(`<text x="${num(rx)}" y="${num(midY)}" text-anchor="middle" font-size="12" fill="${RED}" transform="rotate(90 ${num(rx)} ${num(midY)})">${sigmaLabel("min")}</text>`);
  out.push(`<polyline class="sigma-max" fill="none" stroke="${BLUE}" stroke-width="1.6" points="${line(p.sigmaMax, yMax)}"/>`);
  out.push(`<polyline class="sigma-min" fill="none" stroke="${RED}" stroke-width="1.6" points="${line(p.sigmaMin, yMin)}"/>`);
  const lx = left + w - 112;
  const ly = top + 12;
  out.push(`<rect x="${num(lx - 6)}" y="${num(ly - 9)}" width="112" height="38" fill="#fff" stroke="#999" stroke-width="0.8"/>`);
  out.push(`<line x1="${num(lx)}" y1="${num(ly)}" x2="${num(lx + 24)}" y2="${num(ly)}" stroke="${BLUE}" stroke-width="1.6"/>`);
  out.push(`<text x="${num(lx + 30)}" y="${num(ly + 4)}" font-size="11">${sigmaLabel("max")}</text>`);
  out.push(`<line x1="${num(lx)}" y1="${num(ly + 18)}" x2="${num(lx + 24)}" y2="${num(ly + 18)}" stroke="${RED}" stroke-width="1.6"/>`);
  out.push(`<text x="${num(lx + 30)}" y="${num(ly + 22)}" font-size="11">${sigmaLabel("min")}</text>`);
  out.push(`</g>`);
  return out.join("\n");
}

/** The figure: panels in rows of two (one panel alone spans one column), with an optional caption. */
export function figureSvg(panels: readonly FigurePanel[], caption?: string): string {
  const cols = Math.min(2, Math.max(1, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / cols));
  const captionH = caption ? 30 : 0;
  const width = cols * PANEL_W;
  const height = rows * PANEL_H + captionH;
  const body = panels.map((p, i) => panelSvg(p, (i % cols) * PANEL_W, Math.floor(i / cols) * PANEL_H));
  const captionSvg = caption ? [`<text class="caption" x="${width / 2}" y="${rows * PANEL_H + 20}" text-anchor="middle" font-size="13">${escapeXml(caption)}</text>`] : [];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    ...captionSvg,
    `</svg>`,
    "",
  ].join("\n");
}
