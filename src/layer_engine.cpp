// The layer engine. M = sum_t K_t^T (x) (S_p (x) S'_q), with S_p the 0/1 matrix of one axis
// (S_p[r, x] = 1 when output r reads input x through tap p). So, on the output side,
// M M^T = sum_{t,u} K_t^T K_u (x) (S_p S_p'^T (x) S'_q S'_q'^T), and on the input side
// M^T M = sum_{t,u} K_t K_u^T (x) (S_p^T S_p' (x) S'_q^T S'_q'). Every entry of the 1-D
// products is 0 or 1, so a block of the Gram matrix at a pixel pair is the sum of the tap
// products over a set of tap pairs: the pair's "pattern". Along one axis the pixel pairs fall
// into classes of equal pattern: one interior class per residue mod stride (input side) or a
// single one (output side), and O(k d) boundary positions, each its own class. Equal classes
// are merged. A 2-D class is a pair of 1-D classes, its count the product of their counts.
// F is the count-weighted sum of ||block - alpha [diagonal] I||^2: nonnegative terms only.
#include "layer_engine.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <utility>

#include "blas.h"
#include "scratch.h"

namespace convreg {

namespace {

using TapPairs = std::vector<std::pair<int64_t, int64_t>>;

// Pixel pairs of one axis sharing a pattern: their tap pairs (p, p'), whether they are
// diagonal pairs (the same pixel twice), and how many there are.
struct AxisClass {
  TapPairs pairs;
  bool diagonal;
  double count;
};

using ClassMap = std::map<std::pair<bool, TapPairs>, double>;

void addClass(ClassMap& classes, TapPairs pairs, bool diagonal, double count) {
  // An empty pattern gives a zero block: it matters only on the diagonal (-alpha I).
  if (count <= 0 || (pairs.empty() && !diagonal)) return;
  classes[{diagonal, std::move(pairs)}] += count;
}

std::vector<AxisClass> toList(const ClassMap& classes) {
  std::vector<AxisClass> out;
  for (const auto& [key, count] : classes) out.push_back(AxisClass{key.second, key.first, count});
  return out;
}

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

// Output side: pairs (r, r') of output positions. r s + p d = r' s + p' d with p' = p + m,
// so r' = r - m d / s; tap p is usable when its input lies inside, the same input for both.
std::vector<AxisClass> outputAxisClasses(const LayerAxis& a) {
  ClassMap classes;
  auto addRun = [&](int64_t start, int64_t length) {
    // Usable taps of every r in the run: an interval (the input grows with p).
    const int64_t lo = std::max<int64_t>(0, ceilDiv(a.padBefore - start * a.stride, a.dilation));
    const int64_t hi = std::min<int64_t>(a.k - 1, floorDiv(a.in - 1 + a.padBefore - start * a.stride, a.dilation));
    for (int64_t m = 1 - a.k; m < a.k; ++m) {
      if ((m * a.dilation) % a.stride != 0) continue;
      const int64_t shift = m * a.dilation / a.stride;  // r' = r - shift must be in [0, out)
      const int64_t from = std::max(start, shift), to = std::min(start + length, a.out + shift);
      TapPairs pairs;
      for (int64_t p = std::max<int64_t>(lo, -m); p <= std::min(hi, a.k - 1 - m); ++p) pairs.emplace_back(p, p + m);
      addClass(classes, std::move(pairs), m == 0, static_cast<double>(std::max<int64_t>(0, to - from)));
    }
  };
  // Interior: r s - pb >= 0 and r s - pb + (k - 1) d <= in - 1, so every tap is usable.
  const int64_t first = std::max<int64_t>(0, ceilDiv(a.padBefore, a.stride));
  const int64_t last = std::min(a.out - 1, floorDiv(a.in - 1 + a.padBefore - (a.k - 1) * a.dilation, a.stride));
  if (first <= last) {
    for (int64_t r = 0; r < first; ++r) addRun(r, 1);
    addRun(first, last - first + 1);
    for (int64_t r = last + 1; r < a.out; ++r) addRun(r, 1);
  } else {
    for (int64_t r = 0; r < a.out; ++r) addRun(r, 1);  // only for small inputs: bounded
  }
  return toList(classes);
}

// Input side: pairs (x, x + m d) of input positions read by one output r through taps p and
// p + m. Tap p reaches x from r = (x + pb - p d) / s when that is an integer in [0, out).
std::vector<AxisClass> inputAxisClasses(const LayerAxis& a) {
  ClassMap classes;
  auto addPosition = [&](int64_t x, double count) {
    std::vector<int64_t> reaching;  // taps through which some output reads x
    for (int64_t p = 0; p < a.k; ++p) {
      const int64_t shifted = x + a.padBefore - p * a.dilation;
      if (shifted >= 0 && shifted % a.stride == 0 && shifted / a.stride < a.out) reaching.push_back(p);
    }
    for (int64_t m = 1 - a.k; m < a.k; ++m) {
      const int64_t partner = x + m * a.dilation;
      if (partner < 0 || partner >= a.in) continue;
      TapPairs pairs;
      for (int64_t p : reaching)
        if (p + m >= 0 && p + m < a.k) pairs.emplace_back(p, p + m);
      addClass(classes, std::move(pairs), m == 0, count);
    }
  };
  // Interior: every tap's output index is in range and every partner is inside, so the
  // pattern depends only on x mod s.
  const int64_t first = (a.k - 1) * a.dilation;
  const int64_t last = std::min((a.out - 1) * a.stride - a.padBefore, a.in - 1 - (a.k - 1) * a.dilation);
  if (first <= last) {
    for (int64_t x = 0; x < first; ++x) addPosition(x, 1);
    for (int64_t x = first; x <= std::min(last, first + a.stride - 1); ++x)
      addPosition(x, static_cast<double>((last - x) / a.stride + 1));
    for (int64_t x = last + 1; x < a.in; ++x) addPosition(x, 1);
  } else {
    for (int64_t x = 0; x < a.in; ++x) addPosition(x, 1);  // only for small inputs: bounded
  }
  return toList(classes);
}

// Which Gram matrix the engine forms and with which tap matrices A_t.
struct Layout {
  int64_t k, g, h, taps, side, outer, width;
  bool inputSide;                     // A_t = K_t^T (h x g), Gram M^T M; else A_t = K_t (g x h), Gram M M^T
  std::vector<AxisClass> rows, cols;  // 1-D classes along H and along W
  double extra;                       // alpha^2-free count of the zero eigenvalues the target side has in addition
};

Layout layoutFor(const LayerSpec& spec) {
  const LayerAxis ay = layerAxis(spec, spec.height), ax = layerAxis(spec, spec.width);
  const double outputs = static_cast<double>(spec.h) * static_cast<double>(ay.out * ax.out);
  const double inputs = static_cast<double>(spec.g) * static_cast<double>(spec.height * spec.width);
  const bool inputSide = inputs < outputs;  // the smaller Gram matrix
  Layout l;
  l.k = spec.k;
  l.g = spec.g;
  l.h = spec.h;
  l.taps = spec.k * spec.k;
  l.inputSide = inputSide;
  l.side = inputSide ? spec.g : spec.h;
  l.outer = inputSide ? spec.h : spec.g;
  l.width = l.taps * l.side;
  l.rows = inputSide ? inputAxisClasses(ay) : outputAxisClasses(ay);
  l.cols = inputSide ? inputAxisClasses(ax) : outputAxisClasses(ax);
  // ||M^T M - aI_C||^2 = ||M M^T - aI_R||^2 + a^2 (C - R): add the target side's surplus.
  const double target = spec.transposed ? outputs : inputs;
  l.extra = target - std::min(inputs, outputs);
  return l;
}

double* take(ScratchArena& arena, int64_t rows, int64_t cols) { return arena.take(static_cast<size_t>(rows * cols)); }

// A = [A_t1 A_t2 ...], outer x width row-major.
const double* packTaps(ScratchArena& arena, const Layout& l, const double* kernel) {
  double* a = take(arena, l.outer, l.width);
  for (int64_t t = 0; t < l.taps; ++t)
    for (int64_t d = 0; d < l.g; ++d)
      for (int64_t c = 0; c < l.h; ++c) {
        const double v = kernel[(t * l.g + d) * l.h + c];
        if (l.inputSide) a[c * l.width + t * l.side + d] = v;
        else a[d * l.width + t * l.side + c] = v;
      }
  return a;
}

std::vector<double> unpackTaps(const Layout& l, const double* a) {
  std::vector<double> kernel(static_cast<size_t>(l.taps * l.g * l.h));
  for (int64_t t = 0; t < l.taps; ++t)
    for (int64_t d = 0; d < l.g; ++d)
      for (int64_t c = 0; c < l.h; ++c)
        kernel[(t * l.g + d) * l.h + c] = l.inputSide ? a[c * l.width + t * l.side + d] : a[d * l.width + t * l.side + c];
  return kernel;
}

// BLAS wakes its threads even for tiny products: below this many multiply-adds loops win.
bool small(const Layout& l) { return l.width * l.width * l.outer < (int64_t{1} << 16); }

// X^T Y (width x width), full.
const double* crossProduct(ScratchArena& arena, const Layout& l, const double* x, const double* y) {
  double* out = take(arena, l.width, l.width);
  const int64_t w = l.width;
  if (small(l)) {
    std::fill(out, out + w * w, 0.0);
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < w; ++i)
        for (int64_t j = 0; j < w; ++j) out[i * w + j] += x[o * w + i] * y[o * w + j];
  } else {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, w, w, l.outer, 1.0, x, w, y, w, 0.0, out, w);
  }
  return out;
}

