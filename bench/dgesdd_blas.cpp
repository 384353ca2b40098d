// LAPACKE_dgesdd (jobz 'N') of one matrix through a LAPACK library loaded at run time, so the
// same harness times Debian's OpenBLAS and the OpenBLAS numpy ships (prefixed, 64-bit ints).
// Usage: dgesdd_blas <library.so> <symbol> <int32|int64> <matrix.bin> <rows> <cols> <repeats>
// matrix.bin: rows x cols doubles, row-major. Prints one JSON line: wall and CPU ms per call, the values' ends.
#include <dlfcn.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
constexpr int kColMajor = 102;  // LAPACK_COL_MAJOR

template <typename Int>
using Gesdd = Int (*)(int, char, Int, Int, double*, Int, double*, double*, Int, double*, Int);

double nowMs(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

template <typename Int>
int run(void* symbol, const std::vector<double>& colMajor, int64_t rows, int64_t cols, int repeats) {
  const auto gesdd = reinterpret_cast<Gesdd<Int>>(symbol);
  std::vector<double> work(colMajor.size()), sigma(static_cast<size_t>(std::min(rows, cols)));
  double dummy = 0;
  std::vector<double> wall, cpu;
  for (int r = 0; r <= repeats; ++r) {  // round 0 warms up
    std::memcpy(work.data(), colMajor.data(), colMajor.size() * sizeof(double));
    const double w0 = nowMs(CLOCK_MONOTONIC), c0 = nowMs(CLOCK_PROCESS_CPUTIME_ID);
    const Int info = gesdd(kColMajor, 'N', static_cast<Int>(rows), static_cast<Int>(cols), work.data(), static_cast<Int>(rows), sigma.data(), &dummy, 1, &dummy, 1);
    const double w1 = nowMs(CLOCK_MONOTONIC), c1 = nowMs(CLOCK_PROCESS_CPUTIME_ID);
    if (info != 0) {
      std::fprintf(stderr, "dgesdd info %lld\n", static_cast<long long>(info));
      return 1;
    }
    if (r > 0) {
      wall.push_back(w1 - w0);
      cpu.push_back(c1 - c0);
    }
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("{\"wallMs\":[%.4f,%.4f,%.4f],\"cpuMs\":%.4f,\"sigmaMax\":%.17g,\"sigmaMin\":%.17g}\n", wall[wall.size() / 2], wall.front(), wall.back(),
              cpu[cpu.size() / 2], sigma.front(), sigma.back());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: dgesdd_blas <library.so> <symbol> <int32|int64> <matrix.bin> <rows> <cols> <repeats>\n");
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  void* symbol = dlsym(lib, argv[2]);
  if (!symbol) {
    std::fprintf(stderr, "dlsym: %s\n", dlerror());
    return 1;
  }
  const int64_t rows = std::atoll(argv[5]), cols = std::atoll(argv[6]);
  std::vector<double> rowMajor(static_cast<size_t>(rows * cols));
  FILE* f = std::fopen(argv[4], "rb");
  if (!f || std::fread(rowMajor.data(), sizeof(double), rowMajor.size(), f) != rowMajor.size()) {
    std::fprintf(stderr, "cannot read %s\n", argv[4]);
    return 1;
  }
  std::fclose(f);
  // numpy hands dgesdd the rows x cols matrix in column-major order: the same here (copied outside the timing).
  std::vector<double> colMajor(rowMajor.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) colMajor[static_cast<size_t>(j * rows + i)] = rowMajor[static_cast<size_t>(i * cols + j)];
  const int repeats = std::atoi(argv[7]);
  return std::strcmp(argv[3], "int64") == 0 ? run<int64_t>(symbol, colMajor, rows, cols, repeats) : run<int32_t>(symbol, colMajor, rows, cols, repeats);
}
