// The structured engine. With A_t the tap matrices on the smaller channel side (A_t = K_t,
// g x h, when h <= g; A_t = K_t^T, h x g, otherwise: transposing swaps M and M^T), the
// smaller Gram matrix G (M M^T or M^T M, side s N^2 with s = min(g, h)) is made of s x s
// blocks G[r, r - delta] = sum of P(t, t + delta) = A_t^T A_{t+delta} over the taps t that
// land inside the image. Along each axis the set of those taps is an interval that only
// changes within k of the border, so all positions r fall into O(k) classes per axis whose
// blocks are equal. F is then the count-weighted sum of ||block - alpha I||^2 over the
// classes, a sum of nonnegative terms: no cancellation between ||M^T M||^2, ||M||^2 and
// alpha^2 g N^2, which the expanded formula of docs/MATH.md would suffer when F is small.
// The tap products P come from one syrk, the gradient from one symm (a gemm with a symmetric
// factor).
#include "structured_engine.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "blas.h"
#include "huge_pages.h"
#include "parallel.h"
#include "scratch.h"

namespace convreg {

namespace {

// A = [A_t1 A_t2 ...], `outer` x `width` row-major with width = taps * side.
struct TapLayout {
  int64_t k, taps, side, outer, width;
  bool transposed;  // A_t = K_t^T
};

TapLayout layoutFor(const ConvShape& s) {
  requireValidShape(s);
  const bool transposed = s.g < s.h;
  const int64_t side = transposed ? s.g : s.h;
  const int64_t outer = transposed ? s.h : s.g;
  return TapLayout{s.k, s.k * s.k, side, outer, s.k * s.k * side, transposed};
}

// Below this many doubles touched a second thread costs more than it saves (starting one takes
// tens of microseconds).
constexpr int64_t threadedWorkMinimum = int64_t{1} << 18;

// Threads for the engine's own loops (copies, the class sweep) over `doubles` values: as many as
// BLAS uses now (one while other calls run, see blas_threads.h), one for small work.
int workThreads(int64_t doubles) { return doubles < threadedWorkMinimum ? 1 : std::max(1, openblas_get_num_threads()); }

// Matrices of the engine live in per-thread scratch memory (see scratch.h).
double* takeMatrix(ScratchArena& arena, int64_t rows, int64_t cols) { return arena.take(static_cast<size_t>(rows * cols)); }

const double* packTaps(ScratchArena& arena, const ConvShape& s, const TapLayout& l, const double* kernel) {
  double* a = takeMatrix(arena, l.outer, l.width);
  splitWork(workThreads(l.outer * l.width), l.taps, [&](int64_t first, int64_t last, int64_t) {
    for (int64_t j = first; j < last; ++j)
      for (int64_t d = 0; d < s.g; ++d)
        for (int64_t c = 0; c < s.h; ++c) {
          const double v = kernel[(j * s.g + d) * s.h + c];
          if (l.transposed) a[c * l.width + j * l.side + d] = v;
          else a[d * l.width + j * l.side + c] = v;
        }
  });
  return a;
}

void unpackTaps(const ConvShape& s, const TapLayout& l, const double* a, double* kernel) {
  splitWork(workThreads(l.outer * l.width), l.taps, [&](int64_t first, int64_t last, int64_t) {
    for (int64_t j = first; j < last; ++j)
      for (int64_t d = 0; d < s.g; ++d)
        for (int64_t c = 0; c < s.h; ++c)
          kernel[(j * s.g + d) * s.h + c] = l.transposed ? a[c * l.width + j * l.side + d] : a[d * l.width + j * l.side + c];
  });
}

// BLAS wakes its threads (tens of microseconds) even for tiny matrices, such as the paper's
// (tap Gram 27 x 27): below this many multiply-adds plain loops are faster.
bool small(const TapLayout& l) { return l.width * l.width * l.outer < (int64_t{1} << 16); }

// In the transposed layout A^T = [K_1; K_2; ...] is the HWIO kernel itself read as a width x outer
// row-major matrix, so syrk (and the line quartic's gemm) can read the kernel in place: no packed copy.
bool kernelIsTapsTransposed(const TapLayout& l) { return l.transposed && !small(l); }

// Copies the diagonal blocks' upper triangles (all syrk writes) to their lower ones.
void mirrorDiagonalBlocks(const TapLayout& l, double* gram) {
  splitWork(workThreads(l.taps * l.side * l.side), l.taps, [&](int64_t first, int64_t last, int64_t) {
    for (int64_t t = first; t < last; ++t)
      for (int64_t x = t * l.side; x < (t + 1) * l.side; ++x)
        for (int64_t y = t * l.side; y < x; ++y) gram[x * l.width + y] = gram[y * l.width + x];
  });
}

// The taps as tapGram and tapCross read them: the kernel itself when kernelIsTapsTransposed (A^T),
// else A packed.
const double* tapsOf(ScratchArena& arena, const ConvShape& s, const TapLayout& l, const double* kernel) {
  return kernelIsTapsTransposed(l) ? kernel : packTaps(arena, s, l, kernel);
}

// A^T A by syrk from tapsOf's `taps`. Only the blocks (i, j) with i <= j are valid, the diagonal
// ones in their upper triangles, or in full with `mirrored` (the class sweep reads only upper
// triangles; classBlock reads whole blocks). Block (i, j) with i > j is read as block (j, i) transposed.
double* tapGram(ScratchArena& arena, const TapLayout& l, const double* taps, bool mirrored) {
  double* gram = takeMatrix(arena, l.width, l.width);
  if (kernelIsTapsTransposed(l)) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, l.width, l.outer, 1.0, taps, l.outer, 0.0, gram, l.width);
  } else if (small(l)) {
    const int64_t w = l.width;
    std::fill(gram, gram + w * w, 0.0);
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < w; ++i)
        for (int64_t j = i; j < w; ++j) gram[i * w + j] += taps[o * w + i] * taps[o * w + j];
  } else {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, l.width, l.outer, 1.0, taps, l.width, 0.0, gram, l.width);
  }
  if (mirrored) mirrorDiagonalBlocks(l, gram);
  return gram;
}

