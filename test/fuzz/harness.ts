/**
 * The fuzz harness: classes of seeded cases, each run once; a case passes when it returns a
 * result that its check accepts (no NaN, right sizes) or throws/rejects with a convreg error
 * carrying a documented code. Anything else (a foreign exception, a crash of a spawned CLI,
 * a hang past the deadline, NaN in a result) is recorded as a failure with its seed.
 */
import { isConvregError } from "../../lib/index.js";
import { rng } from "../reference.js";

/** Every code the README documents. */
export const DOCUMENTED_CODES = new Set([
  "ERR_SHAPE",
  "ERR_NONFINITE",
  "ERR_RANGE",
  "ERR_ARGUMENT",
  "ERR_MEMORY_LIMIT",
  "ERR_NPY_HEADER",
  "ERR_KERNEL_FILE",
  "ERR_MODEL_FORMAT",
  "ERR_ABORTED",
  "ERR_NOT_CONVERGED",
  "ERR_NATIVE",
]);

export type Rng = ReturnType<typeof rng> & { int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean };

export function seeded(seed: number): Rng {
  const r = rng(seed);
  return {
    ...r,
    int: (lo, hi) => lo + Math.floor(r.uniform() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r.uniform() * xs.length)],
    chance: (p) => r.uniform() < p,
  };
}

/** One generated case: `run` may return a value or a Promise. */
export interface FuzzCase {
  label: string;
  run: () => unknown;
  /** Problems with a returned result (undefined: fine). Default: every number finite. */
  check?: (result: unknown) => string | undefined;
  /** For results that stand for an error (a CLI exit code 1 or 2): the documented code they carry. */
  codeOf?: (result: unknown) => string | undefined;
  /** When set, the case must end in one of these codes (e.g. an enormous size must be refused). */
  expectCodes?: readonly string[];
  /** With expectCodes: a (checked) result is also fine, e.g. an engine whose cost does not grow with N. */
  allowResult?: boolean;
}

export interface FuzzClass {
  name: string;
  /** Relative share of the cases. */
  weight: number;
  make: (r: Rng) => FuzzCase;
}

export interface ClassCount {
  cases: number;
  results: number;
  errors: Record<string, number>;
  failures: number;
}

export interface Failure {
  cls: string;
  seed: number;
  label: string;
  problem: string;
}

export interface FuzzReport {
  total: number;
  classes: Record<string, ClassCount>;
  failures: Failure[];
  ms: number;
}

/** First NaN or Infinity in a result (numbers, typed arrays, arrays, objects), as a path. */
export function nonFinitePath(value: unknown, path = "result", depth = 0): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (depth > 4 || value === null || typeof value !== "object") return undefined;
  if (value instanceof Float64Array || value instanceof Float32Array) {
    for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i])) return `${path}[${i}] = ${value[i]}`;
    return undefined;
  }
  if (ArrayBuffer.isView(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const bad = nonFinitePath(v, `${path}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

const DEADLINE_MS = 20_000;

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `non-Error thrown: ${String(e)}`;
}

/** Judges one thrown value: a problem string, or undefined when it is a documented convreg error. */
export function judgeError(e: unknown, expectCodes?: readonly string[]): string | undefined {
  if (!isConvregError(e)) return `foreign exception ${describeError(e)}`;
  if (!DOCUMENTED_CODES.has(e.code)) return `undocumented code ${e.code}: ${e.message}`;
  if (!e.message || /\[object Object\]|undefined undefined/.test(e.message)) return `unhelpful message ${JSON.stringify(e.message)}`;
  // ERR_NATIVE is documented, but validated input should never reach a native failure.
  if (e.code === "ERR_NATIVE" && !expectCodes?.includes("ERR_NATIVE")) return `native failure on validated input: ${e.message}`;
  if (expectCodes && !expectCodes.includes(e.code)) return `expected ${expectCodes.join("|")}, got ${e.code}: ${e.message}`;
  return undefined;
}

async function runOne(c: FuzzCase): Promise<{ ok: boolean; code?: string; problem?: string }> {
  let result: unknown;
  try {
    result = c.run();
    if (result instanceof Promise) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: no answer after ${DEADLINE_MS} ms`)), DEADLINE_MS);
      });
      try {
        result = await Promise.race([result, deadline]);
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (e) {
    const problem = judgeError(e, c.expectCodes);
    return problem ? { ok: false, problem } : { ok: true, code: (e as { code: string }).code };
  }
  if (c.expectCodes && !c.allowResult) return { ok: false, problem: `expected ${c.expectCodes.join("|")}, got a result` };
  const problem = (c.check ?? ((v: unknown) => nonFinitePath(v)))(result);
  return problem ? { ok: false, problem } : { ok: true, code: c.codeOf?.(result) };
}

/**
 * Runs `total` cases split over the classes by weight (at least one per class), case i of a
 * class seeded by `seed + i * 7919 + class index`. Async cases run one at a time.
 */
export async function runFuzz(classes: FuzzClass[], total: number, seed: number): Promise<FuzzReport> {
  const start = performance.now();
  const weightSum = classes.reduce((a, c) => a + c.weight, 0);
  const report: FuzzReport = { total: 0, classes: {}, failures: [], ms: 0 };
  for (const [ci, cls] of classes.entries()) {
    const count = Math.max(1, Math.round((total * cls.weight) / weightSum));
    const counts: ClassCount = { cases: 0, results: 0, errors: {}, failures: 0 };
    report.classes[cls.name] = counts;
    for (let i = 0; i < count; i++) {
      const caseSeed = seed + i * 7919 + ci;
      let c: FuzzCase;
      try {
        c = cls.make(seeded(caseSeed));
      } catch (e) {
        throw new Error(`fuzz class ${cls.name} failed to generate case ${caseSeed}: ${describeError(e)}`);
      }
      if (process.env.FUZZ_TRACE) process.stderr.write(`${cls.name} ${caseSeed}: ${c.label}\n`);
      const outcome = await runOne(c);
      counts.cases++;
      report.total++;
      if (!outcome.ok) {
        counts.failures++;
        if (report.failures.length < 200) report.failures.push({ cls: cls.name, seed: caseSeed, label: c.label, problem: outcome.problem! });
      } else if (outcome.code) counts.errors[outcome.code] = (counts.errors[outcome.code] ?? 0) + 1;
      else counts.results++;
    }
  }
  report.ms = performance.now() - start;
  return report;
}

/** The report as a Markdown table plus the failures. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz: ${report.total} cases in ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failures`,
    "| class | cases | results | documented errors (by code) | failures |",
    "| --- | ---: | ---: | --- | ---: |",
  ];
  for (const [name, c] of Object.entries(report.classes)) {
    const errs = Object.entries(c.errors)
      .sort()
      .map(([code, n]) => `${code} ${n}`)
      .join(", ");
    lines.push(`| ${name} | ${c.cases} | ${c.results} | ${errs} | ${c.failures} |`);
  }
  for (const f of report.failures) lines.push(`FAIL ${f.cls} seed ${f.seed}: ${f.label}: ${f.problem}`);
  return lines.join("\n");
}

/** A short printable form of any value for case labels (never throws). */
export function show(value: unknown): string {
  try {
    if (typeof value === "symbol" || typeof value === "function" || typeof value === "bigint") return String(value);
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
    const s = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? String(v) : v));
    return s === undefined ? String(value) : s.length > 120 ? `${s.slice(0, 120)}...` : s;
  } catch {
    return "<unprintable>";
  }
}
