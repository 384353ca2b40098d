/** Fuzz class over the command line: spawned `convreg` processes with hostile arguments and files. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createKernel, formatKernel } from "../../lib/index.js";
import { DOCUMENTED_CODES, type FuzzClass, type Rng } from "./harness.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/convreg.js; a run past the deadline is killed and reported by its signal. */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A problem with a CLI outcome, or undefined when it is a result or a documented one-line error. */
export function judgeCli(o: CliOutcome, json: boolean): string | undefined {
  if (o.signal) return `killed by ${o.signal}${o.signal === "SIGKILL" ? " (hang?)" : ""}: ${o.stderr.slice(0, 300)}`;
  if (/^\s+at .*:\d+:\d+\)?$/m.test(o.stderr)) return `stack trace on stderr: ${o.stderr.slice(0, 300)}`;
  if (o.code === 0) {
    if (/\bnan\b|NaN/.test(o.stdout)) return `NaN in the output: ${o.stdout.slice(0, 300)}`;
    if (json && o.stdout.trim().length > 0) {
      try {
        JSON.parse(o.stdout.trim().split("\n").pop()!);
      } catch {
        return `--json output is not JSON: ${o.stdout.slice(0, 200)}`;
      }
    }
    return undefined;
  }
  if (o.code !== 1 && o.code !== 2) return `exit code ${o.code}: ${o.stderr.slice(0, 300)}`;
  // Notes (e.g. "using the iterative spectrum") may come first; the error is the one line ending in a code.
  const line = errorLine(o.stderr);
  const code = /\[(ERR_[A-Z_]+)\]$/.exec(line)?.[1];
  if (!code || !DOCUMENTED_CODES.has(code)) return `error line without a documented code: ${JSON.stringify(o.stderr.slice(0, 300))}`;
  return undefined;
}

/** The stderr line that carries the error code (the first line ending in [ERR_...]). */
function errorLine(stderr: string): string {
  return stderr.split("\n").find((l) => /\[ERR_[A-Z_]+\]$/.test(l)) ?? stderr.split("\n")[0];
}

/** The code of a failed run (undefined for a success). */
function cliCode(o: unknown): string | undefined {
  const r = o as CliOutcome;
  return r.code === 0 ? undefined : `exit ${r.code} ${/\[(ERR_[A-Z_]+)\]$/.exec(errorLine(r.stderr))?.[1]}`;
}

let files: Record<string, string> | undefined;
function fixtures(): Record<string, string> {
  if (files) return files;
  const dir = mkdtempSync(path.join(tmpdir(), "convreg-fuzz-cli-"));
  const kernel = createKernel(
    Float64Array.from({ length: 18 }, (_, i) => Math.sin(i + 1)),
    [3, 3, 1, 2],
  );
  const put = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  };
  const npy = formatKernel(kernel, "npy");
  mkdirSync(path.join(dir, "dir.npy"));
  files = {
    good: put("good.npy", npy),
    json: put("good.json", formatKernel(kernel, "json", "oihw")),
    truncated: put("truncated.npy", npy.subarray(0, npy.length - 5)),
    garbage: put("garbage.json", "{ not json"),
    empty: put("empty.npy", ""),
    dir: path.join(dir, "dir.npy"),
    missing: path.join(dir, "missing.npy"),
    out: path.join(dir, "grad-out.npy"),
    badOut: path.join(dir, "no-such-dir", "grad.npy"),
  };
  return files;
}

/** Hostile values for flags. */
const FLAG_VALUES = ["0", "-1", "1.5", "abc", "", "NaN", "Infinity", "1e400", "99999999", "1048577", "2", "3", "1", "0x10", " 4", "--json"];

export const cliClasses: FuzzClass[] = [
  {
    name: "CLI (spawned processes)",
    weight: 0, // count set by the caller: spawned processes are slow
    make: (r: Rng) => {
      const f = fixtures();
      const command = r.chance(0.85) ? "analyze" : r.pick(["frobnicate", "", "--help", "constructor", "__proto__"]);
      const args: string[] = [command];
      if (r.chance(0.9)) args.push(r.pick([f.good, f.good, f.json, f.truncated, f.garbage, f.empty, f.dir, f.missing]));
      if (r.chance(0.2)) args.push(f.good);
      const n = r.chance(0.6) ? String(r.int(1, 5)) : r.pick(FLAG_VALUES);
      if (r.chance(0.9)) args.push("--n", n);
      if (r.chance(0.3)) args.push("--alpha", r.pick([...FLAG_VALUES, "0.5", "1e-300", "1e300"]));
      if (r.chance(0.2)) args.push("--layout", r.pick(["hwio", "oihw", "nchw", ""]));
      if (r.chance(0.2)) args.push("--memory-limit", r.pick([...FLAG_VALUES, "100", "1e12"]));
      if (r.chance(0.15)) args.push("--gradient-out", r.pick([f.out, f.badOut, f.dir]));
      if (r.chance(0.1)) args.push(r.pick(["--bogus", "-x", "--n", "--", "--json=yes"]));
      const json = r.chance(0.4);
      if (json) args.push("--json");
      const expectJson = json && command === "analyze"; // --help prints the usage whatever follows
      return { label: `convreg ${args.join(" ")}`, run: () => runCli(args), check: (o) => judgeCli(o as CliOutcome, expectJson), codeOf: cliCode };
    },
  },
];
