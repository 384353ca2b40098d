/**
 * Independent references for the tests, written from the definitions in MATH.md and
 * sharing no code with lib/ or src/: M built entry by entry, dense products, Jacobi
 * eigenvalues, and a seeded generator.
 */

/** A deterministic generator (mulberry32) with standard normal draws (Box-Muller). */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

/** Random HWIO kernel data of shape [k, k, g, h]. */
export function randomData(k: number, g: number, h: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: k * k * g * h }, () => r.normal());
}

/** Dense matrix as an array of rows. */
export type Rows = number[][];

/**
 * M by its definition (MATH.md): Y[r,s,c] = sum_{d,p,q} X[r-m+p, s-m+q, d] K[p,q,d,c] with
 * 1-indexed p, q, m = ceil(k/2), zero padding. Row (c,r,s) -> c N^2 + r N + s, column likewise.
 * Returns M and, for each kernel entry, the list of positions holding it (Omega).
 */
export function bruteForceM(data: Float64Array, k: number, g: number, h: number, n: number): { m: Rows; omega: Map<number, Array<[number, number]>> } {
  const m: Rows = Array.from({ length: h * n * n }, () => new Array<number>(g * n * n).fill(0));
  const omega = new Map<number, Array<[number, number]>>();
  const mm = Math.ceil(k / 2);
  for (let c = 0; c < h; c++)
    for (let r = 1; r <= n; r++)
      for (let s = 1; s <= n; s++)
        for (let d = 0; d < g; d++)
          for (let p = 1; p <= k; p++)
            for (let q = 1; q <= k; q++) {
              const xr = r - mm + p;
              const xs = s - mm + q;
              if (xr < 1 || xr > n || xs < 1 || xs > n) continue;
              const e = (((p - 1) * k + (q - 1)) * g + d) * h + c;
              const i = c * n * n + (r - 1) * n + (s - 1);
              const j = d * n * n + (xr - 1) * n + (xs - 1);
              m[i][j] += data[e];
              if (!omega.has(e)) omega.set(e, []);
              omega.get(e)!.push([i, j]);
            }
  return { m, omega };
}

/**
 * The block-circulant M by its definition: Y[r,s,c] = sum_{d,p,q} X[(r-m+p) mod N, (s-m+q) mod N, d] K[p,q,d,c]
 * (1-indexed p, q; m = ceil(k/2)). When N < k several taps hit the same input pixel and add up.
 */
export function bruteForceCircularM(data: Float64Array, k: number, g: number, h: number, n: number): Rows {
  const m: Rows = Array.from({ length: h * n * n }, () => new Array<number>(g * n * n).fill(0));
  const mm = Math.ceil(k / 2);
  const wrap = (i: number) => (((i - 1) % n) + n) % n; // 1-indexed position -> 0-indexed pixel
  for (let c = 0; c < h; c++)
    for (let r = 1; r <= n; r++)
      for (let s = 1; s <= n; s++)
        for (let d = 0; d < g; d++)
          for (let p = 1; p <= k; p++)
            for (let q = 1; q <= k; q++) {
              const j = d * n * n + wrap(r - mm + p) * n + wrap(s - mm + q);
              m[c * n * n + (r - 1) * n + (s - 1)][j] += data[(((p - 1) * k + (q - 1)) * g + d) * h + c];
            }
  return m;
}

export function transpose(a: Rows): Rows {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

export function multiply(a: Rows, b: Rows): Rows {
  const out: Rows = a.map(() => new Array<number>(b[0].length).fill(0));
  for (let i = 0; i < a.length; i++)
    for (let l = 0; l < b.length; l++) {
      const v = a[i][l];
      if (v === 0) continue;
      for (let j = 0; j < b[0].length; j++) out[i][j] += v * b[l][j];
    }
  return out;
}

/** F = ||M^T M - alpha I||_F^2 computed on the full (not the smaller) Gram matrix. */
export function bruteForcePenalty(m: Rows, alpha: number): number {
  const gram = multiply(transpose(m), m);
  let f = 0;
  gram.forEach((row, i) => row.forEach((v, j) => (f += (v - (i === j ? alpha : 0)) ** 2)));
  return f;
}

/**
 * Eigenpairs of a symmetric matrix by cyclic Jacobi rotations (unsorted). Eigenvectors (unit columns of
 * the accumulated rotation) are computed only when asked for, since they cost a third more work.
 */
export function jacobiEigenpairs(input: Rows, withVectors = true): Array<{ value: number; vector: number[] }> {
  const a = input.map((r) => r.slice());
  const n = a.length;
  const v: number[][] = withVectors ? Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))) : [];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r][p],
            arq = a[r][q];
          a[r][p] = c * arp - s * arq;
          a[r][q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p][r],
            aqr = a[q][r];
          a[p][r] = c * apr - s * aqr;
          a[q][r] = s * apr + c * aqr;
        }
        for (const row of v) {
          const vrp = row[p],
            vrq = row[q];
          row[p] = c * vrp - s * vrq;
          row[q] = s * vrp + c * vrq;
        }
      }
  }
  return a.map((row, i) => ({ value: row[i], vector: v.map((r) => r[i]) }));
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, descending. */
export function jacobiEigenvalues(input: Rows): number[] {
  return jacobiEigenpairs(input, false)
    .map((e) => e.value)
    .sort((x, y) => y - x);
}