// out += block (i, j) of a width x width matrix, transposed when `transpose`.
void addBlock(const Layout& l, const double* m, int64_t i, int64_t j, bool transpose, double* out) {
  const int64_t s = l.side, w = l.width;
  const double* base = m + i * s * w + j * s;
  for (int64_t a = 0; a < s; ++a)
    for (int64_t b = 0; b < s; ++b) out[a * s + b] += transpose ? base[b * w + a] : base[a * w + b];
}

struct BlockClass {
  const AxisClass *row, *col;
  double count;
  bool diagonal() const { return row->diagonal && col->diagonal; }
};

template <typename Visit>
void forEachBlockClass(const Layout& l, Visit visit) {
  for (const AxisClass& a : l.rows)
    for (const AxisClass& b : l.cols) {
      const bool diagonal = a.diagonal && b.diagonal;
      if (!diagonal && (a.pairs.empty() || b.pairs.empty())) continue;
      visit(BlockClass{&a, &b, a.count * b.count});
    }
}

// pair(t, u) for every tap pair of a 2-D class: t = (p, q), u = (p', q').
template <typename Pair>
void forEachTapPair(const Layout& l, const BlockClass& c, Pair pair) {
  for (const auto& [p, p2] : c.row->pairs)
    for (const auto& [q, q2] : c.col->pairs) pair(p * l.k + q, p2 * l.k + q2);
}

