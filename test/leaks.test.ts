/**
 * Native memory: 10,000 calls of each API function (sync and async, results, validation errors,
 * native errors, aborted calls) leave RSS within 10 MB of where it started after warm-up and
 * garbage collection (RSS less V8's reserved heap, which V8 sizes by allocation rate, see run.mjs); results are V8-owned ArrayBuffers, so V8 counts them as external memory.
 * Runs test/leaks/run.mjs in a child `node --expose-gc` on the built dist/ (npm test builds it).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MB = 1024 * 1024;

describe("native memory", () => {
  it("10,000 calls of each API function leave RSS within 10 MB; results count as V8 external memory", () => {
    const r = spawnSync(process.execPath, ["--expose-gc", path.join(root, "test/leaks/run.mjs"), "10000"], { cwd: root, encoding: "utf8", timeout: 600_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      results: Record<string, { growth: number; ms: number }>;
      total: number;
      external: { heldBytes: number; resultBytes: number };
      inFlight: number;
    };
    console.log(Object.entries(report.results).map(([name, v]) => `${name}: ${(v.growth / MB).toFixed(2)} MB in ${v.ms.toFixed(0)} ms`).join("\n"));
    const over = Object.entries(report.results).filter(([, v]) => Math.abs(v.growth) > 10 * MB).map(([name, v]) => `${name} ${(v.growth / MB).toFixed(1)} MB`);
    expect(over).toEqual([]);
    expect(Object.keys(report.results).length).toBeGreaterThanOrEqual(30);
    // 8 dense matrices of 8 MiB held: V8's ArrayBuffer accounting sees all of them.
    expect(report.external.heldBytes).toBeGreaterThanOrEqual(report.external.resultBytes * 0.99);
    expect(report.inFlight).toBe(0);
  }, 600_000);
});
