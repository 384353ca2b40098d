// An exception with a stable error code (one of ERROR_CODES in lib/core/errors.ts) kept
// apart from its message: the binding sets it as the JS error's `code` property (binding/worker.h).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

namespace convreg {

class CodedError : public std::runtime_error {
 public:
  CodedError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

}  // namespace convreg