void classBlock(const Layout& l, const double* gram, const BlockClass& c, double alpha, std::vector<double>& block) {
  std::fill(block.begin(), block.end(), 0.0);
  forEachTapPair(l, c, [&](int64_t t, int64_t u) { addBlock(l, gram, t, u, false, block.data()); });
  if (c.diagonal())
    for (int64_t a = 0; a < l.side; ++a) block[a * l.side + a] -= alpha;
}

double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
  return sum;
}

}  // namespace

double layerPenalty(const LayerSpec& spec, const double* kernel, double alpha) {
  const Layout l = layoutFor(spec);
  ScratchArena arena;
  const double* a = packTaps(arena, l, kernel);
  const double* gram = crossProduct(arena, l, a, a);
  std::vector<double> block(static_cast<size_t>(l.side * l.side));
  double sum = 0;
  forEachBlockClass(l, [&](const BlockClass& c) {
    classBlock(l, gram, c, alpha, block);
    sum += c.count * dot(block, block);
  });
  return sum + alpha * alpha * l.extra;
}

PenaltyAndGradient layerPenaltyAndGradient(const LayerSpec& spec, const double* kernel, double alpha) {
  const Layout l = layoutFor(spec);
  ScratchArena arena;
  const double* a = packTaps(arena, l, kernel);
  const double* gram = crossProduct(arena, l, a, a);
  const int64_t s = l.side, w = l.width;
  // weights[t, u] = sum over the classes using the pair (t, u) of count * (block - alpha I).
  double* weights = take(arena, w, w);
  std::fill(weights, weights + w * w, 0.0);
  std::vector<double> block(static_cast<size_t>(s * s));
  double sum = 0;
  forEachBlockClass(l, [&](const BlockClass& c) {
    classBlock(l, gram, c, alpha, block);
    sum += c.count * dot(block, block);
    forEachTapPair(l, c, [&](int64_t t, int64_t u) {
      double* target = weights + t * s * w + u * s;
      for (int64_t x = 0; x < s; ++x)
        for (int64_t y = 0; y < s; ++y) target[x * w + y] += c.count * block[x * s + y];
    });
  });
  // d<X, A_t^T A_u> gives A_u X^T for A_t and A_t X for A_u: dF/dA = 2 A (W + W^T).
  double* symmetric = take(arena, w, w);
  for (int64_t i = 0; i < w; ++i)
    for (int64_t j = 0; j < w; ++j) symmetric[i * w + j] = weights[i * w + j] + weights[j * w + i];
  double* gradA = take(arena, l.outer, w);
  if (small(l)) {
    std::fill(gradA, gradA + l.outer * w, 0.0);
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < w; ++i) {
        const double v = 2.0 * a[o * w + i];
        for (int64_t j = 0; j < w; ++j) gradA[o * w + j] += v * symmetric[i * w + j];
      }
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l.outer, w, w, 2.0, a, w, symmetric, w, 0.0, gradA, w);
  }
  PenaltyAndGradient out;
  out.penalty = sum + alpha * alpha * l.extra;
  out.gradient = unpackTaps(l, gradA);
  return out;
}