// A^T D from tapsOf's a and d.
const double* tapCross(ScratchArena& arena, const TapLayout& l, const double* a, const double* d) {
  double* cross = takeMatrix(arena, l.width, l.width);
  if (small(l)) {
    const int64_t w = l.width;
    std::fill(cross, cross + w * w, 0.0);
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < w; ++i)
        for (int64_t j = 0; j < w; ++j) cross[i * w + j] += a[o * w + i] * d[o * w + j];
  } else if (kernelIsTapsTransposed(l)) {  // a and d hold A^T and D^T
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, l.width, l.width, l.outer, 1.0, a, l.outer, d, l.outer, 0.0,
                cross, l.width);
  } else {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l.width, l.width, l.outer, 1.0, a, l.width, d, l.width, 0.0,
                cross, l.width);
  }
  return cross;
}

// Along one axis: positions r (with r - delta also inside) whose contributing tap indices
// p (0-based: tap offset p + first, p + delta also a tap) form the interval [lo, hi].
struct AxisClass {
  int64_t lo, hi, count;
};

// Appends the classes of one delta to `classes` (at most 2k + 1 of them).
void axisClasses(const ConvShape& s, int64_t delta, std::vector<AxisClass>& classes) {
  const int64_t f = s.firstOffset(), n = s.n;
  const int64_t tapLo = std::max<int64_t>(0, -delta), tapHi = std::min<int64_t>(s.k - 1, s.k - 1 - delta);
  const int64_t r0 = std::max<int64_t>(0, delta), r1 = std::min<int64_t>(n, n + delta);  // r in [r0, r1)
  if (tapLo > tapHi || r0 >= r1) return;
  // Taps p with 0 <= r + p + f < n.
  auto emit = [&](int64_t r, int64_t count) {
    const int64_t lo = std::max(tapLo, -r - f), hi = std::min(tapHi, n - 1 - r - f);
    if (lo <= hi) classes.push_back(AxisClass{lo, hi, count});
  };
  // In [midLo, midHi] no border clips the interval; outside it fewer than k positions remain.
  const int64_t midLo = std::max(r0, -f - tapLo), midHi = std::min(r1 - 1, n - 1 - f - tapHi);
  if (midLo <= midHi) {
    for (int64_t r = r0; r < midLo; ++r) emit(r, 1);
    emit(midLo, midHi - midLo + 1);
    for (int64_t r = midHi + 1; r < r1; ++r) emit(r, 1);
  } else {
    for (int64_t r = r0; r < r1; ++r) emit(r, 1);  // only when n < 2k: bounded
  }
}

