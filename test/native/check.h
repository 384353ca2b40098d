// A minimal test harness for the C++ core: named tests in groups, checks that record
// failures with file and line, and a main that runs one group (CTest runs each group).
#pragma once
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace native_test {

struct Test {
  std::string group, name;
  std::function<void()> run;
};

std::vector<Test>& registry();
int& failures();

struct Register {
  Register(const char* group, const char* name, std::function<void()> run) { registry().push_back({group, name, std::move(run)}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED %s\n", file, line, what.c_str());
}

// |a - b| <= tol * max(1, |b|)
inline bool near(double a, double b, double tol) { return std::isfinite(a) && std::fabs(a - b) <= tol * std::max(1.0, std::fabs(b)); }

}  // namespace native_test

#define NT_CAT2(a, b) a##b
#define NT_CAT(a, b) NT_CAT2(a, b)
#define TEST(group, name)                                                              \
  static void NT_CAT(test_, name)();                                                   \
  static native_test::Register NT_CAT(reg_, name)(#group, #name, NT_CAT(test_, name)); \
  static void NT_CAT(test_, name)()

#define CHECK(cond)                                            \
  do {                                                         \
    if (!(cond)) native_test::fail(__FILE__, __LINE__, #cond); \
  } while (0)
#define CHECK_NEAR(a, b, tol)                                                                                                      \
  do {                                                                                                                             \
    const double nt_a = (a), nt_b = (b);                                                                                           \
    if (!native_test::near(nt_a, nt_b, (tol)))                                                                                     \
      native_test::fail(__FILE__, __LINE__, std::string(#a " ~ " #b ": ") + std::to_string(nt_a) + " vs " + std::to_string(nt_b)); \
  } while (0)
#define CHECK_THROWS(expr)                                                            \
  do {                                                                                \
    bool nt_threw = false;                                                            \
    try {                                                                             \
      (void)(expr);                                                                   \
    } catch (const std::exception&) {                                                 \
      nt_threw = true;                                                                \
    }                                                                                 \
    if (!nt_threw) native_test::fail(__FILE__, __LINE__, "expected a throw: " #expr); \
  } while (0)
