import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Type tests (test/types/*.test-d.ts) are checked by tsc, not run; they import the built package by name.
    typecheck: { enabled: true, include: ["test/types/**/*.test-d.ts"], tsconfig: "test/types/tsconfig.json" },
    // One BLAS thread unless asked otherwise: with two, every BLAS call waits for a second thread,
    // and on a loaded machine that wait (not the work) made a 0.5 s Lanczos test take over 120 s.
    // Tests of the thread policy set their own counts.
    env: { OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? "1" },
  },
});
