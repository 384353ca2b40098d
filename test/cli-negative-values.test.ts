/**
 * `--alpha -1` (a negative number after a flag that takes a value) reaches the flag's own range
 * check, which names the constraint, instead of node's "argument is ambiguous". Every numeric
 * flag of every command, and a guard that every flag in the usage text is classified here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-neg-"));
const kernel = path.join(root, "examples/kernel-3x3x3x6.npy");

// A weights manifest with one 3x3x1x1 conv kernel (nine float32 ones).
const model = path.join(tmp, "weights_manifest.json");
writeFileSync(path.join(tmp, "w.bin"), new Uint8Array(new Float32Array(9).fill(1).buffer));
writeFileSync(model, JSON.stringify([{ paths: ["w.bin"], weights: [{ name: "conv/kernel", shape: [3, 3, 1, 1], dtype: "float32" }] }]));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Per command form: the arguments that make a valid call, and each numeric flag with its constraint.
const forms: Record<string, { command: string; base: string[]; flags: Record<string, RegExp> }> = {
  analyze: {
    command: "analyze",
    base: [kernel, "--n", "3"],
    flags: {
      n: /an integer >= 1/,
      alpha: /a finite number > 0/,
      "memory-limit": /a finite number > 0/,
      width: /an integer >= 1/,
      stride: /an integer >= 1/,
      dilation: /an integer >= 1/,
      groups: /an integer >= 1/,
      "gram-tolerance": /a number in \(0, 1\)/,
    },
  },
  "optimize (kernel)": {
    command: "optimize",
    base: [kernel, "--n", "3", "--iterations", "0"],
    flags: { n: /an integer >= 1/, alpha: /a finite number > 0/, iterations: /an integer >= 0/, tolerance: /a number in \[0, 1\)/ },
  },
  "optimize (model)": {
    command: "optimize",
    base: [model, "--layer", "conv/kernel", "--out", path.join(tmp, "never-written"), "--n", "3"],
    flags: { n: /an integer >= 1/, alpha: /a finite number > 0/, iterations: /an integer >= 0/, tolerance: /a number in \[0, 1\)/, "memory-limit": /a finite number > 0/ },
  },
  reproduce: { command: "reproduce", base: [], flags: { iterations: /an integer >= 0/, seed: /an integer >= 0/, tolerance: /a number in \[0, 1\)/ } },
  report: {
    command: "report",
    base: [model, "--input-size", "3"],
    flags: {
      "input-size": /an integer >= 1/,
      "input-value": /NAME=V with a graph input/,
      alpha: /a finite number > 0/,
      "dense-limit": /a finite number > 0/,
      "memory-limit": /a finite number > 0/,
      "gram-tolerance": /a number in \(0, 1\)/,
    },
  },
};

// Flags whose value is a word or a path (a "-1" there is checked as such, not as a number).
const nonNumeric = new Set([
  "layout",
  "gradient-out",
  "json",
  "jsonl",
  "padding",
  "engine",
  "spectrum",
  "dense-method",
  "depthwise",
  "transposed",
  "optimizer",
  "out",
  "history",
  "plot",
  "layer",
  "svg",
]);

const cases = Object.entries(forms).flatMap(([form, f]) => Object.entries(f.flags).map(([flag, constraint]) => [form, flag, constraint] as const));

describe("negative numbers after a flag", () => {
  it.each(cases)("%s --%s -1 names the flag and its constraint", (form, flag, constraint) => {
    const { command, base } = forms[form];
    // The flag replaces its value in the base arguments when present there.
    const args = [...base];
    const at = args.indexOf(`--${flag}`);
    if (at >= 0) args.splice(at, 2);
    const r = convreg(command, ...args, `--${flag}`, "-1");
    expect(r.stderr).not.toMatch(/ambiguous/);
    expect(r.stderr).toMatch(new RegExp(`^convreg ${command}: --${flag} must be .*, got "-1" \\[ERR_RANGE\\]$`, "m"));
    expect(r.stderr).toMatch(constraint);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
  });

  it.each([["-0.5"], ["-.5"], ["-1e3"], ["-Infinity"]])("--alpha %s is read as the number it is and refused", (value) => {
    const r = convreg("analyze", kernel, "--n", "3", "--alpha", value);
    expect(r.stderr.trim()).toBe(`convreg analyze: --alpha must be a finite number > 0, got ${JSON.stringify(value)} [ERR_RANGE]`);
    expect(r.code).toBe(1);
  });

  it("a word starting with a dash after a flag is still a flag (unknown flags stay usage errors)", () => {
    const r = convreg("analyze", kernel, "--n", "3", "--alpha", "-x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[ERR_ARGUMENT\]/);
  });

  it("every flag in every usage line is classified above (numeric ones are tested)", () => {
    const help = convreg("--help").stdout;
    const blocks = help.split(/\n(?= {2}convreg )/).slice(1);
    expect(blocks.length).toBe(5);
    for (const block of blocks) {
      const command = /^ {2}convreg (\w+)/.exec(block)![1];
      const numeric = new Set(
        Object.values(forms)
          .filter((f) => f.command === command)
          .flatMap((f) => Object.keys(f.flags)),
      );
      for (const [, flag] of block.matchAll(/--([a-z][a-z-]*)/g)) expect(numeric.has(flag) || nonNumeric.has(flag), `${command} --${flag}`).toBe(true);
    }
  });
});
