/**
 * Native memory: 10,000 calls of each API function (sync and async, results, validation errors,
 * native errors, aborted calls) leave the addon's own counters (nativeMemoryStats, see
 * src/native_memory.h) exactly where they were: no counted byte and no native object outlives its
 * call. Exact counts, not RSS, so the test does not depend on the allocator or on load.
 * The counters must also see what the addon does hold: an async call in flight (its worker and its
 * copy of the kernel) and a cancel token kept alive by JS.
 * Runs test/leaks/run.mjs in a child `node --expose-gc` on the built dist/ (npm test builds it).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Counts {
  bytes: number;
  objects: number;
}
interface Stats {
  liveBytes: number;
  peakBytes: number;
  liveObjects: number;
  scratchBytes: number;
}
interface Report {
  results: Record<string, Counts & { scratch: number }>;
  start: Stats;
  end: Stats;
  held: { kernelBytes: number; inFlight: Counts; afterInFlight: Counts; token: Counts; tokenReleased: Counts };
  inFlightCalls: number;
}

describe("native memory", () => {
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(root, "test/leaks/run.mjs"), "10000"], { cwd: root, encoding: "utf8", timeout: 600_000 });
  const report = (): Report => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as Report;
  };

  it("10,000 calls of each API function leave no counted native byte or object behind", () => {
    const { results, start, end, inFlightCalls } = report();
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(37);
    const grown = Object.entries(results)
      .filter(([, v]) => v.bytes !== 0 || v.objects !== 0)
      .map(([name, v]) => `${name}: ${v.bytes} B, ${v.objects} objects`);
    expect(grown).toEqual([]);
    expect({ bytes: end.liveBytes, objects: end.liveObjects }).toEqual({ bytes: start.liveBytes, objects: start.liveObjects });
    // The calls did allocate counted memory (task copies of the kernel), so zero is not vacuous.
    expect(end.peakBytes).toBeGreaterThanOrEqual(16 * 8);
    expect(inFlightCalls).toBe(0);
  }, 600_000);

  it("the scratch arenas do not grow over 10,000 sync calls once warm (they only serve the calling thread)", () => {
    const { results } = report();
    // Sync calls run on this thread, whose arena is warm after the warm-up calls; async calls
    // land on whichever pool thread is free, so their arenas may still be warming.
    const syncNames = Object.keys(results).filter((name) => !/async|optimize/i.test(name));
    expect(syncNames.filter((name) => results[name].scratch !== 0)).toEqual([]);
  }, 600_000);

  it("the counters see what the addon holds: an async call in flight and a live cancel token", () => {
    const { held } = report();
    expect(held.inFlight.objects).toBe(1); // the worker
    expect(held.inFlight.bytes).toBeGreaterThanOrEqual(held.kernelBytes); // its copy of the kernel
    expect(held.afterInFlight).toEqual({ bytes: 0, objects: 0 });
    expect(held.token.objects).toBe(1);
    expect(held.token.bytes).toBeGreaterThan(0); // the shared flag
    expect(held.tokenReleased).toEqual({ bytes: 0, objects: 0 });
  }, 600_000);
});
