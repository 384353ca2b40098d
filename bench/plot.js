// A dependency-free SVG line plot with logarithmic axes, for benchmark results a person can open.

const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

const escapeXml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function decades(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

/**
 * series: [{ name, points: [[x, y], ...], color?, dashed? }]; returns the SVG text.
 * Axes are log10; x ticks at the given `xTicks` (default: decades), y ticks at decades.
 */
export function logLogPlot({ title, xLabel, yLabel, series, xTicks, width = 760, height = 480 }) {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  const xs = pts.map((p) => p[0]),
    ys = pts.map((p) => p[1]);
  const xMin = Math.min(...xs) / 1.1,
    xMax = Math.max(...xs) * 1.1;
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys))),
    yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const m = { left: 70, right: 230, top: 40, bottom: 50 };
  const w = width - m.left - m.right,
    h = height - m.top - m.bottom;
  const X = (x) => m.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * w;
  const Y = (y) => m.top + h - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * h;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${m.left + w / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
  ];
  for (const y of decades(yMin, yMax).filter((v) => v >= yMin && v <= yMax)) {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${Y(y) + 4}" text-anchor="end">${y >= 1e-3 && y < 1e4 ? y : y.toExponential(0)}</text>`);
  }
  for (const x of xTicks ?? decades(xMin, xMax).filter((v) => v >= xMin && v <= xMax)) {
    out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${m.top}" y2="${m.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${X(x)}" y="${m.top + h + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length];
    const p = s.points.filter(([x, y]) => x > 0 && y > 0);
    if (p.length === 0) return;
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ")}"/>`);
    for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = m.top + 10 + i * 18;
    out.push(`<line x1="${m.left + w + 12}" x2="${m.left + w + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${m.left + w + 46}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
