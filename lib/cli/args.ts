/** Command-line argument helpers: every error names the flag and the constraint. */
import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";

/** A usage error (unknown or missing flag, wrong word): printed as one line with the usage, exit code 2. Code ERR_ARGUMENT. */
export class UsageError extends ConvregTypeError {
  constructor(message: string) {
    super("ERR_ARGUMENT", message);
    this.name = "UsageError";
  }
}

/** parseArgs with unknown flags and missing values reported as usage errors. */
export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: attachNegativeValues(argv, options), options, allowPositionals: true, strict: true } as const);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split("\n")[0] : String(e));
  }
}

// "-1", "-0.5", "-.5", "-1e3", "-Infinity": a negative number, not a flag.
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity$)/;

/**
 * `--alpha -1` as `--alpha=-1`: node's parseArgs reads a value starting with "-" as a flag and
 * reports "ambiguous"; attached, the value reaches the flag's own range check, which names the constraint.
 */
export function attachNegativeValues(argv: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      for (let j = i; j < argv.length; j++) out.push(argv[j]);
      break;
    }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : null;
    const next = argv[i + 1];
    if (name !== null && Object.hasOwn(options, name) && options[name].type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** An integer flag value in [min, max]. */
export function integerFlag(value: string | undefined, flag: string, min: number, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} is required`);
    return fallback;
  }
  const v = Number(value);
  if (value.trim() === "" || !Number.isInteger(v) || v < min) throw new ConvregRangeError("ERR_RANGE", `${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return v;
}

/** A finite number flag value > 0. */
export function positiveFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v <= 0) throw new ConvregRangeError("ERR_RANGE", `${flag} must be a finite number > 0, got ${JSON.stringify(value)}`);
  return v;
}

/** `--gram-tolerance X`: the relative accuracy the "auto" dense route demands of every Gram value, in (0, 1); undefined (the library's 1e-10) when absent. */
export function gramToleranceFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v <= 0 || v >= 1)
    throw new ConvregRangeError("ERR_RANGE", `--gram-tolerance must be a number in (0, 1) (the relative accuracy every Gram value must reach), got ${JSON.stringify(value)}`);
  return v;
}

/** A flag restricted to a set of words. */
export function choiceFlag<const T extends string>(value: string | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Exactly one positional argument (the input file). */
export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}, got ${positionals.length}`);
  return positionals[0];
}
