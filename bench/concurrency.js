// The BLAS thread policy under concurrent use: throughput of 8 identical async calls run one at a
// time, all at once under convreg's policy (one BLAS thread each while calls overlap), and all at
// once with the overlap rule switched off (each call asks for all cores, the case the policy
// exists to avoid). A ratio near or above 1 for "policy" means concurrent use does not collapse.
import * as main from "convreg";
import { sigmaMaxIterativeAsync } from "../dist/spectrum/sigma-max.js";

/** The public entry point plus the internals these checks also exercise. */
const convreg = { ...main, sigmaMaxIterativeAsync };
import { native } from "../dist/native/addon.js";
import { fmt, markdownTable, quick, reproduceCommand, timeIt, writeResults } from "./common.js";

const calls = 8;
const repeats = quick ? 1 : 7; // --quick: one timed run each (the no-rule case is slow by design)
const cases = [
  { label: `dense F+grad 3x3x3x6 N=${quick ? 8 : 12}`, run: (k) => convreg.penaltyAndGradientAsync(k, { n: quick ? 8 : 12, engine: "dense" }), shape: [3, 3, 3, 6] },
  { label: `dgesvd 3x3x3x6 N=${quick ? 6 : 10}`, run: (k) => convreg.singularValuesAsync(k, { n: quick ? 6 : 10 }), shape: [3, 3, 3, 6] },
  { label: `Lanczos sigma_max 3x3x16x16 N=${quick ? 12 : 24}`, run: (k) => convreg.sigmaMaxIterativeAsync(k, { n: quick ? 12 : 24, tolerance: 1e-8 }), shape: [3, 3, 16, 16] },
];

const rows = [];
const results = [];
for (const c of cases) {
  const kernel = convreg.randomKernel(c.shape, { seed: 7 });
  const sequential = await timeIt(async () => {
    for (let i = 0; i < calls; i++) await c.run(kernel);
  }, repeats);
  const together = await timeIt(() => Promise.all(Array.from({ length: calls }, () => c.run(kernel))), repeats);
  native.setOverlapRule(false);
  const noRule = await timeIt(() => Promise.all(Array.from({ length: calls }, () => c.run(kernel))), repeats);
  native.setOverlapRule(true);
  rows.push([c.label, fmt(sequential.median), fmt(together.median), fmt(noRule.median), fmt(sequential.median / together.median), fmt(sequential.median / noRule.median)]);
  results.push({ label: c.label, sequentialMs: sequential, policyMs: together, noRuleMs: noRule });
}
console.log(`${calls} async calls, BLAS threads for a lone call: ${convreg.getBlasThreads()}, libuv pool: ${process.env.UV_THREADPOOL_SIZE ?? 4}`);
console.log(markdownTable(["case", "one at a time ms", "together (policy) ms", "together (no rule) ms", "speed-up policy", "speed-up no rule"], rows));
console.log(`reproduce: ${reproduceCommand("concurrency.js")}`);
console.log(`results: ${writeResults("concurrency", { calls, results })}`);
