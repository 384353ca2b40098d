/**
 * lib/ has no import cycles (scripts/check-cycles.mjs), and the checker does find one: a cycle
 * planted in a temporary folder, through a subfolder and a type-only import, makes it exit 1.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const script = path.resolve(__dirname, "../scripts/check-cycles.mjs");

function check(folder: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, folder], { encoding: "utf8", cwd: path.resolve(__dirname, "..") });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("scripts/check-cycles.mjs", () => {
  it("finds no import cycle in lib/", () => {
    const r = check("lib");
    expect(r.out).toContain("no import cycles");
    expect(r.status).toBe(0);
  });

  it("reports a planted cycle, type-only import included, and exits 1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "convreg-cycles-"));
    try {
      fs.mkdirSync(path.join(dir, "sub"));
      fs.writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./sub/b.js";\nexport const a = b + 1;\n');
      fs.writeFileSync(path.join(dir, "sub", "b.ts"), 'import type { C } from "../c.js";\nexport const b: C = 1;\n');
      fs.writeFileSync(path.join(dir, "c.ts"), 'export type { A } from "./a.js";\nexport type C = number;\n');
      fs.writeFileSync(path.join(dir, "d.ts"), 'import { a } from "./a.js";\nexport const d = a;\n'); // reaches the cycle, not part of it
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.out).toContain("1 import cycle(s)");
      const line = r.out.split("\n").find((l) => l.includes(" -> "))!;
      expect(line.split(" -> ").map((f) => path.basename(f))).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
      // Breaking the cycle clears it.
      fs.writeFileSync(path.join(dir, "c.ts"), "export type C = number;\n");
      expect(check(dir).status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
