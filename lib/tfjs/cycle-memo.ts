/**
 * Memoised recursion over a graph that may have cycles (while loops: Merge <- NextIteration).
 * A key met again while it is being computed yields the fallback; a result that depended on
 * such a fallback of another key still in progress is not cached, so no node keeps a value
 * computed from a half-finished one.
 */
export class CycleMemo<T> {
  private readonly done = new Map<string, T>();
  private readonly active = new Set<string>();
  /** For each frame in progress, the keys in progress that it read a fallback for. */
  private readonly frames: Set<string>[] = [];

  /** Depth of the current recursion (callers bound it). */
  get depth(): number {
    return this.frames.length;
  }

  get(key: string, compute: () => T, fallback: T): T {
    const known = this.done.get(key);
    if (known !== undefined || this.done.has(key)) return known as T;
    if (this.active.has(key)) {
      this.frames[this.frames.length - 1]?.add(key);
      return fallback;
    }
    this.active.add(key);
    this.frames.push(new Set());
    let value: T;
    try {
      value = compute();
    } finally {
      this.active.delete(key);
    }
    const hits = this.frames.pop() as Set<string>;
    hits.delete(key);
    if (hits.size === 0) this.done.set(key, value);
    else for (const h of hits) this.frames[this.frames.length - 1]?.add(h);
    return value;
  }
}
