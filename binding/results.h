// Result conversions shared by the paper's and the layer's sigma_max / sigma_min bindings.
#pragma once
#include <napi.h>

#include "../src/lanczos.h"
#include "../src/sigma_min.h"

namespace convreg_binding {
Napi::Value lanczosToJs(Napi::Env env, convreg::LanczosResult& r);    // sigma_max.cpp
Napi::Value sigmaMinToJs(Napi::Env env, convreg::SigmaMinResult& r);  // sigma_min.cpp
}  // namespace convreg_binding
