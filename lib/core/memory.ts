/**
 * The memory guard: every large native allocation is estimated in TypeScript and refused
 * past a limit before the native call starts.
 */
import { ConvregError } from "./errors.js";
import { requirePositive } from "./validate.js";

const GiB = 1024 ** 3;
let defaultLimit = 2 * GiB;

/** Sets the default limit in bytes for dense allocations (initially 2 GiB). */
export function setMemoryLimit(bytes: number): void {
  defaultLimit = requirePositive(bytes, "bytes");
}

/** The default memory limit in bytes. */
export function getMemoryLimit(): number {
  return defaultLimit;
}

/** Formats a byte count for messages. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 2 : 0)} ${units[u]}`;
}

/**
 * Throws ERR_MEMORY_LIMIT when `bytes` exceeds the limit (the per-call one, else the default).
 * `what` names the allocation; a function is called only for the message (a hot small call
 * then builds no string).
 */
export function requireMemory(bytes: number, what: string | (() => string), limit?: number): void {
  const cap = limit === undefined ? defaultLimit : requirePositive(limit, "memoryLimit");
  if (bytes > cap)
    throw new ConvregError(
      "ERR_MEMORY_LIMIT",
      `${typeof what === "string" ? what : what()} would need ${formatBytes(bytes)}, more than the memory limit of ${formatBytes(cap)} ` +
        `(raise it with the memoryLimit option or setMemoryLimit)`,
    );
}
