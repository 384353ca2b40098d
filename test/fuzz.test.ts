/**
 * The seeded fuzz suite (test/fuzz/): random and hostile kernels, options, .npy and JSON files
 * and CLI invocations. Every case must end in a result without NaN or in a documented convreg
 * error. `npm test` runs 10,000+ cases; `npm run fuzz` runs FUZZ_CASES (100,000+) and prints
 * the counts per class. FUZZ_SEED changes the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getBlasThreads, getMemoryLimit, setBlasThreads, setMemoryLimit } from "../lib/index.js";
import { runAll } from "./fuzz/all.js";
import { formatReport } from "./fuzz/harness.js";

const cases = Number(process.env.FUZZ_CASES ?? 10_400);
const cliCases = Number(process.env.FUZZ_CLI_CASES ?? (cases >= 100_000 ? 300 : 8));
const seed = Number(process.env.FUZZ_SEED ?? 20260501);

describe("fuzz", () => {
  const before = getMemoryLimit();
  const threadsBefore = getBlasThreads();
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  beforeAll(() => {
    // A small default limit: anything a hostile case asks beyond it is refused, never allocated.
    setMemoryLimit(64 * 1024 ** 2);
    // Thousands of tiny sync calls: with one BLAS thread they do not pay for waking (and, on a
    // busy machine, spinning) a second one. What is checked does not depend on the thread count.
    setBlasThreads(1);
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUncaught);
  });
  afterAll(() => {
    setMemoryLimit(before);
    setBlasThreads(threadsBefore);
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  });

  it(`${cases} in-process cases and ${cliCases} CLI runs end in a result or a documented error`, async () => {
    const report = await runAll(cases, cliCases, seed);
    console.log(formatReport(report));
    expect(report.total).toBeGreaterThanOrEqual(cases + cliCases - 20);
    expect(report.failures).toEqual([]);
    expect(uncaught).toEqual([]);
  }, 1_800_000);
});
