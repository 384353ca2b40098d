import { describe, expect, it } from "vitest";
import { figureSvg, niceAxis } from "../lib/plot/svg.js";
import { parseXml } from "./xml.js";

const points = (p: string) =>
  p
    .trim()
    .split(/\s+/)
    .map((xy) => xy.split(",").map(Number));

describe("SVG figure", () => {
  const panel = (title: string, scale: number) => ({
    title,
    iterations: [0, 1, 2, 10, 20],
    sigmaMax: [7 * scale, 4, 2, 1.1, 1.01],
    sigmaMin: [0.9, 0.5, 0.45, 0.8, 0.97],
  });
  const svg = figureSvg([panel("3 x 3 x 3 x 1 kernel", 1), panel("3 x 3 x 1 x 3 kernel", 1), panel("A & <B>", 2), panel("d", 1)], "caption <&>");

  it("is well-formed XML with an svg root", () => {
    const elements = parseXml(svg);
    expect(elements[0].name).toBe("svg");
    expect(elements[0].attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(() => parseXml("<svg><g></svg>")).toThrow(); // the checker itself rejects bad nesting
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => parseXml("<svg>a & b</svg>")).toThrow();
  });

  it("has four panels, each with a title and both series inside its plot box", () => {
    const elements = parseXml(svg);
    const panels = elements.filter((e) => e.name === "g" && e.attributes.class === "panel");
    expect(panels.length).toBe(4);
    const titles = elements.filter((e) => e.attributes.class === "title").map((e) => e.text);
    expect(titles).toEqual(["3 x 3 x 3 x 1 kernel", "3 x 3 x 1 x 3 kernel", "A &amp; &lt;B&gt;", "d"]);
    for (const cls of ["sigma-max", "sigma-min"]) {
      const lines = elements.filter((e) => e.name === "polyline" && e.attributes.class === cls);
      expect(lines.length).toBe(4);
      for (const l of lines) {
        const pts = points(l.attributes.points);
        expect(pts.length).toBe(5);
        for (const [x, y] of pts) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
        // x increases with the iteration; sigma_max falls, so its y (down the page) rises.
        for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThan(pts[i - 1][0]);
      }
    }
    const maxLine = points(elements.find((e) => e.attributes.class === "sigma-max")!.attributes.points);
    expect(maxLine[4][1]).toBeGreaterThan(maxLine[0][1]);
  });

  it("chooses axis ticks at 1, 2 or 5 times a power of ten that cover the data", () => {
    expect(niceAxis(0, 7.24)).toEqual({ lo: 0, hi: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceAxis(0, 1000, 10).ticks.length).toBe(11);
    const a = niceAxis(0.4, 1);
    expect(a.lo).toBeLessThanOrEqual(0.4);
    expect(a.hi).toBeGreaterThanOrEqual(1);
  });
});
