#!/usr/bin/env node
// Import cycles among the TypeScript files of a folder (default lib/): exits 1 listing each cycle.
// Reads `import ... from "./x.js"`, `export ... from "./x.js"` and `import("./x.js")` with a regex,
// type-only imports included (a type cycle still couples two files). No dependency beyond Node.
// Usage: node scripts/check-cycles.mjs [folder]
import fs from "node:fs";
import path from "node:path";

const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** The files of `root` each file imports, as resolved paths (".js" specifiers name ".ts" sources). */
function importGraph(root) {
  const files = sourceFiles(root);
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const targets = new Set();
    for (const match of text.matchAll(specifier)) {
      const resolved = path.resolve(path.dirname(file), match[1]).replace(/\.js$/, ".ts");
      if (known.has(resolved)) targets.add(resolved);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Each cycle once, as the list of files along it (depth-first search, grey/black colouring). */
export function findCycles(root) {
  const graph = importGraph(path.resolve(root));
  const state = new Map(); // undefined: unvisited, 1: on the stack, 2: done
  const stack = [];
  const cycles = [];
  const seen = new Set();
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const next of graph.get(file)) {
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join("\n");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle.map((f) => path.relative(process.cwd(), f)));
        }
      } else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of [...graph.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (invokedDirectly) {
  const root = process.argv[2] ?? "lib";
  const cycles = findCycles(root);
  if (cycles.length === 0) {
    console.log(`no import cycles in ${root}`);
  } else {
    console.error(`${cycles.length} import cycle(s) in ${root}:`);
    for (const cycle of cycles) console.error(`  ${[...cycle, cycle[0]].join(" -> ")}`);
    process.exit(1);
  }
}
