/** Plain SVG line charts of the experiment (no dependencies). */
import { writeFileSync } from "node:fs";
import path from "node:path";

const W = 420, H = 280, M = { left: 58, right: 14, top: 30, bottom: 42 };
const PALETTE = ["#222222", "#8c564b", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"];
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const num = (v) => (Math.round(v * 10) / 10).toString();

function ticks(lo, hi) {
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
  const mult = [1, 2, 5, 10].find((m) => (hi - lo) / (m * step) <= 6) ?? 10;
  const s = mult * step, out = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + 1e-12; t += s) out.push(+t.toPrecision(12));
  return out;
}

/** One panel: series of {name, color, x[], y[], dash?} and bands of {color, x[], lo[], hi[]}. */
function panel({ title, xLabel, yLabel, series = [], bands = [], logY = false, legend = true }, ox, oy) {
  const tr = (v) => (logY ? Math.log10(v) : v);
  const ys = [...series.flatMap((s) => s.y), ...bands.flatMap((b) => [...b.lo, ...b.hi])].filter((v) => Number.isFinite(v) && (!logY || v > 0)).map(tr);
  const xs = [...series.flatMap((s) => s.x), ...bands.flatMap((b) => b.x)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!(y1 > y0)) (y0 -= 1), (y1 += 1);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const px = (x) => ox + M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y) => oy + H - M.bottom - ((tr(y) - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const pyRaw = (t) => oy + H - M.bottom - ((t - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out = [`<text x="${num(ox + W / 2)}" y="${num(oy + 18)}" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`];
  out.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`);
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${ox + M.left - 4}" x2="${ox + M.left}" y1="${num(pyRaw(t))}" y2="${num(pyRaw(t))}" stroke="#999"/>`);
    out.push(`<text x="${ox + M.left - 6}" y="${num(pyRaw(t) + 4)}" text-anchor="end" font-size="10">${logY ? `1e${t}` : t}</text>`);
  }
  for (const t of ticks(x0, x1))
    out.push(`<text x="${num(px(t))}" y="${oy + H - M.bottom + 14}" text-anchor="middle" font-size="10">${t}</text>`);
  out.push(`<text x="${num(ox + W / 2)}" y="${oy + H - 8}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(${ox + 14},${num(oy + H / 2)}) rotate(-90)" text-anchor="middle" font-size="11">${esc(yLabel)}</text>`);
  for (const b of bands) {
    const upper = b.x.map((x, i) => `${num(px(x))},${num(py(b.hi[i]))}`);
    const lower = b.x.map((x, i) => `${num(px(x))},${num(py(Math.max(b.lo[i], logY ? 1e-30 : -Infinity)))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${b.color}" fill-opacity="${b.opacity ?? 0.35}" stroke="${b.color}"/>`);
  }
  for (const s of series) {
    const pts = s.x.map((x, i) => [x, s.y[i]]).filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
    out.push(`<polyline points="${pts.map(([x, y]) => `${num(px(x))},${num(py(y))}`).join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dash ? ` stroke-dasharray="4 3"` : ""}/>`);
  }
  if (legend)
    [...series.filter((s) => s.name), ...bands.filter((b) => b.name)].forEach((s, i) => {
      const y = oy + M.top + 12 + 13 * i;
      out.push(`<line x1="${ox + W - M.right - 110}" x2="${ox + W - M.right - 94}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="3"/>`);
      out.push(`<text x="${ox + W - M.right - 90}" y="${y}" font-size="10">${esc(s.name)}</text>`);
    });
  return out.join("\n");
}

function figure(panels, caption) {
  const cols = Math.min(3, panels.length), rows = Math.ceil(panels.length / cols);
  const body = panels.map((p, i) => panel(p, (i % cols) * W, Math.floor(i / cols) * H));
  const height = rows * H + 26;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body.join("\n")}\n<text x="8" y="${height - 8}" font-size="11" fill="#444">${esc(caption)}</text>\n</svg>\n`;
}

/** Epoch e (1-based) shades from light to dark. */
const shade = (e, count) => `hsl(220, 70%, ${Math.round(80 - (55 * (e - 1)) / Math.max(1, count - 1))}%)`;

export function writeFigures(dir, results) {
  const { records, config } = results;
  const layers = Array.from({ length: config.network.depth }, (_, i) => i + 1);
  const stepsPerEpoch = Math.floor(config.trainCount / config.batchSize);
  const gradPanels = records.map((r) => {
    const epochs = r.epochs.length - 1;
    const series = Array.from({ length: epochs }, (_, e) => {
      const steps = r.steps.slice(e * stepsPerEpoch, (e + 1) * stepsPerEpoch);
      return { name: e === 0 || e === epochs - 1 ? `epoch ${e + 1}` : "", color: shade(e + 1, epochs), x: layers, y: layers.map((_, l) => steps.reduce((a, s) => a + s.gradNorms[l], 0) / steps.length) };
    });
    return { title: r.arm.name, xLabel: "conv layer", yLabel: "||dL/dK|| (data loss, epoch mean)", series, logY: true };
  });
  writeFileSync(path.join(dir, "gradient-norms.svg"), figure(gradPanels, "Gradient norm of the data loss for every conv layer, mean over each epoch (light: first epoch, dark: last)."));
  const sigmaPanels = records.map((r) => {
    const first = r.epochs[0], last = r.epochs.at(-1);
    return {
      title: r.arm.name,
      xLabel: "conv layer",
      yLabel: "singular values of M",
      bands: [
        { name: "after training", color: "#1f77b4", x: layers, lo: last.sigmaMin, hi: last.sigmaMax },
        { name: "initial", color: "#999999", x: layers, lo: first.sigmaMin, hi: first.sigmaMax, opacity: 0.15 },
      ],
      series: [{ name: `sqrt(alpha)`, color: "#d62728", x: [1, config.network.depth], y: [Math.sqrt(config.alpha), Math.sqrt(config.alpha)], dash: true }],
    };
  });
  writeFileSync(path.join(dir, "sigma-bands.svg"), figure(sigmaPanels, `sigma_min..sigma_max of every conv layer (convreg's spectra at N = ${config.imageSize}); grey: at initialization.`));
  const window = stepsPerEpoch;
  const lossSeries = records.map((r, i) => {
    const y = r.steps.map((_, s) => {
      const part = r.steps.slice(Math.max(0, s - window + 1), s + 1);
      return part.reduce((a, p) => a + p.loss, 0) / part.length;
    });
    return { name: r.arm.name, color: PALETTE[i % PALETTE.length], x: r.steps.map((_, s) => s + 1), y };
  });
  const accSeries = records.map((r, i) => ({ name: r.arm.name, color: PALETTE[i % PALETTE.length], x: r.epochs.map((e) => e.epoch), y: r.epochs.map((e) => e.testAccuracy) }));
  writeFileSync(
    path.join(dir, "loss.svg"),
    figure(
      [
        { title: "training loss (moving mean over one epoch)", xLabel: "step", yLabel: "cross-entropy", series: lossSeries },
        { title: "held-out accuracy", xLabel: "epoch", yLabel: "accuracy", series: accSeries },
      ],
      "Data loss (without the penalty) and held-out accuracy of each arm.",
    ),
  );
}
