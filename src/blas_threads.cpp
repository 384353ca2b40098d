#include "blas_threads.h"

#include <cblas.h>

namespace convreg {
void setBlasThreads(int threads) { openblas_set_num_threads(threads < 1 ? 1 : threads); }
int blasThreads() { return openblas_get_num_threads(); }
}  // namespace convreg
