/** L-BFGS memory and its two-loop recursion (Nocedal and Wright, Algorithm 7.4). */

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The last `size` curvature pairs (s, y) and the inverse-Hessian product they define. */
export class LbfgsMemory {
  private pairs: Array<{ s: Float64Array; y: Float64Array; rho: number }> = [];
  constructor(private readonly size: number) {}

  /** Number of stored pairs. */
  get length(): number {
    return this.pairs.length;
  }

  /** Forgets every pair (the next direction is steepest descent). */
  reset(): void {
    this.pairs = [];
  }

  /**
   * Stores s = K_{i+1} - K_i and y = grad_{i+1} - grad_i when the curvature s.y is safely positive
   * (F is not convex, so it need not be); returns whether the pair was kept.
   */
  push(s: Float64Array, y: Float64Array): boolean {
    const sy = dot(s, y);
    if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return false;
    this.pairs.push({ s, y, rho: 1 / sy });
    if (this.pairs.length > this.size) this.pairs.shift();
    return true;
  }

  /** d = -H g with H the L-BFGS inverse Hessian, scaled by s.y / y.y of the newest pair (d = -g when empty). */
  direction(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const a = new Array<number>(this.pairs.length);
    for (let j = this.pairs.length - 1; j >= 0; j--) {
      const p = this.pairs[j];
      a[j] = p.rho * dot(p.s, q);
      for (let i = 0; i < q.length; i++) q[i] -= a[j] * p.y[i];
    }
    const newest = this.pairs[this.pairs.length - 1];
    const gamma = newest ? 1 / (newest.rho * dot(newest.y, newest.y)) : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let j = 0; j < this.pairs.length; j++) {
      const p = this.pairs[j];
      const b = p.rho * dot(p.y, q);
      for (let i = 0; i < q.length; i++) q[i] += (a[j] - b) * p.s[i];
    }
    for (let i = 0; i < q.length; i++) q[i] = -q[i];
    return q;
  }
}