// One class of blocks of the smaller Gram matrix: its count and the taps (p, q) in
// [loP, hiP] x [loQ, hiQ] paired with (p + dp, q + dq).
struct BlockClass {
  int64_t dp, dq, loP, hiP, loQ, hiQ;
  double count;
  // The classes of -delta hold the transposed blocks of those of delta (the same taps shifted,
  // the same counts), so only delta >= 0 (lexicographic) is visited, and a class with
  // delta != 0 stands for itself and its mirror.
  double mirrors() const { return dp == 0 && dq == 0 ? 1.0 : 2.0; }
};

// Visits the classes with delta = (dp, dq) lexicographically >= 0: their tap pairs (i, j)
// have i <= j, so they fill the upper block triangle.
template <typename Visit>
void forEachBlockClass(const ConvShape& s, Visit visit) {
  // Axis classes of delta = 1 - k .. k - 1, those of delta at [start[d], start[d + 1]) with
  // d = delta + k - 1 (one allocation: tiny problems are dominated by such overheads).
  std::vector<AxisClass> classes;
  classes.reserve(static_cast<size_t>((2 * s.k - 1) * (2 * s.k + 1)));
  std::vector<size_t> start{0};
  for (int64_t delta = 1 - s.k; delta < s.k; ++delta) {
    axisClasses(s, delta, classes);
    start.push_back(classes.size());
  }
  for (int64_t dp = 0; dp < s.k; ++dp)
    for (int64_t dq = dp == 0 ? 0 : 1 - s.k; dq < s.k; ++dq)
      for (size_t a = start[dp + s.k - 1]; a < start[dp + s.k]; ++a)
        for (size_t b = start[dq + s.k - 1]; b < start[dq + s.k]; ++b) {
          const AxisClass &x = classes[a], &y = classes[b];
          visit(BlockClass{dp, dq, x.lo, x.hi, y.lo, y.hi, static_cast<double>(x.count) * static_cast<double>(y.count)});
        }
}

// Calls pair(i, j) for the tap indices of every product A_i^T A_j summed in a block class.
template <typename Pair>
void forEachTapPair(const ConvShape& s, const BlockClass& c, Pair pair) {
  for (int64_t p = c.loP; p <= c.hiP; ++p)
    for (int64_t q = c.loQ; q <= c.hiQ; ++q) pair(p * s.k + q, (p + c.dp) * s.k + (q + c.dq));
}

// out += block (i, j) of a width x width matrix (transposed when `transpose`).
void addBlock(const TapLayout& l, const double* m, int64_t i, int64_t j, bool transpose, double* out) {
  const int64_t s = l.side, w = l.width;
  const double* base = m + i * s * w + j * s;
  if (!transpose) {
    for (int64_t a = 0; a < s; ++a)
      for (int64_t b = 0; b < s; ++b) out[a * s + b] += base[a * w + b];
    return;
  }
  constexpr int64_t tile = 32;  // transposed reads in tiles that stay in cache
  for (int64_t a0 = 0; a0 < s; a0 += tile)
    for (int64_t b0 = 0; b0 < s; b0 += tile)
      for (int64_t a = a0; a < std::min(s, a0 + tile); ++a)
        for (int64_t b = b0; b < std::min(s, b0 + tile); ++b) out[a * s + b] += base[b * w + a];
}

// out += block (i, j) of a symmetric matrix stored in its upper triangle.
void addSymmetricBlock(const TapLayout& l, const double* upper, int64_t i, int64_t j, double* out) {
  if (i <= j) addBlock(l, upper, i, j, false, out);
  else addBlock(l, upper, j, i, true, out);
}