std::array<double, 5> layerLineQuartic(const LayerSpec& spec, const double* kernel, const double* direction,
                                       double alpha) {
  const Layout l = layoutFor(spec);
  ScratchArena arena;
  const double* a = packTaps(arena, l, kernel);
  const double* d = packTaps(arena, l, direction);
  const double *kk = crossProduct(arena, l, a, a), *dd = crossProduct(arena, l, d, d), *kd = crossProduct(arena, l, a, d);
  const size_t blockSize = static_cast<size_t>(l.side * l.side);
  std::vector<double> x0(blockSize), x1(blockSize), x2(blockSize);
  std::array<double, 5> c{0, 0, 0, 0, 0};
  forEachBlockClass(l, [&](const BlockClass& b) {
    classBlock(l, kk, b, alpha, x0);
    std::fill(x1.begin(), x1.end(), 0.0);
    std::fill(x2.begin(), x2.end(), 0.0);
    forEachTapPair(l, b, [&](int64_t t, int64_t u) {
      addBlock(l, kd, t, u, false, x1.data());  // A_t^T D_u
      addBlock(l, kd, u, t, true, x1.data());   // D_t^T A_u = (A_u^T D_t)^T
      addBlock(l, dd, t, u, false, x2.data());
    });
    const double x00 = dot(x0, x0), x01 = dot(x0, x1), x02 = dot(x0, x2), x11 = dot(x1, x1), x12 = dot(x1, x2),
                 x22 = dot(x2, x2);
    c[0] += b.count * x00;
    c[1] += b.count * 2 * x01;
    c[2] += b.count * (x11 + 2 * x02);
    c[3] += b.count * 2 * x12;
    c[4] += b.count * x22;
  });
  c[0] += alpha * alpha * l.extra;
  return c;
}

int64_t layerBlockClassCount(const LayerSpec& spec) {
  const Layout l = layoutFor(spec);
  int64_t count = 0;
  forEachBlockClass(l, [&](const BlockClass&) { ++count; });
  return count;
}

}  // namespace convreg
