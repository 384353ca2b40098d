/** `convreg analyze <kernel> --n N`: penalty, extreme singular values, condition number, gradient norm. */
import { writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { formatKernel, readKernelFileDetailed } from "../kernel-file.js";
import { penaltyAndGradientAsync, singularValuesAsync } from "../operations.js";
import { choiceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag } from "./args.js";
import { jsonNumber, sig } from "./format.js";

export const usage = `convreg analyze <kernel.npy|kernel.json> --n N [--alpha A] [--layout hwio|oihw]
                [--gradient-out G.npy] [--memory-limit BYTES] [--json]
                [--padding zero|circular] [--engine auto|dense|structured]`;

/** Runs the command; returns the exit code. */
export async function analyze(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    n: { type: "string" },
    alpha: { type: "string" },
    layout: { type: "string" },
    "gradient-out": { type: "string" },
    "memory-limit": { type: "string" },
    json: { type: "boolean", default: false },
    padding: { type: "string" },
    engine: { type: "string" },
  });
  const file = onePositional(positionals, "kernel file");
  const n = integerFlag(values.n, "--n", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const layoutFlag = values.layout === undefined ? undefined : choiceFlag(values.layout, "--layout", ["hwio", "oihw"] as const, "hwio");
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);
  const padding = choiceFlag(values.padding, "--padding", ["zero", "circular"] as const, "zero");
  // Circular padding: exact values from the kernel's 2-D DFT (no M is built).
  const circular = padding === "circular";
  // Penalty and gradient: "auto" is the structured engine (exact, cost independent of N).
  const engine = choiceFlag(values.engine, "--engine", ["auto", "dense", "structured"] as const, "auto");
  const { kernel, layout } = await readKernelFileDetailed(file, { layout: layoutFlag });

  const start = performance.now();
  const [pg, sigma] = await Promise.all([
    penaltyAndGradientAsync(kernel, { n, alpha, engine, padding, memoryLimit }),
    singularValuesAsync(kernel, { n, method: circular ? "fft" : "svd", padding, memoryLimit }),
  ]);
  const elapsedMs = performance.now() - start;

  const sigmaMax = sigma[0];
  const sigmaMin = sigma[sigma.length - 1];
  const gradientNorm = Math.hypot(...pg.gradient.data);
  const conditionNumber = sigmaMax / sigmaMin;
  const gradientOut = values["gradient-out"];
  if (gradientOut !== undefined)
    await writeFile(gradientOut, formatKernel(pg.gradient, gradientOut.toLowerCase().endsWith(".json") ? "json" : "npy", layout));

  if (values.json) {
    out(
      JSON.stringify({
        file,
        shape: kernel.shape,
        layout,
        n,
        alpha,
        padding,
        engine: circular && pg.engine === "structured" ? "circular-fft" : pg.engine,
        spectrumMethod: circular ? "circular-fft" : "dgesvd",
        penalty: pg.penalty,
        sigmaMax,
        sigmaMin,
        conditionNumber: jsonNumber(conditionNumber),
        gradientNorm,
        elapsedMs,
        gradientOut: gradientOut ?? null,
      }),
    );
    return 0;
  }
  const [k, , g, h] = kernel.shape;
  out(
    [
      `kernel          ${file} (${k}x${k}x${g}x${h}, ${layout})`,
      `input           ${n}x${n}x${g}  ->  M is ${h * n * n} x ${g * n * n}`,
      `penalty         ${sig(pg.penalty, 10)}   (||M^T M - ${alpha} I||_F^2, ${circular ? "circular padding, " : ""}${engineText(pg.engine, circular)})`,
      `sigma_max       ${sig(sigmaMax, 10)}`,
      `sigma_min       ${sig(sigmaMin, 10)}   (${circular ? "zgesvd per frequency" : "dgesvd"}, all ${sigma.length} values)`,
      `condition       ${sig(conditionNumber, 6)}`,
      `gradient norm   ${sig(gradientNorm, 10)}   (||dF/dK||_F)`,
      ...(gradientOut ? [`gradient        written to ${gradientOut} (${layout})`] : []),
      `time            ${elapsedMs.toFixed(1)} ms`,
    ].join("\n"),
  );
  return 0;
}

function engineText(engine: "dense" | "structured", circular: boolean): string {
  if (engine === "dense") return "dense engine";
  return circular ? "2-D DFT of the kernel" : "structured engine";
}
