// Binding for the CancelToken class (see cancel.h).
#include "cancel.h"

#include "../src/native_memory.h"
#include "register.h"

namespace convreg_binding {

namespace {
// Tags CancelToken instances so that no other object is ever unwrapped as one.
const napi_type_tag kCancelTag = {0x6a1c3f0e5b2d4c71ULL, 0x8e9f0a1b2c3d4e5fULL};

class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  explicit CancelToken(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<CancelToken>(info), flag_(std::allocate_shared<std::atomic<bool>>(convreg::CountingAllocator<std::atomic<bool>>(), false)) {
    napi_type_tag_object(info.Env(), info.This(), &kCancelTag);
  }
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CancelToken",
                       {InstanceMethod("cancel", &CancelToken::Cancel), InstanceAccessor("cancelled", &CancelToken::Cancelled, nullptr)});
  }
  const CancelFlag& flag() const { return flag_; }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag_->store(true);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), flag_->load()); }
  CancelFlag flag_;
  convreg::LiveObject live_;  // counted until JS collects the token
};
}  // namespace

CancelFlag readCancelFlag(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  bool tagged = false;
  if (v.IsObject()) napi_check_object_type_tag(v.Env(), v, &kCancelTag, &tagged);
  if (!tagged) throw Napi::TypeError::New(v.Env(), "convreg native: expected a CancelToken");
  return CancelToken::Unwrap(v.As<Napi::Object>())->flag();
}

void registerCancel(Napi::Env env, Napi::Object exports) { exports.Set("CancelToken", CancelToken::Define(env)); }

}  // namespace convreg_binding
