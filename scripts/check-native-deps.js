// Runs before the native build: stops it with one clear line when a system library is missing.
import { existsSync, readdirSync } from "node:fs";

// Debian puts OpenBLAS's cblas.h under /usr/include/<triplet>/openblas-<variant>/.
function multiarchHeaders(name) {
  const found = [];
  for (const triplet of existsSync("/usr/include") ? readdirSync("/usr/include") : []) {
    const dir = `/usr/include/${triplet}`;
    if (!triplet.includes("-linux-")) continue;
    found.push(`${dir}/${name}`);
    for (const sub of readdirSync(dir)) if (sub.startsWith("openblas")) found.push(`${dir}/${sub}/${name}`);
  }
  return found;
}

const hint = "apt-get install -y libopenblas-dev liblapacke-dev libsuitesparse-dev";
const needs = [
  ["OpenBLAS (cblas.h)", ["/usr/include/cblas.h", "/usr/include/openblas/cblas.h", ...multiarchHeaders("cblas.h")]],
  ["LAPACKE (lapacke.h)", ["/usr/include/lapacke.h", ...multiarchHeaders("lapacke.h")]],
  ["SuiteSparse CHOLMOD (cholmod.h)", ["/usr/include/suitesparse/cholmod.h", "/usr/include/cholmod.h"]],
];
const missing = needs.filter(([, paths]) => !paths.some((p) => existsSync(p))).map(([name]) => name);
if (missing.length > 0 && process.platform === "linux" && !process.env.CONVREG_SKIP_DEPS_CHECK) {
  console.error(`convreg: cannot build the native addon: ${missing.join(", ")} not found. Install with: ${hint}`);
  process.exit(1);
}
