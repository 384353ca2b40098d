// Result conversions shared by the paper's and the layer's bindings (M in CSR, sigma_max, sigma_min).
#pragma once
#include <napi.h>

#include "../src/conv_matrix.h"
#include "../src/lanczos.h"
#include "../src/sigma_min.h"

namespace convreg_binding {
Napi::Value lanczosToJs(Napi::Env env, convreg::LanczosResult& r);          // sigma_max.cpp
Napi::Value sigmaMinToJs(Napi::Env env, convreg::SigmaMinResult& r);        // sigma_min.cpp
Napi::Value sparseMatrixToJs(Napi::Env env, convreg::SparseConvMatrix& m);  // dense.cpp
}  // namespace convreg_binding
