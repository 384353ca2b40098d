// Bare BLAS calls timed in C++, so benchmarks can set achieved GFLOP/s of convreg's
// phases beside what the machine's BLAS does on plain matrices in the same run.
#pragma once
#include <cstdint>

namespace convreg {

// Median milliseconds of `repeats` calls of C = A B with A m x k, B k x n (random data).
double timeDgemm(int64_t m, int64_t n, int64_t k, int repeats);

// Median milliseconds of `repeats` calls of C = A A^T with A n x k (upper triangle).
double timeDsyrk(int64_t n, int64_t k, int repeats);

}  // namespace convreg
