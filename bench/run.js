// `npm run bench [-- --quick]`: runs every benchmark script in bench/ one after another, each in
// its own process (so BLAS state and memory do not leak between them), passing the flags through.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { benchDir } from "./common.js";

const helpers = new Set(["run.js", "common.js", "kernels.js", "plot.js"]);
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const scripts = readdirSync(benchDir)
  .filter((f) => f.endsWith(".js") && !helpers.has(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
let failed = 0;
const started = Date.now();
const seconds = [];
for (const script of scripts) {
  console.log(`\n# bench/${script}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(benchDir, script), ...process.argv.slice(2).filter((a) => a.startsWith("--"))], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`bench/${script} failed with exit code ${r.status}`);
  }
  seconds.push(`${script} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`\n# Wall time: ${((Date.now() - started) / 1000).toFixed(1)} s (${seconds.join(", ")})`);
process.exitCode = failed ? 1 : 0;
