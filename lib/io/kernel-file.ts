/**
 * Kernel files: `.npy` (float16/32/64 in either byte order, C or Fortran order; HWIO `(k,k,g,h)` or OIHW `(h,g,k,k)`) and JSON
 * `{ "shape": [...], "layout": "hwio" | "oihw", "data": [...] }` with data flat in that layout.
 */
import { readFile, writeFile } from "node:fs/promises";
import { ConvregError, ConvregTypeError, isConvregError } from "../core/errors.js";
import { createKernel, kernelFromOIHW, kernelToOIHW, requireKernel, type Kernel, type KernelLayout } from "../core/kernel.js";
import { formatNpy, parseNpy, requireBytes } from "./npy.js";
import { describe, requireChoice, requireOptions } from "../core/validate.js";

/** Options of kernel file reading and writing. */
export interface KernelFileOptions {
  /** Layout of `.npy` data (default "hwio"). JSON files carry their own `layout` field. */
  layout?: KernelLayout;
}

function fileError(path: string, what: string, cause?: unknown): ConvregError {
  return new ConvregError("ERR_KERNEL_FILE", `${path}: ${what}`, cause === undefined ? undefined : { cause });
}

// Kernel errors about `data`/`shape` are re-raised naming the file.
function inFile<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (isConvregError(e) && e.code !== "ERR_NPY_HEADER") throw fileError(path, e.message, e);
    throw e;
  }
}

function fromLayout(data: ArrayLike<number>, shape: number[], layout: KernelLayout): Kernel {
  return layout === "oihw" ? kernelFromOIHW(data, shape) : createKernel(data, shape);
}

/** A kernel read from a file with the layout its data was stored in. */
export interface KernelFile {
  kernel: Kernel;
  layout: KernelLayout;
  format: "npy" | "json";
}

/** Parses a kernel from file bytes; the format is chosen by the `.npy` magic, else JSON. */
export function parseKernel(bytes: Uint8Array, path: string, options?: KernelFileOptions): Kernel {
  return parseKernelFile(bytes, path, options).kernel;
}

/** Like {@link parseKernel}, also telling the layout and format found. */
export function parseKernelFile(bytes: Uint8Array, path: string, options?: KernelFileOptions): KernelFile {
  requireBytes(bytes, "bytes");
  options = requireOptions(options);
  const layout = requireChoice(options.layout, "layout", ["hwio", "oihw"], "hwio");
  if (bytes[0] === 0x93) {
    const arr = parseNpy(bytes, path);
    if (arr.shape.length !== 4) throw fileError(path, `a kernel needs 4 dimensions, the array has shape (${arr.shape.join(", ")})`);
    return { kernel: inFile(path, () => fromLayout(arr.data, arr.shape, layout)), layout, format: "npy" };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw fileError(path, `neither a .npy file nor valid JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw fileError(path, 'JSON kernel must be an object { "shape": [...], "layout": "hwio", "data": [...] }');
  const { shape, data, layout: fileLayout } = doc as { shape?: unknown; data?: unknown; layout?: unknown };
  const jsonLayout = inFile(path, () => requireChoice(fileLayout, "layout", ["hwio", "oihw"], "hwio"));
  if (options.layout !== undefined && fileLayout !== undefined && options.layout !== jsonLayout)
    throw fileError(path, `the file says layout "${jsonLayout}" but "${options.layout}" was requested`);
  const effective = fileLayout === undefined ? layout : jsonLayout;
  if (!Array.isArray(shape)) throw fileError(path, '"shape" must be an array of 4 integers');
  if (!Array.isArray(data)) throw fileError(path, '"data" must be a flat array of numbers');
  return { kernel: inFile(path, () => fromLayout(data as number[], shape as number[], effective)), layout: effective, format: "json" };
}

/** Reads a kernel from a `.npy` or JSON file. */
export async function readKernelFile(path: string, options?: KernelFileOptions): Promise<Kernel> {
  return (await readKernelFileDetailed(path, options)).kernel;
}

/** Like {@link readKernelFile}, also telling the layout and format found. */
export async function readKernelFileDetailed(path: string, options?: KernelFileOptions): Promise<KernelFile> {
  requirePath(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileError(path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
  return parseKernelFile(bytes, path, options);
}

/** Serializes a kernel as `.npy` (float64) or JSON bytes in the given layout. */
export function formatKernel(kernel: Kernel, format: "npy" | "json", layout: KernelLayout = "hwio"): Uint8Array {
  kernel = requireKernel(kernel);
  requireChoice(format, "format", ["npy", "json"], "npy");
  requireChoice(layout, "layout", ["hwio", "oihw"], "hwio");
  const [k, , g, h] = kernel.shape;
  const shape = layout === "oihw" ? [h, g, k, k] : [k, k, g, h];
  const data = layout === "oihw" ? kernelToOIHW(kernel) : kernel.data;
  if (format === "npy") return formatNpy(shape, data);
  return new TextEncoder().encode(JSON.stringify({ shape, layout, data: Array.from(data) }) + "\n");
}

/** Writes a kernel; the format follows the extension (`.json`, else `.npy`). */
export async function writeKernelFile(path: string, kernel: Kernel, options?: KernelFileOptions): Promise<void> {
  requirePath(path);
  const layout = requireChoice(requireOptions(options).layout, "layout", ["hwio", "oihw"], "hwio");
  await writeBytes(path, formatKernel(kernel, path.toLowerCase().endsWith(".json") ? "json" : "npy", layout));
}

/** Writes bytes to a file; a failure (missing directory, permissions) is ERR_KERNEL_FILE naming the file. */
export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (e) {
    throw fileError(path, `cannot write the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
}

function requirePath(path: unknown): void {
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) throw new ConvregTypeError("ERR_ARGUMENT", `path must be a non-empty file name, got ${describe(path)}`);
}
