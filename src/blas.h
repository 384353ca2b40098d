// The only place that includes the BLAS and LAPACK C interfaces.
#pragma once
#include <cblas.h>
#include <lapacke.h>
