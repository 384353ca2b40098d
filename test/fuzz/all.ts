/** Every fuzz class, and the run used by `npm test` (default) and `npm run fuzz` (FUZZ_CASES). */
import { apiClasses } from "./api.js";
import { cliClasses } from "./cli.js";
import { fileClasses } from "./files.js";
import { runFuzz, type FuzzClass, type FuzzReport } from "./harness.js";
import { tfjsClasses } from "./tfjs.js";

/** The in-process classes, split by weight. */
export const inProcessClasses: FuzzClass[] = [...apiClasses, ...fileClasses, ...tfjsClasses];

/**
 * Runs `cases` in-process cases and `cliCases` spawned CLI runs (a class of its own: each
 * spawn costs ~0.2 s), all seeded from `seed`.
 */
export async function runAll(cases: number, cliCases: number, seed: number): Promise<FuzzReport> {
  const inProcess = await runFuzz(inProcessClasses, cases, seed);
  const cli = await runFuzz(
    cliClasses.map((c) => ({ ...c, weight: 1 })),
    cliCases,
    seed,
  );
  return {
    total: inProcess.total + cli.total,
    classes: { ...inProcess.classes, ...cli.classes },
    failures: [...inProcess.failures, ...cli.failures],
    ms: inProcess.ms + cli.ms,
  };
}
