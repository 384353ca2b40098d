// Runs the tests of one group (argv[1]) or all of them; exit code 1 on any failure.
#include <cstring>

#include "check.h"

namespace native_test {
std::vector<Test>& registry() {
  static std::vector<Test> tests;
  return tests;
}
int& failures() {
  static int count = 0;
  return count;
}
}  // namespace native_test

int main(int argc, char** argv) {
  using namespace native_test;
  const char* group = argc > 1 ? argv[1] : nullptr;
  int ran = 0;
  for (const Test& t : registry()) {
    if (group && t.group != group) continue;
    const int before = failures();
    try {
      t.run();
    } catch (const std::exception& e) {
      fail(t.group.c_str(), 0, t.name + " threw: " + e.what());
    }
    std::printf("%s %s.%s\n", failures() == before ? "ok  " : "FAIL", t.group.c_str(), t.name.c_str());
    ++ran;
  }
  if (ran == 0) {
    std::fprintf(stderr, "no tests in group %s\n", group ? group : "(all)");
    return 1;
  }
  std::printf("%d tests, %d failed checks\n", ran, failures());
  return failures() == 0 ? 0 : 1;
}