/** Singular values of M from Jacobi eigenvalues of its smaller Gram matrix, descending. */
export function referenceSingularValues(m: Rows): number[] {
  const t = transpose(m);
  const gram = m.length <= t.length ? multiply(m, t) : multiply(t, m);
  return jacobiEigenvalues(gram).map((v) => Math.sqrt(Math.max(0, v)));
}

/**
 * Singular values of M, descending, by Hestenes' one-sided Jacobi on the columns of its taller
 * orientation: column pairs are rotated until orthogonal to working precision and the column norms
 * are the values. No Gram matrix is formed, so small values keep their relative accuracy (the
 * reference for the Gram route, whose own error grows as sigma_max^2 / sigma).
 */
export function oneSidedJacobiSingularValues(m: Rows): number[] {
  const tall = m.length >= m[0].length ? m : transpose(m);
  const cols = tall[0].length;
  const a = Array.from({ length: cols }, (_, j) => tall.map((row) => row[j])); // columns
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols; p++)
      for (let q = p + 1; q < cols; q++) {
        const x = a[p],
          y = a[q];
        let app = 0,
          aqq = 0,
          apq = 0;
        for (let i = 0; i < x.length; i++) {
          app += x[i] * x[i];
          aqq += y[i] * y[i];
          apq += x[i] * y[i];
        }
        if (apq === 0 || Math.abs(apq) <= 1e-15 * Math.sqrt(app * aqq)) continue;
        rotated = true;
        const zeta = (aqq - app) / (2 * apq);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let i = 0; i < x.length; i++) {
          const u = x[i],
            v = y[i];
          x[i] = c * u - s * v;
          y[i] = s * u + c * v;
        }
      }
    if (!rotated) break;
  }
  return a.map((col) => Math.sqrt(col.reduce((sum, v) => sum + v * v, 0))).sort((x, y) => y - x);
}

/** Largest |a - b| relative to the largest |b|. */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

/** A general layer as TensorFlow defines it (/work/shared/paper/LAYERS.md). */
export interface LayerGeometry {
  height: number;
  width: number;
  stride: number;
  dilation: number;
  padding: "zero" | "valid";
}

/**
 * M of a strided / VALID / dilated / H x W layer, entry by entry from LAYERS.md: ke = d(k-1)+1;
 * SAME ("zero"): Ho = ceil(H/s), P = max((Ho-1)s + ke - H, 0), output row r reads input row
 * r s - floor(P/2) + p d (zero outside [0, H)); VALID: Ho = floor((H - ke)/s) + 1, row r reads
 * r s + p d. Row o Ho Wo + r Wo + c is output pixel (r, c) of channel o; column i H W + x W + y
 * is input pixel (x, y) of channel i. Also returns Omega (the positions of each kernel entry).
 */
export function bruteForceLayerM(
  data: Float64Array,
  k: number,
  g: number,
  h: number,
  geo: LayerGeometry,
): { m: Rows; omega: Map<number, Array<[number, number]>>; outH: number; outW: number } {
  const ke = geo.dilation * (k - 1) + 1;
  const out = (size: number) => (geo.padding === "valid" ? Math.floor((size - ke) / geo.stride) + 1 : Math.ceil(size / geo.stride));
  const before = (size: number) => (geo.padding === "valid" ? 0 : Math.floor(Math.max((out(size) - 1) * geo.stride + ke - size, 0) / 2));
  const outH = out(geo.height),
    outW = out(geo.width);
  const padH = before(geo.height),
    padW = before(geo.width);
  const cols = g * geo.height * geo.width;
  const m: Rows = Array.from({ length: h * outH * outW }, () => new Array<number>(cols).fill(0));
  const omega = new Map<number, Array<[number, number]>>();
  for (let o = 0; o < h; o++)
    for (let r = 0; r < outH; r++)
      for (let c = 0; c < outW; c++)
        for (let i = 0; i < g; i++)
          for (let p = 0; p < k; p++)
            for (let q = 0; q < k; q++) {
              const x = r * geo.stride - padH + p * geo.dilation;
              const y = c * geo.stride - padW + q * geo.dilation;
              if (x < 0 || x >= geo.height || y < 0 || y >= geo.width) continue;
              const e = ((p * k + q) * g + i) * h + o;
              const row = o * outH * outW + r * outW + c;
              const col = i * geo.height * geo.width + x * geo.width + y;
              m[row][col] += data[e];
              if (!omega.has(e)) omega.set(e, []);
              omega.get(e)!.push([row, col]);
            }
  return { m, omega, outH, outW };
}

/** dF/dK = 4 sum over Omega(e) of [M (M^T M - alpha I)]_ij (the paper's Theorem 3.1), by definition. */
export function bruteForceGradient(m: Rows, omega: Map<number, Array<[number, number]>>, size: number, alpha: number): Float64Array {
  const gram = multiply(transpose(m), m);
  gram.forEach((row, i) => (row[i] -= alpha));
  const product = multiply(m, gram);
  const grad = new Float64Array(size);
  for (const [e, list] of omega) for (const [i, j] of list) grad[e] += 4 * product[i][j];
  return grad;
}

/** F and dF/dK of the zero-padded stride-1 layer, both from M built by definition. */
export function bruteForcePenaltyAndGradient(data: Float64Array, k: number, g: number, h: number, n: number, alpha: number): { penalty: number; gradient: Float64Array } {
  const { m, omega } = bruteForceM(data, k, g, h, n);
  return { penalty: bruteForcePenalty(m, alpha), gradient: bruteForceGradient(m, omega, data.length, alpha) };
}
