/** The `convreg` command line: dispatches to one module per command. */
import { isConvregError } from "../core/errors.js";
import { UsageError } from "./args.js";
import { analyze, usage as analyzeUsage } from "./analyze.js";
import { reproduce, usage as reproduceUsage } from "./reproduce.js";
import { optimizeCommand, usage as optimizeUsage } from "./optimize.js";
import { report, usage as reportUsage } from "./report.js";
import { isModelOptimize, modelOptimize, usage as modelOptimizeUsage } from "./model-optimize.js";

type Command = { usage: string; run: (argv: string[], out: (s: string) => void) => Promise<number> };

const commands: Record<string, Command> = {
  analyze: { usage: analyzeUsage, run: analyze },
  reproduce: { usage: reproduceUsage, run: reproduce },
  // One command, two forms: a kernel file, or a TF.js model with --layer (isModelOptimize tells them apart).
  optimize: {
    usage: `${optimizeUsage}\n  ${modelOptimizeUsage}`,
    run: (argv, out) => (isModelOptimize(argv) ? modelOptimize(argv, out) : optimizeCommand(argv, out)),
  },
  report: { usage: reportUsage, run: report },
};

function help(): string {
  return ["usage:", ...Object.values(commands).map((c) => `  ${c.usage}`)].join("\n");
}

/** Runs the CLI with the given arguments; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s + "\n");
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out(help());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`convreg: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(commands).join(", ")}) [ERR_ARGUMENT]\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(`usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, out);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      process.stderr.write(`convreg ${name}: ${message} [${e.code}]\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`convreg ${name}: ${message}${isConvregError(e) ? ` [${e.code}]` : ""}\n`);
    return 1;
  }
}
