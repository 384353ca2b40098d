// Bare BLAS calls timed in C++, so benchmarks can set achieved GFLOP/s of convreg's
// phases beside what the machine's BLAS does on plain matrices in the same run.
#pragma once
#include <cstdint>

namespace convreg {

// Wall time, or the CPU time of the whole process (all its threads; std::clock): less sensitive
// to other jobs on the machine, but only comparable with one BLAS thread, since OpenBLAS's idle
// threads spin for a while after each call.
enum class TimingClock { Wall,
                         ProcessCpu };

// Median milliseconds of `repeats` calls of C = A B with A m x k, B k x n (random data).
double timeDgemm(int64_t m, int64_t n, int64_t k, int repeats, TimingClock clock = TimingClock::Wall);

// Median milliseconds of `repeats` calls of C = A A^T with A n x k (upper triangle).
double timeDsyrk(int64_t n, int64_t k, int repeats, TimingClock clock = TimingClock::Wall);

}  // namespace convreg
