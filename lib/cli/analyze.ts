/** `convreg analyze <kernel> --n N`: penalty, extreme singular values, condition number, gradient norm. */
import { performance } from "node:perf_hooks";
import { formatKernel, readKernelFileDetailed, writeBytes } from "../kernel-file.js";
import { penaltyAndGradientAsync } from "../operations.js";
import { resolveSpectrumMethod, spectrumAsync, type Spectrum } from "../spectrum.js";
import { choiceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag } from "./args.js";
import { jsonNumber, sig } from "./format.js";

export const usage = `convreg analyze <kernel.npy|kernel.json> --n N [--alpha A] [--layout hwio|oihw]
                [--gradient-out G.npy] [--memory-limit BYTES] [--json]
                [--padding zero|circular] [--engine auto|dense|structured]
                [--spectrum auto|dense|iterative|certified|none]`;

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
    spectrum: { type: "string" },
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
  const spectrumFlag = choiceFlag(values.spectrum, "--spectrum", ["auto", "dense", "iterative", "certified", "none"] as const, "auto");
  const { kernel, layout } = await readKernelFileDetailed(file, { layout: layoutFlag });
  const spectrumOptions = { n, method: spectrumFlag, padding, memoryLimit };
  const resolved = resolveSpectrumMethod(kernel, spectrumOptions);
  if (resolved.fallbackReason !== null)
    process.stderr.write(`convreg analyze: ${resolved.fallbackReason.replace(/ \(raise it.*$/, "")}; using the iterative spectrum (Lanczos sigma_max, no M)\n`);

  const start = performance.now();
  const [pg, sigma] = await Promise.all([
    penaltyAndGradientAsync(kernel, { n, alpha, engine, padding, memoryLimit }),
    spectrumAsync(kernel, spectrumOptions),
  ]);
  const elapsedMs = performance.now() - start;
  if ((sigma.method === "iterative" || sigma.method === "certified") && !sigma.sigmaMaxConverged)
    process.stderr.write(`convreg analyze: Lanczos did not reach its tolerance in ${sigma.iterations} Gram products; sigma_max is an estimate\n`);

  const { sigmaMax, sigmaMin } = sigma;
  const gradientNorm = Math.hypot(...pg.gradient.data);
  const conditionNumber = sigmaMin === null ? Number.NaN : sigmaMax / sigmaMin;
  const gradientOut = values["gradient-out"];
  if (gradientOut !== undefined)
    await writeBytes(gradientOut, formatKernel(pg.gradient, gradientOut.toLowerCase().endsWith(".json") ? "json" : "npy", layout));

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
        spectrumMethod: sigma.method,
        penalty: pg.penalty,
        sigmaMax: jsonNumber(sigmaMax),
        sigmaMaxBound: jsonNumber(sigma.sigmaMaxBound),
        sigmaMaxConverged: sigma.sigmaMaxConverged,
        sigmaMin,
        sigmaMinLower: sigma.sigmaMinLower,
        sigmaMinUpper: sigma.sigmaMinUpper,
        sigmaMinCertified: sigma.sigmaMinCertified,
        bound: sigma.bound,
        spectrumIterations: sigma.iterations,
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
      ...spectrumLines(sigma),
      `condition       ${sigmaMin === null ? "unknown" : sig(conditionNumber, 6)}`,
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

/** The sigma_max and sigma_min lines, each with its bound and where it came from. */
function spectrumLines(s: Spectrum): string[] {
  if (s.method === "none") return ["sigma_max       not computed (--spectrum none)", "sigma_min       not computed (--spectrum none)"];
  const lanczos = `Lanczos, ${s.iterations} Gram products${s.sigmaMaxConverged ? "" : ", NOT CONVERGED: an estimate"}`;
  const source =
    s.method === "iterative" || s.method === "certified"
      ? lanczos
      : s.method === "circular-fft"
        ? "zgesvd per frequency"
        : "dgesvd";
  const count = s.values === null ? "" : `, all ${s.values.length} values`;
  const min =
    s.sigmaMin === null
      ? `sigma_min       not computed (the ${s.method} method gives sigma_max only)`
      : `sigma_min       ${sig(s.sigmaMin, 10)}   (in [${sig(s.sigmaMinLower!, 10)}, ${sig(s.sigmaMinUpper!, 10)}]${s.bound.sigmaMin === "proven" ? ", certified" : s.bound.sigmaMin === "probabilistic" ? ", probabilistic bound: an estimate" : ", NOT certified"}; ${s.method === "certified" ? "shift-invert on a CHOLMOD Cholesky of the Gram matrix" : source}${count})`;
  const relative = s.sigmaMax > 0 ? `, relative ${sig(s.sigmaMaxBound / s.sigmaMax, 2)}` : "";
  return [`sigma_max       ${sig(s.sigmaMax, 10)}   (+/- ${sig(s.sigmaMaxBound, 2)}${relative}; ${source}${count})`, min];
}
