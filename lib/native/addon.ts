/** Loads the compiled addon and types it by lib/native/functions.ts. Nothing here validates. */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import fs from "node:fs";
import { taskNames, type AsyncTasks, type NativeAddon } from "./functions.js";

export type { NativeSparse } from "./raw.js";
export type { NativeAddon } from "./functions.js";

function findAddon(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, "../../build/Release/convreg.node"),
    path.resolve(here, "../../../build/Release/convreg.node"),
    path.resolve(here, "../../build/Debug/convreg.node"),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      "convreg: the native addon is not built (build/Release/convreg.node is missing). " + "Run `npm install` (needs: apt-get install -y libopenblas-dev liblapacke-dev)",
    );
  return found;
}

const loaded: Record<string, unknown> = createRequire(import.meta.url)(findAddon());

// The two casts of the boundary: require() returns an untyped module, so its shape is declared
// here as for any foreign function interface. test/native-exports.test.ts checks that the addon
// exports exactly the names of NATIVE_FUNCTIONS, each a function.

/** The loaded addon. */
export const native = loaded as NativeAddon;

/** The `...Async` forms keyed by their sync name, so that runAsync looks one up with a typed key. */
export const nativeAsync = Object.fromEntries(taskNames().map((name) => [name, loaded[`${name}Async`]])) as AsyncTasks;
