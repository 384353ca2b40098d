/** `convreg analyze <kernel> --n N`: penalty, extreme singular values, condition number, gradient norm. */
import { performance } from "node:perf_hooks";
import { formatKernel, readKernelFileDetailed, writeBytes } from "../io/kernel-file.js";
import { penaltyAndGradientAsync } from "../penalty/frobenius.js";
import { resolveSpectrumMethod, spectrumAsync, type Spectrum } from "../spectrum/spectrum.js";
import { choiceFlag, gramToleranceFlag, integerFlag, onePositional, parseCommandArgs, positiveFlag, UsageError } from "./args.js";
import { jsonNumber, sig } from "./format.js";
import { attempt, reasonText, type Part } from "./partial.js";
import { euclideanNorm } from "../core/arrays.js";
import { requireLayerSupport, type LayerShapeOptions } from "../core/layer-support.js";

export const usage = `convreg analyze <kernel.npy|kernel.json> --n N [--alpha A] [--layout hwio|oihw]
                [--gradient-out G.npy] [--memory-limit BYTES] [--json]
                [--width W] [--stride S] [--padding zero|valid|circular] [--dilation D]
                [--groups G | --depthwise] [--transposed] [--engine auto|dense|structured]
                [--spectrum auto|dense|iterative|certified|none]
                [--dense-method auto|svd|gram] [--gram-tolerance X]`;

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
    "dense-method": { type: "string" },
    "gram-tolerance": { type: "string" },
    width: { type: "string" },
    stride: { type: "string" },
    dilation: { type: "string" },
    groups: { type: "string" },
    depthwise: { type: "boolean", default: false },
    transposed: { type: "boolean", default: false },
  });
  const file = onePositional(positionals, "kernel file");
  const n = integerFlag(values.n, "--n", 1);
  const alpha = positiveFlag(values.alpha, "--alpha", 1);
  const layoutFlag = values.layout === undefined ? undefined : choiceFlag(values.layout, "--layout", ["hwio", "oihw"] as const, "hwio");
  const memoryLimit = values["memory-limit"] === undefined ? undefined : positiveFlag(values["memory-limit"], "--memory-limit", 1);
  const padding = choiceFlag(values.padding, "--padding", ["zero", "valid", "circular"] as const, "zero");
  // Circular padding: exact values from the kernel's 2-D DFT (no M is built).
  const circular = padding === "circular";
  // Penalty and gradient: "auto" is the structured engine (exact, cost independent of N).
  const engine = choiceFlag(values.engine, "--engine", ["auto", "dense", "structured"] as const, "auto");
  const spectrumFlag = choiceFlag(values.spectrum, "--spectrum", ["auto", "dense", "iterative", "certified", "none"] as const, "auto");
  // Dense spectra: which route computes every value (values-route.ts); the library's defaults when absent.
  const denseMethod = choiceFlag(values["dense-method"], "--dense-method", ["auto", "svd", "gram"] as const, "auto");
  const gramTolerance = gramToleranceFlag(values["gram-tolerance"]);
  const layer = layerFlags(values);
  const { kernel, layout } = await readKernelFileDetailed(file, { layout: layoutFlag });
  const layerOptions: LayerShapeOptions = { ...layer, padding };
  const layered = isLayered(layerOptions, n);
  // The spectrum of the layer itself: the same layer options as the penalty.
  const spectrumOptions = { n, method: spectrumFlag, padding, memoryLimit, denseMethod, gramTolerance, ...layer };
  const gradientOut = values["gradient-out"];

  // Each part is computed on its own: one that does not fit (or fails) is reported with its reason.
  const start = performance.now();
  const resolved = await attempt(() => {
    requireLayerSupport("spectrum", { ...layerOptions, n });
    return resolveSpectrumMethod(kernel, spectrumOptions);
  });
  if (resolved.value?.fallbackReason)
    process.stderr.write(`convreg analyze: ${resolved.value.fallbackReason.replace(/ \(raise it.*$/, "")}; using the iterative spectrum (Lanczos sigma_max, no M)\n`);
  const timed = async <T>(f: () => Promise<T>) => {
    const part = await attempt(f);
    return { part, ms: performance.now() - start };
  };
  const pgRun = timed(() => {
    requireLayerSupport("penalty", { ...layerOptions, n });
    return penaltyAndGradientAsync(kernel, { n, alpha, engine, memoryLimit, ...layerOptions });
  });
  const spectrumRun = resolved.reason !== null ? Promise.resolve({ part: resolved as Part<Spectrum>, ms: 0 }) : timed(() => spectrumAsync(kernel, spectrumOptions));
  spectrumRun.catch(() => {}); // awaited below; this only keeps a rejection meanwhile from counting as unhandled
  // Text output: the penalty is printed as soon as it is known, before a long spectrum finishes.
  const { part: pg, ms: penaltyMs } = await pgRun;
  const gradientNorm = pg.value === null ? null : euclideanNorm(pg.value.gradient.data);
  const written = pg.value !== null && gradientOut !== undefined;
  if (written) await writeBytes(gradientOut, formatKernel(pg.value!.gradient, gradientOut.toLowerCase().endsWith(".json") ? "json" : "npy", layout));
  const [k, , g, h] = kernel.shape;
  const input = layered ? layerText(layerOptions, n, k) : `${n}x${n}x${g}  ->  M is ${h * n * n} x ${g * n * n}`;
  if (!values.json)
    out(
      [
        `kernel          ${file} (${k}x${k}x${g}x${h}, ${layout})`,
        `input           ${input}`,
        pg.value === null
          ? `penalty         ${reasonText(pg.reason!)}`
          : `penalty         ${sig(pg.value.penalty, 10)}   (||M^T M - ${alpha} I||_F^2, ${circular ? "circular padding, " : ""}${engineText(pg.value.engine, circular)})`,
        gradientNorm === null ? `gradient norm   not computed (no gradient)` : `gradient norm   ${sig(gradientNorm, 10)}   (||dF/dK||_F)`,
        ...(gradientOut === undefined ? [] : [written ? `gradient        written to ${gradientOut} (${layout})` : `gradient        not written (no gradient)`]),
      ].join("\n"),
    );

  const { part: sigma, ms: spectrumMs } = await spectrumRun;
  const elapsedMs = performance.now() - start;
  const s = sigma.value;
  if (s !== null && (s.method === "iterative" || s.method === "certified") && !s.sigmaMaxConverged)
    process.stderr.write(`convreg analyze: Lanczos did not reach its tolerance in ${s.iterations} Gram products; sigma_max is an estimate\n`);
  const conditionNumber = s === null || s.sigmaMin === null ? Number.NaN : s.sigmaMax / s.sigmaMin;
  // Every missing number has its reason in the output, so the exit code stays 0; a warning when none could be computed.
  if (pg.value === null && (s === null || s.method === "none")) process.stderr.write(`convreg analyze: nothing could be computed: ${pg.reason!.message} [${pg.reason!.code}]\n`);

  if (values.json) {
    out(
      JSON.stringify({
        file,
        shape: kernel.shape,
        layout,
        n,
        alpha,
        padding,
        width: layer.width ?? n,
        stride: layer.stride ?? 1,
        dilation: layer.dilation ?? 1,
        groups: layer.groups ?? 1,
        depthwise: layer.depthwise ?? false,
        transposed: layer.transposed ?? false,
        engine: pg.value === null ? engine : circular && pg.value.engine === "structured" ? "circular-fft" : pg.value.engine,
        spectrumMethod: s?.method ?? resolved.value?.method ?? spectrumFlag,
        penalty: pg.value?.penalty ?? null,
        penaltyReason: pg.reason,
        sigmaMax: s === null ? null : jsonNumber(s.sigmaMax),
        sigmaMaxBound: s === null ? null : jsonNumber(s.sigmaMaxBound),
        sigmaMaxConverged: s?.sigmaMaxConverged ?? false,
        sigmaMaxUpper: s?.sigmaMaxUpper ?? null,
        sigmaMin: s?.sigmaMin ?? null,
        sigmaMinLower: s?.sigmaMinLower ?? null,
        sigmaMinUpper: s?.sigmaMinUpper ?? null,
        sigmaMinCertified: s?.sigmaMinCertified ?? false,
        bound: s?.bound ?? null,
        spectrumIterations: s?.iterations ?? 0,
        // Dense spectra: the route that computed every value ("gram" or "svd") and its bounds.
        denseMethod: s?.denseRoute?.method ?? null,
        valuesRelativeErrorBound: s?.denseRoute?.relativeErrorBound ?? null,
        gramTolerance: s?.denseRoute?.gramTolerance ?? null,
        gramRelativeBound: s?.denseRoute?.gramRelativeBound ?? null,
        spectrumReason: sigma.reason,
        conditionNumber: jsonNumber(conditionNumber),
        gradientNorm,
        elapsedMs,
        penaltyMs,
        spectrumMs,
        gradientOut: written ? gradientOut : null,
      }),
    );
    return 0;
  }
  out(
    [
      ...(s === null ? [`sigma_max       ${reasonText(sigma.reason!)}`, `sigma_min       not computed (no spectrum)`] : spectrumLines(s)),
      `condition       ${Number.isNaN(conditionNumber) ? "unknown" : sig(conditionNumber, 6)}`,
      `time            ${elapsedMs.toFixed(1)} ms (penalty and gradient ${penaltyMs.toFixed(1)} ms)`,
    ].join("\n"),
  );
  return 0;
}