// The block of G shared by a class (minus alpha I on the diagonal blocks).
void classBlock(const ConvShape& sh, const TapLayout& l, const double* gram, const BlockClass& c,
                double alpha, std::vector<double>& block) {
  std::fill(block.begin(), block.end(), 0.0);
  forEachTapPair(sh, c, [&](int64_t i, int64_t j) { addSymmetricBlock(l, gram, i, j, block.data()); });
  if (c.dp == 0 && c.dq == 0)
    for (int64_t a = 0; a < l.side; ++a) block[a * l.side + a] -= alpha;
}

double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
  return sum;
}

// The zero eigenvalues of M^T M on the larger side contribute alpha^2 each.
double missingTerm(const ConvShape& s, const TapLayout& l, double alpha) {
  return alpha * alpha * static_cast<double>((s.g - l.side) * s.n * s.n);
}

// The classes of all deltas, the axis classes of delta = 1 - k .. k - 1 at [start[d], start[d + 1])
// with d = delta + k - 1 (one allocation: tiny problems are dominated by such overheads).
struct AxisClassTable {
  std::vector<AxisClass> classes;
  std::vector<size_t> start;
  explicit AxisClassTable(const ConvShape& s) : start{0} {
    classes.reserve(static_cast<size_t>((2 * s.k - 1) * (2 * s.k + 1)));
    start.reserve(static_cast<size_t>(2 * s.k));
    for (int64_t delta = 1 - s.k; delta < s.k; ++delta) {
      axisClasses(s, delta, classes);
      start.push_back(classes.size());
    }
  }
  const AxisClass* begin(const ConvShape& s, int64_t delta) const { return classes.data() + start[delta + s.k - 1]; }
  const AxisClass* end(const ConvShape& s, int64_t delta) const { return classes.data() + start[delta + s.k]; }
};

// Rows of a block handled at once by classSweep: every tap pair and class of a delta then
// touches only a strip of about 1024 doubles, which stays in cache while the strips of all
// the classes are summed and weighted, so each block of the tap Gram matrix is read from
// memory once and each block of the weights written once.
int64_t stripRows(int64_t side) { return std::max<int64_t>(1, std::min<int64_t>(side, 1024 / side)); }

// The sweep's inner loops are memory- and load-bound; an AVX2 copy of them, picked at run time where
// the CPU has it, saves ~10% of the sweep (the build itself targets plain x86-64). No FMA: the
// results must not depend on the CPU.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define CONVREG_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CONVREG_AVX2_CLONES
#endif

// out[a, b] += in[a, b] for `rows` rows of `cols` values, rows `outStride` and `inStride` apart.
CONVREG_AVX2_CLONES void addRows(double* out, int64_t outStride, const double* in, int64_t inStride, int64_t rows, int64_t cols) {
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t b = 0; b < cols; ++b) out[a * outStride + b] += in[a * inStride + b];
}

// out[a, b] = factor * in[a, b] (or += with `add`), rows as in addRows.
CONVREG_AVX2_CLONES void scaleRows(double* out, int64_t outStride, const double* in, int64_t inStride, int64_t rows, int64_t cols,
                                   double factor, bool add) {
  if (add) {
    for (int64_t a = 0; a < rows; ++a)
      for (int64_t b = 0; b < cols; ++b) out[a * outStride + b] += factor * in[a * inStride + b];
  } else {
    for (int64_t a = 0; a < rows; ++a)
      for (int64_t b = 0; b < cols; ++b) out[a * outStride + b] = factor * in[a * inStride + b];
  }
}

// sum of x[i]^2 in four independent partial sums: one running sum would make every addition
// wait for the previous one (and forbid SIMD), which made it the slowest part of the sweep.
CONVREG_AVX2_CLONES double sumOfSquares(const double* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
    s2 += x[i + 2] * x[i + 2];
    s3 += x[i + 3] * x[i + 3];
  }
  for (; i < n; ++i) s0 += x[i] * x[i];
  return (s0 + s1) + (s2 + s3);
}

