// Process-wide BLAS thread count (OpenBLAS keeps one global setting).
#pragma once

namespace convreg {
void setBlasThreads(int threads);
int blasThreads();
}  // namespace convreg
