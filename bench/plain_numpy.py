"""What a user would write with numpy instead of convreg: the paper's dense construction of M,
its penalty ||M^T M - alpha I||_F^2, the Theorem 3.1 gradient summed over Omega, and the singular
values by numpy.linalg.svd. Reads {"shape", "data", "n", "alpha", "repeats"} as JSON on stdin and
prints timings (median, min, max in ms) and the results as JSON. Used by bench/vs-plain.js."""
import json
import sys
import time

import numpy as np


def build_m(kernel, n):
    """M with rows c N^2 + r N + s (output) and columns d N^2 + r' N + s' (input), and for each
    nonzero the flat HWIO index of the kernel entry it holds (Omega)."""
    k, _, g, h = kernel.shape
    first = 1 - (k + 1) // 2
    rows, cols, entries = [], [], []
    r, s = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    for p in range(k):
        for q in range(k):
            rr, ss = r + first + p, s + first + q
            inside = (rr >= 0) & (rr < n) & (ss >= 0) & (ss < n)
            out_pix = (r * n + s)[inside]
            in_pix = (rr * n + ss)[inside]
            for d in range(g):
                for c in range(h):
                    rows.append(c * n * n + out_pix)
                    cols.append(d * n * n + in_pix)
                    entries.append(np.full(out_pix.shape, ((p * k + q) * g + d) * h + c))
    rows, cols, entries = np.concatenate(rows), np.concatenate(cols), np.concatenate(entries)
    m = np.zeros((h * n * n, g * n * n))
    np.add.at(m, (rows, cols), kernel.ravel()[entries])
    return m, rows, cols, entries


def penalty_and_gradient(kernel, n, alpha):
    m, rows, cols, entries = build_m(kernel, n)
    gram = m.T @ m - alpha * np.eye(m.shape[1])
    f = float(np.sum(gram * gram))
    r = m @ gram  # M (M^T M - alpha I)
    grad = np.zeros(kernel.size)
    np.add.at(grad, entries, 4.0 * r[rows, cols])
    return f, grad


def singular_values(kernel, n):
    m, _, _, _ = build_m(kernel, n)
    return np.linalg.svd(m, compute_uv=False)


def timed(fn, repeats):
    fn()
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return {"median": ms[len(ms) // 2], "min": ms[0], "max": ms[-1], "repeats": repeats}, out


def main():
    job = json.load(sys.stdin)
    kernel = np.asarray(job["data"], dtype=np.float64).reshape(job["shape"])
    n, alpha, repeats = job["n"], job["alpha"], job["repeats"]
    pg_time, (f, grad) = timed(lambda: penalty_and_gradient(kernel, n, alpha), repeats)
    out = {"numpy": np.__version__, "blas": blas_version(), "penaltyGradientMs": pg_time, "penalty": f, "gradient": grad.tolist()}
    if job.get("svd", True):
        svd_time, sigma = timed(lambda: singular_values(kernel, n), repeats)
        out.update({"svdMs": svd_time, "sigma": sigma.tolist(), "sigmaMax": float(sigma[0]), "sigmaMin": float(sigma[-1])})
    json.dump(out, sys.stdout)


def blas_version():
    """numpy's BLAS as its build config names it (e.g. scipy-openblas 0.3.31), or "unknown"."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f'{blas.get("name", "?")} {blas.get("version", "?")}'
    except Exception:  # older numpy: no dict mode
        return "unknown"


if __name__ == "__main__":
    main()
