// Every code example in README.md and docs/*.md (docs/notes/ excluded: those are issue notes)
// runs as written. ```js blocks are written to a temporary .mjs inside the repository, so that
// `import ... from "convreg"` resolves through package.json "exports" (the package's
// self-reference, dist/) exactly as for a user, and run with node. ```sh blocks run their
// `npx convreg ...` lines as `node bin/convreg.js ...` (same program, without npx's start-up).
// A block is skipped only when the line right before it is `<!-- not run: reason -->`; a ```sh
// block without that marker must consist of `npx convreg` lines only. ```text blocks are output.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  notRun?: string;
}

/** The fenced blocks of a Markdown file, with the reason of a `<!-- not run: ... -->` marker before them. */
function fencedBlocks(file: string): Block[] {
  const lines = readFileSync(path.join(root, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = before >= 0 ? /^<!--\s*not run:\s*(.+?)\s*-->$/.exec(lines[before].trim()) : null;
    blocks.push({ file, line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join("\n"), notRun: marker?.[1] });
    i = end;
  }
  return blocks;
}

const docs = [
  "README.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const blocks = docs.flatMap(fencedBlocks);

// Examples write their outputs (K.npy, sigma.svg, ...) here; relative paths in them
// (examples/, node_modules/) are the repository's, reached through symlinks.
const work = mkdtempSync(path.join(root, ".doc-examples-"));
for (const dir of ["examples", "node_modules"]) symlinkSync(path.join(root, dir), path.join(work, dir));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The argument words of an `npx convreg ...` line (the examples use no quoting), without a trailing comment. */
function convregArgs(line: string): string[] {
  return line
    .replace(/\s#.*$/, "")
    .trim()
    .split(/\s+/)
    .slice(2);
}

async function runJs(block: Block, index: number): Promise<void> {
  const file = path.join(work, `${path.basename(block.file, ".md")}-${index}.mjs`);
  writeFileSync(file, block.code);
  await run(process.execPath, [file], { cwd: work, timeout: 60_000 });
}

async function runSh(block: Block): Promise<void> {
  const lines = block.code.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  const other = lines.filter((l) => !l.startsWith("npx convreg "));
  expect(other, `${block.file}:${block.line}: only \`npx convreg\` lines run; mark the block <!-- not run: reason -->`).toEqual([]);
  for (const line of lines) {
    const r = await run(process.execPath, [path.join(root, "bin/convreg.js"), ...convregArgs(line)], { cwd: work, timeout: 60_000 }).catch(
      (e: { stderr?: string; message: string }) => {
        throw new Error(`${block.file}:${block.line}: \`${line}\` failed: ${e.stderr || e.message}`);
      },
    );
    expect(r.stdout.length, `${line} printed nothing`).toBeGreaterThan(0);
  }
}

describe("code examples in README.md and docs/", () => {
  it("finds the examples, and every block is of a known kind", () => {
    expect(blocks.filter((b) => b.lang === "js").length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.lang === "sh").length).toBeGreaterThanOrEqual(4);
    // ```ts would need a type-stripping step: examples are plain JavaScript, labelled js.
    for (const b of blocks) expect(["js", "sh", "text"], `${b.file}:${b.line}: fence language "${b.lang}"`).toContain(b.lang);
  });

  it("skips only the blocks marked, each with its reason", () => {
    const skipped = blocks.filter((b) => b.notRun !== undefined);
    for (const b of skipped) expect(b.notRun!.length, `${b.file}:${b.line}`).toBeGreaterThan(10);
    expect(
      skipped.filter((b) => b.lang !== "sh"),
      "only command blocks may be skipped",
    ).toEqual([]);
    expect(skipped.length).toBeLessThanOrEqual(4);
  });

  blocks.forEach((block, index) => {
    if (block.notRun !== undefined || block.lang === "text") return;
    it(`${block.file}:${block.line} (${block.lang})`, () => (block.lang === "js" ? runJs(block, index) : runSh(block)));
  });
});
