// Binding for the certified sigma_min (src/sigma_min): sigmaMin / sigmaMinAsync, cancellable
// through a CancelToken (cancel.h).
#include <atomic>
#include <memory>

#include "../src/sigma_min.h"
#include "cancel.h"
#include "convert.h"
#include "register.h"
#include "results.h"
#include "worker.h"

namespace convreg_binding {

Napi::Value sigmaMinToJs(Napi::Env env, convreg::SigmaMinResult& r) {
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
  num("sigmaMin", r.sigmaMin);
  num("lower", r.lower);
  num("upper", r.upper);
  o.Set("certified", Napi::Boolean::New(env, r.certified));
  o.Set("certificate", Napi::String::New(env, r.certificate));
  num("lambdaLower", r.lambdaLower);
  num("lambdaUpper", r.lambdaUpper);
  num("lambdaEstimate", r.lambdaEstimate);
  num("residualBound", r.residualBound);
  num("lambda2Estimate", r.lambda2Estimate);
  num("lambda2Lower", r.lambda2Lower);
  num("shift", r.shift);
  num("certificateShift", r.certificateShift);
  num("roundingMargin", r.roundingMargin);
  o.Set("inputSide", Napi::Boolean::New(env, r.inputSide));
  num("order", static_cast<double>(r.order));
  num("gramNonzeros", static_cast<double>(r.gramNonzeros));
  num("factorNonzeros", static_cast<double>(r.factorNonzeros));
  num("maxFront", static_cast<double>(r.maxFront));
  num("factorFlops", r.factorFlops);
  num("gramBytes", r.gramBytes);
  num("factorBytes", r.factorBytes);
  num("cholmodPeakBytes", r.cholmodPeakBytes);
  num("gramSeconds", r.gramSeconds);
  num("analyzeSeconds", r.analyzeSeconds);
  num("factorSeconds", r.factorSeconds);
  num("iterateSeconds", r.iterateSeconds);
  num("certifySeconds", r.certifySeconds);
  num("residualSeconds", r.residualSeconds);
  num("factorizations", static_cast<double>(r.factorizations));
  num("lanczosSteps", static_cast<double>(r.lanczosSteps));
  num("refinements", static_cast<double>(r.refinements));
  o.Set("ordering", Napi::String::New(env, r.ordering));
  o.Set("certificateReason", Napi::String::New(env, r.certificateReason));
  o.Set("formNormSteps", toFloat64Array(env, r.formNormSteps));
  Napi::Array attempts = Napi::Array::New(env, r.attempts.size());
  for (size_t i = 0; i < r.attempts.size(); ++i) {
    const convreg::CertificateAttempt& a = r.attempts[i];
    Napi::Object t = Napi::Object::New(env);
    t.Set("kind", Napi::String::New(env, a.kind));
    t.Set("shift", Napi::Number::New(env, a.shift));
    t.Set("factored", Napi::Boolean::New(env, a.factored));
    t.Set("formMargin", Napi::Number::New(env, a.formMargin));
    t.Set("shiftMargin", Napi::Number::New(env, a.shiftMargin));
    t.Set("choleskyMargin", Napi::Number::New(env, a.choleskyMargin));
    t.Set("margin", Napi::Number::New(env, a.margin));
    t.Set("allowedMargin", Napi::Number::New(env, a.allowedMargin));
    t.Set("choleskyNormSteps", toFloat64Array(env, a.choleskyNormSteps));
    t.Set("choleskyLowerBound", Napi::Number::New(env, a.choleskyLowerBound));
    t.Set("choleskyStoppedEarly", Napi::Boolean::New(env, a.choleskyStoppedEarly));
    t.Set("residualComputed", Napi::Boolean::New(env, a.residualComputed));
    t.Set("residualMargin", Napi::Number::New(env, a.residualMargin));
    t.Set("residualNormSteps", toFloat64Array(env, a.residualNormSteps));
    t.Set("residualPowerSteps", Napi::Number::New(env, static_cast<double>(a.residualPowerSteps)));
    t.Set("residualNote", Napi::String::New(env, a.residualNote));
    t.Set("residualBlasSeconds", Napi::Number::New(env, a.residualBlasSeconds));
    t.Set("residualNormSeconds", Napi::Number::New(env, a.residualNormSeconds));
    t.Set("residualSeconds", Napi::Number::New(env, a.residualSeconds));
    attempts.Set(static_cast<uint32_t>(i), t);
  }
  o.Set("attempts", attempts);
  o.Set("vector", toFloat64Array(env, r.vector));
  return o;
}

void registerSigmaMin(Napi::Env env, Napi::Object exports) {
  // (k, g, h, n, maxLanczos) -> bytes of the Gram matrix and work vectors.
  exports.Set("sigmaMinGramBytes", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                convreg::ConvShape s{toInt(info[0]), toInt(info[1]), toInt(info[2]), toInt(info[3])};
                convreg::SigmaMinOptions o;
                o.maxLanczos = toInt(info[4]);
                return Napi::Number::New(info.Env(), convreg::sigmaMinGramBytes(s, o));
              }));
  // (kernel, k, g, h, n, factorMemoryLimit, tolerance, maxLanczos, worstCase, CancelToken | null)
  exportTask<convreg::SigmaMinResult>(
      env, exports, "sigmaMin",
      [](const Napi::CallbackInfo& info) {
        auto kernel = sharedCopy(info[0]);
        convreg::ConvShape shape = readShape(info, 1);
        convreg::SigmaMinOptions o;
        o.factorMemoryLimit = toDouble(info[5]);
        o.tolerance = toDouble(info[6]);
        o.maxLanczos = toInt(info[7]);
        o.worstCaseRounding = info[8].ToBoolean().Value();
        CancelFlag flag = readCancelFlag(info[9]);
        return std::function<convreg::SigmaMinResult()>([kernel, shape, o, flag]() mutable {
          o.cancel = flag.get();
          return convreg::sigmaMin(shape, kernel->data(), o);
        });
      },
      sigmaMinToJs);
}

}  // namespace convreg_binding
