"""numpy.linalg.svd(M, compute_uv=False) of one M, timed; M is also written for bench/dgesdd_blas.cpp.
Reads {"shape", "data", "n", "repeats", "out"} as JSON on stdin (M built as bench/plain_numpy.py builds it)
and prints the wall and CPU ms (median, min, max) and the values' ends as JSON. Used by bench/openblas-dgesdd.js."""
import json
import sys
import time

import numpy as np

from plain_numpy import blas_version, build_m


def main():
    job = json.load(sys.stdin)
    kernel = np.asarray(job["data"], dtype=np.float64).reshape(job["shape"])
    m, _, _, _ = build_m(kernel, job["n"])
    if job.get("out"):
        np.ascontiguousarray(m).tofile(job["out"])
    np.linalg.svd(m, compute_uv=False)  # warm-up
    wall, cpu = [], []
    for _ in range(job["repeats"]):
        w0, c0 = time.perf_counter(), time.process_time()
        sigma = np.linalg.svd(m, compute_uv=False)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    cpu.sort()
    out = {"wallMs": [wall[len(wall) // 2], wall[0], wall[-1]], "cpuMs": cpu[len(cpu) // 2], "sigmaMax": float(sigma[0]), "sigmaMin": float(sigma[-1])}
    out.update({"rows": m.shape[0], "cols": m.shape[1], "numpy": np.__version__, "blas": blas_version()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