// The deltas (dp, dq) >= 0 lexicographically that have classes, with their axis classes.
struct DeltaClasses {
  int64_t dp, dq;
  const AxisClass *xs, *ys;
  int64_t nx, ny;
  bool diagonal() const { return dp == 0 && dq == 0; }
};

bool contains(const AxisClass& c, int64_t tap) { return c.lo <= tap && tap <= c.hi; }
bool within(const AxisClass& inner, const AxisClass& outer) { return outer.lo <= inner.lo && inner.hi <= outer.hi; }
int64_t taps(const AxisClass& c) { return c.hi - c.lo + 1; }

// The class (x, y) of a delta may start from an earlier class (x, y') with the taps of y' within
// those of y, or (x', y) likewise: the one that leaves the fewest products to add, if that beats
// summing all |x| |y| of them. x = -1: none.
struct ClassBase {
  int64_t x = -1, y = -1;
};

ClassBase classBase(const DeltaClasses& d, int64_t x, int64_t y) {
  ClassBase best;
  int64_t cost = taps(d.xs[x]) * taps(d.ys[y]);  // passes over the strip: one copy, then additions
  for (int64_t y2 = 0; y2 < y; ++y2)
    if (within(d.ys[y2], d.ys[y]) && 1 + taps(d.xs[x]) * (taps(d.ys[y]) - taps(d.ys[y2])) < cost) {
      cost = 1 + taps(d.xs[x]) * (taps(d.ys[y]) - taps(d.ys[y2]));
      best = ClassBase{x, y2};
    }
  for (int64_t x2 = 0; x2 < x; ++x2)
    if (within(d.xs[x2], d.xs[x]) && 1 + (taps(d.xs[x]) - taps(d.xs[x2])) * taps(d.ys[y]) < cost) {
      cost = 1 + (taps(d.xs[x]) - taps(d.xs[x2])) * taps(d.ys[y]);
      best = ClassBase{x2, y};
    }
  return best;
}

// The class sweep split into row strips: strips are independent (each reads the rows of its
// strip in every Gram block and writes the same rows of W), so they can run on several threads.
class ClassSweep {
 public:
  ClassSweep(const ConvShape& sh, const TapLayout& l, const double* gram, double alpha, double* weights)
      : sh_(sh), l_(l), gram_(gram), alpha_(alpha), weights_(weights), axes_(sh), rowsPerStrip_(stripRows(l.side)) {
    const int64_t k = sh.k;
    size_t maxClasses = 0;
    forEachDelta([&](const DeltaClasses& d) { maxClasses = std::max(maxClasses, static_cast<size_t>(d.nx * d.ny)); });
    stripBuffer_ = maxClasses * static_cast<size_t>(rowsPerStrip_ * l.side);
    if (weights == nullptr) return;
    // Blocks (i, j) of W that some class uses: the others are zero.
    written_.assign(static_cast<size_t>(l.taps * l.taps), 0);
    forEachDelta([&](const DeltaClasses& d) {
      for (int64_t x = 0; x < d.nx; ++x)
        for (int64_t y = 0; y < d.ny; ++y)
          for (int64_t p = d.xs[x].lo; p <= d.xs[x].hi; ++p)
            for (int64_t q = d.ys[y].lo; q <= d.ys[y].hi; ++q)
              written_[static_cast<size_t>((p * k + q) * l.taps + (p + d.dp) * k + q + d.dq)] = 1;
    });
  }

  int64_t strips() const { return (l_.side + rowsPerStrip_ - 1) / rowsPerStrip_; }
  // Doubles of work space sweepStrips needs: the strips of a delta's classes, then k^2 flags.
  size_t bufferSize() const { return stripBuffer_ + static_cast<size_t>(sh_.k * sh_.k); }

  // Strips [first, last): stores each strip's share of F in stripSums[strip] and fills its rows of W.
  // Allocates nothing (runs on helper threads too, where a throw would terminate).
  void sweepStrips(int64_t first, int64_t last, double* buffer, double* stripSums) const {
    for (int64_t strip = first; strip < last; ++strip) {
      const int64_t r0 = strip * rowsPerStrip_, rows = std::min(rowsPerStrip_, l_.side - r0);
      double sum = 0;
      forEachDelta([&](const DeltaClasses& d) { sum += sweepDelta(d, r0, rows, buffer, buffer + stripBuffer_); });
      stripSums[strip] = sum;
      if (weights_ != nullptr) zeroUnusedBlocks(r0, rows);
    }
  }

