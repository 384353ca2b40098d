/** `convreg optimize <kernel> --n N`: minimize the paper's penalty for the user's own kernel. */
import { performance } from "node:perf_hooks";
import { readKernelFileDetailed, writeKernelFile } from "../io/kernel-file.js";
import { optimize as runOptimizer } from "../optimize/optimize.js";
import { OPTIMIZERS } from "../optimize/options.js";
import { figureSvg } from "../plot/svg.js";
import { choiceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag } from "./args.js";
import { table } from "./format.js";
import { finalSpectrumLines, panelOf, runSummary, summaryHeader, summaryRow, writeHistory, writeText } from "./optimize-report.js";
import { ProgressBar } from "./progress.js";
import { TOLERANCE_HELP, toleranceFlag } from "./tolerance.js";

/** Usage line of the command. */
export const usage = `convreg optimize <kernel.npy|kernel.json> --n N [--alpha 1] [--optimizer paper|line-search|lbfgs]
                 [--iterations 1000] [--tolerance T] [--layout hwio|oihw] [--out K.npy] [--history H.csv|H.json]
                 [--plot P.svg] [--json]
                 ${TOLERANCE_HELP}`;

/** Runs the command; returns the exit code. */
export async function optimizeCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    n: { type: "string" },
    alpha: { type: "string" },
    optimizer: { type: "string" },
    iterations: { type: "string" },
    tolerance: { type: "string" },
    layout: { type: "string" },
    out: { type: "string" },
    history: { type: "string" },
    plot: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const file = onePositional(positionals, "kernel file");
  const n = integerFlag(values.n, "--n", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const optimizer = choiceFlag(values.optimizer, "--optimizer", OPTIMIZERS, "paper");
  const iterations = integerFlag(values.iterations, "--iterations", 0, 1000);
  const tolerance = toleranceFlag(values.tolerance, optimizer);
  const layoutFlag = values.layout === undefined ? undefined : choiceFlag(values.layout, "--layout", ["hwio", "oihw"] as const, "hwio");
  const { kernel, layout } = await readKernelFileDetailed(file, { layout: layoutFlag });
  const start = performance.now();

  const progress = new ProgressBar(iterations + 1);
  const result = await runOptimizer(kernel, {
    n,
    alpha,
    optimizer,
    maxIterations: iterations,
    tolerance,
    onIteration: (row) => progress.update(row.iteration + 1, `iteration ${row.iteration}/${iterations}  F = ${row.penalty.toPrecision(6)}`),
  });
  progress.done();

  const history = values.history;
  const historyIsJson = history?.toLowerCase().endsWith(".json") ?? false;
  if (history) await writeHistory(result, { n, alpha, optimizer, tolerance: tolerance ?? null }, historyIsJson ? { json: history } : { csv: history });
  if (values.plot) await writeText(values.plot, figureSvg([panelOf(result)], `${file}: N = ${n}, alpha = ${alpha}, optimizer "${optimizer}"`));
  if (values.out) await writeKernelFile(values.out, result.kernel, { layout });
  const paths = { kernel: values.out ?? null, history: history ?? null, plot: values.plot ?? null };

  if (values.json) {
    out(JSON.stringify({ file, n, alpha, layout, ...runSummary(result, alpha, tolerance ?? null, paths) }));
    return 0;
  }
  out(`${file}: N = ${n}, alpha = ${alpha} (target σ = ${Math.sqrt(alpha).toPrecision(6)}), optimizer ${optimizer}, tolerance ${tolerance ?? "off"}`);
  out("");
  out(table(summaryHeader, [summaryRow(result, alpha)]));
  for (const line of finalSpectrumLines(result)) out(line);
  for (const [what, path] of Object.entries(paths)) if (path) out(`wrote ${what} to ${path}`);
  out(`${((performance.now() - start) / 1000).toFixed(1)} s`);
  return 0;
}
