// The bare BLAS timers of convreg/bench (no timing assertions: only that both clocks answer and
// that a bad clock name is refused).
import { describe, expect, it } from "vitest";
import { timeDgemm, timeDsyrk, type TimingClock } from "../lib/bench/index.js";

describe("bare BLAS timers", () => {
  for (const clock of ["wall", "cpu"] as const) {
    it(`answer with the ${clock} clock`, () => {
      const gemm = timeDgemm(16, 8, 4, 2, clock);
      const syrk = timeDsyrk(16, 4, 2, clock);
      for (const t of [gemm, syrk]) {
        expect(Number.isFinite(t.ms)).toBe(true);
        expect(t.ms).toBeGreaterThanOrEqual(0);
      }
    });
  }
  it("refuse an unknown clock by name", () => {
    expect(() => timeDgemm(4, 4, 4, 1, "cycles" as TimingClock)).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining("clock") }));
    expect(() => timeDsyrk(4, 4, 1, "cycles" as TimingClock)).toThrow(/clock must be "wall" or "cpu"/);
  });
});