 private:
  // Calls visit for each delta (dp, dq) >= 0 lexicographically that has classes.
  template <typename Visit>
  void forEachDelta(Visit visit) const {
    for (int64_t dp = 0; dp < sh_.k; ++dp)
      for (int64_t dq = dp == 0 ? 0 : 1 - sh_.k; dq < sh_.k; ++dq) {
        const AxisClass *xs = axes_.begin(sh_, dp), *ys = axes_.begin(sh_, dq);
        const int64_t nx = axes_.end(sh_, dp) - xs, ny = axes_.end(sh_, dq) - ys;
        if (nx > 0 && ny > 0) visit(DeltaClasses{dp, dq, xs, ys, nx, ny});
      }
  }

  // One delta on rows [r0, r0 + rows) of its blocks: returns mirrors * count * ||strip of
  // (block - alpha I)||^2 summed over its classes, and writes its strips of W.
  double sweepDelta(const DeltaClasses& d, int64_t r0, int64_t rows, double* strips, double* used) const {
    const int64_t k = sh_.k, s = l_.side, w = l_.width, n = rows * s;
    const size_t stripSize = static_cast<size_t>(rowsPerStrip_ * s);
    // The blocks of delta = 0 are the diagonal ones, symmetric: only their upper triangles (all syrk
    // computes, and all symm reads of W) are summed and written. Row a of the strip starts at from(a).
    const bool upper = d.diagonal();
    auto from = [&](int64_t a) { return upper ? r0 + a : int64_t{0}; };
    double sum = 0;
    // Each class's strip of its block: the sum of its tap products, minus alpha I. A class whose
    // taps along one axis contain those of a class done before (the interior class contains the
    // border ones) starts from that class's strip and adds only the products it lacks.
    for (int64_t x = 0; x < d.nx; ++x)
      for (int64_t y = 0; y < d.ny; ++y) {
        double* out = strips + static_cast<size_t>(x * d.ny + y) * stripSize;
        const ClassBase base = classBase(d, x, y);
        if (base.x >= 0) std::copy(strips + static_cast<size_t>(base.x * d.ny + base.y) * stripSize, strips + static_cast<size_t>(base.x * d.ny + base.y) * stripSize + n, out);
        bool first = base.x < 0;  // the first product is copied: no clearing pass
        for (int64_t p = d.xs[x].lo; p <= d.xs[x].hi; ++p)
          for (int64_t q = d.ys[y].lo; q <= d.ys[y].hi; ++q) {
            if (base.x >= 0 && contains(d.xs[base.x], p) && contains(d.ys[base.y], q)) continue;  // in the base already
            const double* in = gram_ + ((p * k + q) * s + r0) * w + ((p + d.dp) * k + q + d.dq) * s;
            if (first)
              for (int64_t a = 0; a < rows; ++a) std::copy(in + a * w + from(a), in + a * w + s, out + a * s + from(a));
            else if (upper)
              for (int64_t a = 0; a < rows; ++a) addRows(out + a * s + from(a), s, in + a * w + from(a), w, 1, s - from(a));
            else
              addRows(out, s, in, w, rows, s);
            first = false;
          }
        if (upper && base.x < 0)  // a base has alpha I taken off already
          for (int64_t a = 0; a < rows; ++a) out[a * s + r0 + a] -= alpha_;
        const double count = static_cast<double>(d.xs[x].count) * static_cast<double>(d.ys[y].count);
        if (upper)  // the diagonal entry once, those right of it for themselves and their mirror images
          for (int64_t a = 0; a < rows; ++a) {
            const double* row = out + a * s + from(a);
            sum += count * (row[0] * row[0] + 2.0 * sumOfSquares(row + 1, s - from(a) - 1));
          }
        else
          sum += 2.0 * count * sumOfSquares(out, n);  // the class's block and its mirror image (delta -> -delta)
      }
    if (weights_ == nullptr) return sum;
    // Each class's strip, weighted by its count, added to the strips of W of the pairs it uses
    // (the first class of a pair writes, so that W needs no clearing beforehand).
    std::fill(used, used + k * k, 0.0);  // tap pairs (p, q) written (flags kept in the work space)
    for (int64_t x = 0; x < d.nx; ++x)
      for (int64_t y = 0; y < d.ny; ++y) {
        const double count = static_cast<double>(d.xs[x].count) * static_cast<double>(d.ys[y].count);
        const double* in = strips + static_cast<size_t>(x * d.ny + y) * stripSize;
        for (int64_t p = d.xs[x].lo; p <= d.xs[x].hi; ++p)
          for (int64_t q = d.ys[y].lo; q <= d.ys[y].hi; ++q) {
            double* out = weights_ + ((p * k + q) * s + r0) * w + ((p + d.dp) * k + q + d.dq) * s;
            double& pairUsed = used[static_cast<size_t>(p * k + q)];
            if (upper)
              for (int64_t a = 0; a < rows; ++a) scaleRows(out + a * w + from(a), w, in + a * s + from(a), s, 1, s - from(a), count, pairUsed != 0);
            else
              scaleRows(out, w, in, s, rows, s, count, pairUsed != 0);
            pairUsed = 1.0;
          }
      }
    return sum;
  }