type LayerFlags = Omit<LayerShapeOptions, "padding">;

/** The layer flags: only those given are set, so an absent flag keeps the library's default. */
function layerFlags(values: { width?: string; stride?: string; dilation?: string; groups?: string; depthwise?: boolean; transposed?: boolean }): LayerFlags {
  const o: LayerFlags = {};
  if (values.width !== undefined) o.width = integerFlag(values.width, "--width", 1);
  if (values.stride !== undefined) o.stride = integerFlag(values.stride, "--stride", 1);
  if (values.dilation !== undefined) o.dilation = integerFlag(values.dilation, "--dilation", 1);
  if (values.groups !== undefined) o.groups = integerFlag(values.groups, "--groups", 1);
  if (values.depthwise) {
    if (o.groups !== undefined) throw new UsageError("--groups and --depthwise exclude each other (a depthwise layer has one group per input channel)");
    o.depthwise = true;
  }
  if (values.transposed) o.transposed = true;
  return o;
}

function isLayered(o: LayerShapeOptions, n: number): boolean {
  return (
    (o.width ?? n) !== n || (o.stride ?? 1) !== 1 || (o.dilation ?? 1) !== 1 || (o.groups ?? 1) !== 1 || o.depthwise === true || o.transposed === true || o.padding === "valid"
  );
}

