/**
 * Test helper: act at a point where native work is known to be running, not after a delay.
 * Polls `activeNativeCalls()` once per event-loop turn (setImmediate) until it reaches `count`.
 */
import { activeNativeCalls } from "../lib/bench/index.js";

/**
 * Resolves once `count` native calls are running. Throws if one of `pending` settles first,
 * so a call that ends on its own is reported, never waited for in vain.
 */
export async function untilNativeCalls(count: number, pending: Array<Promise<unknown>>): Promise<void> {
  let settled = false;
  for (const p of pending)
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
  while (activeNativeCalls() < count) {
    if (settled) throw new Error(`a call settled before ${count} native calls were running`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Options of a Lanczos sigma_max run that only an abort can end: a tolerance below the rounding
 * floor never converges (the bound includes rounding, so it stays above 1e-300 sigma_max), and
 * 1e9 Gram products (each preceded by a native cancellation check) take hours even for the
 * smallest layer used with it, so the run is certainly in flight when the test aborts it.
 */
export const UNTIL_ABORTED = { tolerance: 1e-300, maxIterations: 1_000_000_000 } as const;
