// An exception whose message starts with a stable error code, "[ERR_X] message", so the
// TypeScript layer can rethrow it as a ConvregError with that code.
#pragma once
#include <stdexcept>
#include <string>

namespace convreg {

class CodedError : public std::runtime_error {
 public:
  CodedError(const std::string& code, const std::string& message) : std::runtime_error("[" + code + "] " + message) {}
};

}  // namespace convreg