/** "32x48x3, stride 2, padding valid, ..." for the text output's input line. */
function layerText(o: LayerShapeOptions, n: number, k: number): string {
  const parts = [`${n}x${o.width ?? n}`];
  if ((o.stride ?? 1) !== 1) parts.push(`stride ${o.stride}`);
  parts.push(`padding ${o.padding ?? "zero"}`);
  if ((o.dilation ?? 1) !== 1) parts.push(`dilation ${o.dilation} (effective kernel ${(o.dilation as number) * (k - 1) + 1})`);
  if ((o.groups ?? 1) !== 1) parts.push(`${o.groups} groups`);
  if (o.depthwise) parts.push("depthwise");
  if (o.transposed) parts.push("transposed (M is the forward M^T)");
  return parts.join(", ");
}

function engineText(engine: "dense" | "structured", circular: boolean): string {
  if (engine === "dense") return "dense engine";
  return circular ? "2-D DFT of the kernel" : "structured engine";
}

/** Which dense route ran: the Gram eigenvalues within the tolerance, or dgesdd (and why the Gram route was refused). */
function denseSource(s: Spectrum): string {
  const r = s.denseRoute;
  if (r === undefined) return "dgesdd";
  const within = r.relativeErrorBound === null ? "no relative bound (a zero value)" : `every value within ${sig(r.relativeErrorBound, 2)} relative`;
  if (r.method === "gram") return `Gram eigenvalues (dsyevd), ${within}, tolerance ${sig(r.gramTolerance, 2)}`;
  if (r.method === "mixed") return `Gram eigenvalues or dgesdd per group, ${within}`;
  return r.gramRelativeBound === null ? "dgesdd" : `dgesdd; the Gram route's bound ${sig(r.gramRelativeBound, 2)} relative is over the tolerance ${sig(r.gramTolerance, 2)}`;
}

/** The sigma_max and sigma_min lines, each with its bound and where it came from. */
function spectrumLines(s: Spectrum): string[] {
  if (s.method === "none") return ["sigma_max       not computed (--spectrum none)", "sigma_min       not computed (--spectrum none)"];
  if (s.method === "symbol")
    return [
      `sigma_max       in [0, ${sig(s.sigmaMaxUpper!, 10)}]   (proven upper value from the kernel's symbol; Lanczos is over the memory limit)`,
      "sigma_min       not computed (over the memory limit)",
    ];
  const lanczos = `Lanczos, ${s.iterations} Gram products${s.sigmaMaxConverged ? "" : ", NOT CONVERGED: an estimate"}`;
  const source = s.method === "iterative" || s.method === "certified" ? lanczos : s.method === "circular-fft" ? "zgesvd per frequency" : denseSource(s);
  const count = s.values === null ? "" : `, all ${s.values.length} values`;
  const min =
    s.sigmaMin === null
      ? `sigma_min       not computed (the ${s.method} method gives sigma_max only)`
      : `sigma_min       ${sig(s.sigmaMin, 10)}   (in [${sig(s.sigmaMinLower!, 10)}, ${sig(s.sigmaMinUpper!, 10)}]${s.bound.sigmaMin === "proven" ? ", certified" : s.bound.sigmaMin === "probabilistic" ? ", probabilistic bound: an estimate" : ", NOT certified"}; ${s.method === "certified" ? "shift-invert on a CHOLMOD Cholesky of the Gram matrix" : source}${count})`;
  const relative = s.sigmaMax > 0 ? `, relative ${sig(s.sigmaMaxBound / s.sigmaMax, 2)}` : "";
  const line = `sigma_max       ${sig(s.sigmaMax, 10)}   (+/- ${sig(s.sigmaMaxBound, 2)}${relative}; ${source}${count})`;
  if (s.sigmaMaxUpper === undefined || s.sigmaMaxUpper === null) return [line, min];
  const width = s.sigmaMaxUpper > 0 ? (s.sigmaMaxUpper - s.sigmaMax) / s.sigmaMaxUpper : 0;
  return [line, `sigma_max upper ${sig(s.sigmaMaxUpper, 10)}   (proven, from the kernel's symbol; bracket relative width ${sig(width, 2)})`, min];
}
