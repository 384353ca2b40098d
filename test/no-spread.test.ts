/**
 * No call in lib/ spreads an array into arguments (`Math.max(...a)`, `push(...a)`, `f.apply(x, a)`):
 * each element becomes a stack slot, and past ~100,000 elements the call throws RangeError
 * "Maximum call stack size exceeded" (issue 11). lib/core/arrays.ts has the loop forms.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const lib = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../lib");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** Source with comments and the contents of string literals blanked (lengths kept, so offsets still match lines). */
function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`/g, (m) =>
    m.startsWith("/") ? m.replace(/[^\n]/g, " ") : m[0] + " ".repeat(m.length - 2) + m[m.length - 1],
  );
}

/** The text between the parenthesis at `open` and its match. */
function argumentsAt(code: string, open: number): string {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "(") depth++;
    else if (code[i] === ")" && --depth === 0) return code.slice(open + 1, i);
  }
  return code.slice(open + 1);
}

/** Every call that spreads a non-literal into Math.max/min/hypot, push or String.fromCharCode, and every .apply call. */
function spreadCalls(source: string): string[] {
  const code = codeOnly(source);
  const hits: string[] = [];
  const line = (at: number) => code.slice(0, at).split("\n").length;
  for (const m of code.matchAll(/\bMath\.(?:max|min|hypot)\s*\(|\.push\s*\(|\bfromCharCode\s*\(|\.apply\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const args = argumentsAt(code, open);
    // A spread of an array literal ("...[a, b]") has a fixed, visible length; anything else may be input-sized.
    if (m[0].startsWith(".apply") || /\.\.\.\s*(?!\[)/.test(args)) hits.push(`line ${line(m.index)}: ${m[0]}${args.slice(0, 60)})`);
  }
  return hits;
}

describe("no spread of input-sized arrays into call arguments", () => {
  it("the scanner finds each forbidden form (and ignores comments, strings and array literals)", () => {
    expect(spreadCalls("const a = Math.max(...values);")).toHaveLength(1);
    expect(spreadCalls("const a = Math.hypot(\n  ...g.data\n);")).toHaveLength(1);
    expect(spreadCalls("out.push(1, ...rows.map(f));")).toHaveLength(1);
    expect(spreadCalls("f.apply(null, xs);")).toHaveLength(1);
    expect(spreadCalls("String.fromCharCode(...bytes);")).toHaveLength(1);
    expect(spreadCalls('// Math.max(...a)\nlines.push("a ... b", `x...y`);\nMath.max(...[1, 2]);')).toHaveLength(0);
  });

  it("finds no such call in lib/**/*.ts", () => {
    const files = tsFiles(lib);
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((f) => spreadCalls(readFileSync(f, "utf8")).map((h) => `${path.relative(lib, f)} ${h}`));
    expect(found).toEqual([]);
  });
});
