/**
 * One list of error codes (ERROR_CODES in lib/core/errors.ts): every code the native core and
 * the binding can produce, every code lib/ throws and every code the documentation's error
 * table names is in it, and each listed code is documented.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../lib/core/errors.js";

const root = path.resolve(import.meta.dirname, "..");

function files(dir: string, ext: RegExp): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every quoted "ERR_..." string literal in the files. */
function quotedCodes(paths: string[]): Set<string> {
  const codes = new Set<string>();
  for (const file of paths) for (const m of fs.readFileSync(file, "utf8").matchAll(/"(ERR_[A-Z_]+)"/g)) codes.add(m[1]);
  return codes;
}

describe("ERROR_CODES", () => {
  const listed = new Set<string>(ERROR_CODES);

  it("holds every code the native core and the binding can produce", () => {
    const native = quotedCodes([...files("src", /\.(cpp|h)$/), ...files("binding", /\.(cpp|h)$/)]);
    expect(native.size).toBeGreaterThan(0); // src/sigma_min.cpp throws coded errors
    expect([...native].filter((c) => !listed.has(c))).toEqual([]);
  });

  it("holds every code lib/ throws", () => {
    const lib = quotedCodes(files("lib", /\.ts$/));
    expect([...lib].filter((c) => !listed.has(c))).toEqual([]);
  });

  it("matches the error table of the documentation, code for code", () => {
    const docs = [path.join(root, "README.md"), ...(fs.existsSync(path.join(root, "docs")) ? files("docs", /\.md$/) : [])];
    const documented = new Set<string>();
    for (const file of docs) for (const m of fs.readFileSync(file, "utf8").matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)) documented.add(m[1]);
    expect([...documented].sort()).toEqual([...listed].sort());
  });

  it("has no duplicate", () => {
    expect(listed.size).toBe(ERROR_CODES.length);
  });
});