  void zeroUnusedBlocks(int64_t r0, int64_t rows) const {
    const int64_t s = l_.side, w = l_.width;
    for (int64_t i = 0; i < l_.taps; ++i)
      for (int64_t j = i; j < l_.taps; ++j)
        if (!written_[static_cast<size_t>(i * l_.taps + j)])
          for (int64_t a = r0; a < r0 + rows; ++a) std::fill(weights_ + (i * s + a) * w + j * s, weights_ + (i * s + a) * w + (j + 1) * s, 0.0);
  }

  const ConvShape& sh_;
  const TapLayout& l_;
  const double* gram_;
  double alpha_;
  double* weights_;
  AxisClassTable axes_;
  int64_t rowsPerStrip_;
  size_t stripBuffer_ = 0;
  std::vector<char> written_;
};

// The sum over the classes of mirrors * count * ||block - alpha I||^2 (F without the missing
// term). With `weights`, also fills its upper block triangle (the diagonal blocks in their upper triangles) with
// W[i, j] = sum over the classes using A_i^T A_j of count * (block - alpha I), and zeros where
// no class uses the pair. The classes of a delta are the products x * y of its axis classes, so
// the classes using the tap pair (p, q) are those with x holding p and y holding q. The strips'
// shares of F are added in strip order whatever the thread count, so results do not depend on it.
double classSweep(ScratchArena& arena, const ConvShape& sh, const TapLayout& l, const double* gram, double alpha,
                  double* weights) {
  const ClassSweep sweep(sh, l, gram, alpha, weights);
  const int64_t strips = sweep.strips();
  const int threads = workThreads(l.width * l.width);
  double* stripSums = arena.take(static_cast<size_t>(strips));
  double* buffers = arena.take(sweep.bufferSize() * static_cast<size_t>(threads));
  splitWork(threads, strips, [&](int64_t first, int64_t last, int64_t part) {
    sweep.sweepStrips(first, last, buffers + sweep.bufferSize() * static_cast<size_t>(part), stripSums);
  });
  double sum = 0;
  for (int64_t strip = 0; strip < strips; ++strip) sum += stripSums[strip];
  return sum;
}

}  // namespace

double structuredPenalty(const ConvShape& shape, const double* kernel, double alpha) {
  const TapLayout l = layoutFor(shape);
  ScratchArena arena;
  const double* gram = tapGram(arena, l, tapsOf(arena, shape, l, kernel), false);
  return classSweep(arena, shape, l, gram, alpha, nullptr) + missingTerm(shape, l, alpha);
}

double structuredPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha, double* gradient) {
  const TapLayout l = layoutFor(shape);
  // The caller's gradient is often a fresh array (a new one per call through the API).
  adviseHugePages(gradient, static_cast<size_t>(shape.kernelSize()) * sizeof(double));
  ScratchArena arena;
  // The gradient product takes A packed even where syrk reads A^T from the kernel: with two BLAS
  // threads dsymm is ~10% slower with the tap side as its short dimension (dF/dA^T = 4 W A^T,
  // 2304 x 256 from 2304 x 2304 for a 3x3x256x256 kernel) than the other way round (dF/dA = 4 A W).
  const double* a = packTaps(arena, shape, l, kernel);
  double* gram = tapGram(arena, l, kernelIsTapsTransposed(l) ? kernel : a, false);
  // weights[i, j] = sum over the classes using A_i^T A_j of count * (block - alpha I): a
  // symmetric matrix of which the sweep fills the upper block triangle. It overwrites the tap Gram
  // matrix (each strip of a block is read before it is written): the sweep then writes to memory
  // it has just read, which is in cache, instead of a second matrix of that size.
  double* weights = gram;
  const double sum = classSweep(arena, shape, l, gram, alpha, weights);
  // dF/dA = 2 A (W + W^T) = 4 A W since A_i appears on the left and on the right of each product.
  double* gradA = takeMatrix(arena, l.outer, l.width);
  if (small(l)) {
    const int64_t w = l.width;
    std::fill(gradA, gradA + l.outer * w, 0.0);
    for (int64_t i = 0; i < w; ++i)
      for (int64_t j = i; j < w; ++j) {
        const double v = 4.0 * weights[i * w + j];
        for (int64_t o = 0; o < l.outer; ++o) {
          gradA[o * w + j] += a[o * w + i] * v;
          if (j != i) gradA[o * w + i] += a[o * w + j] * v;
        }
      }
  } else {
    cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, l.outer, l.width, 4.0, weights, l.width, a, l.width, 0.0,
                gradA, l.width);
  }
  unpackTaps(shape, l, gradA, gradient);
  return sum + missingTerm(shape, l, alpha);
}

PenaltyAndGradient structuredPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha) {
  PenaltyAndGradient out;
  out.gradient.resize(static_cast<size_t>(shape.kernelSize()));
  out.penalty = structuredPenaltyAndGradient(shape, kernel, alpha, out.gradient.data());
  return out;
}

std::array<double, 5> structuredLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                            double alpha) {
  const TapLayout l = layoutFor(shape);
  ScratchArena arena;
  const double* a = tapsOf(arena, shape, l, kernel);
  const double* d = tapsOf(arena, shape, l, direction);
  const double *kk = tapGram(arena, l, a, true), *dd = tapGram(arena, l, d, true), *kd = tapCross(arena, l, a, d);
  const size_t blockSize = static_cast<size_t>(l.side * l.side);
  // Each block of G(K + tD) - alpha I is x0 + t x1 + t^2 x2.
  std::vector<double> x0(blockSize), x1(blockSize), x2(blockSize);
  std::array<double, 5> c{0, 0, 0, 0, 0};
  forEachBlockClass(shape, [&](const BlockClass& b) {
    classBlock(shape, l, kk, b, alpha, x0);
    std::fill(x1.begin(), x1.end(), 0.0);
    std::fill(x2.begin(), x2.end(), 0.0);
    forEachTapPair(shape, b, [&](int64_t i, int64_t j) {
      addBlock(l, kd, i, j, false, x1.data());  // K_i^T D_j
      addBlock(l, kd, j, i, true, x1.data());   // D_i^T K_j = (K_j^T D_i)^T
      addSymmetricBlock(l, dd, i, j, x2.data());
    });
    const double x00 = dot(x0, x0), x01 = dot(x0, x1), x02 = dot(x0, x2), x11 = dot(x1, x1), x12 = dot(x1, x2),
                 x22 = dot(x2, x2);
    const double weight = b.mirrors() * b.count;
    c[0] += weight * x00;
    c[1] += weight * 2 * x01;
    c[2] += weight * (x11 + 2 * x02);
    c[3] += weight * 2 * x12;
    c[4] += weight * x22;
  });
  c[0] += missingTerm(shape, l, alpha);
  return c;
}

}  // namespace convreg
