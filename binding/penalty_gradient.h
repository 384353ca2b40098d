// F and dF/dK as every penalty-and-gradient task returns them: the caller passes the gradient's
// Float64Array (k*k*g*h entries) as the last argument, the task fills it, and the JS value is F
// alone. Creating the array in JavaScript and only a number here keeps a small call cheap.
#pragma once
#include <napi.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "../src/dense_engine.h"
#include "worker.h"

namespace convreg_binding {

struct FilledPenalty {
  double penalty = 0;
  DoublesOutput gradient;  // holds dF/dK once the task ran
};

// For the engines that return dF/dK as a vector: copies it into the caller's array.
inline FilledPenalty fillGradient(convreg::PenaltyAndGradient&& r, const DoublesOutput& gradient) {
  if (r.gradient.size() != gradient.size()) throw std::length_error("convreg native: the engine's gradient does not have the kernel's length");
  std::copy(r.gradient.begin(), r.gradient.end(), gradient.data());
  return FilledPenalty{r.penalty, gradient};
}

inline Napi::Value filledPenaltyToJs(Napi::Env env, FilledPenalty& r) {
  r.gradient.publish();
  return Napi::Number::New(env, r.penalty);
}

}  // namespace convreg_binding
