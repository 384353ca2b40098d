// Transparent huge pages for large buffers about to be written for the first time. Each first
// write to a fresh 4 KiB page costs a page fault (~1.5 us on this project's virtual machines:
// ~1.5 ms for a 3x3x256x256 gradient); a 2 MiB page takes one fault for 512 of them, and fewer
// TLB misses afterwards. Only whole 2 MiB-aligned ranges inside the buffer are advised, so memory
// use does not grow. A hint: no effect where the kernel has no THP or the policy is "never".
#pragma once
#include <cstddef>

namespace convreg {

// Below this many bytes the advice is not worth its system call.
constexpr size_t hugePageAdviceMinimum = size_t{4} << 20;

void adviseHugePages(void* data, size_t bytes);

}  // namespace convreg
