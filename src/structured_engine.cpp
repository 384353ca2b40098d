// The structured engine. With A_t the tap matrices on the smaller channel side (A_t = K_t,
// g x h, when h <= g; A_t = K_t^T, h x g, otherwise: transposing swaps M and M^T), the
// smaller Gram matrix G (M M^T or M^T M, side s N^2 with s = min(g, h)) is made of s x s
// blocks G[r, r - delta] = sum of P(t, t + delta) = A_t^T A_{t+delta} over the taps t that
// land inside the image. Along each axis the set of those taps is an interval that only
// changes within k of the border, so all positions r fall into O(k) classes per axis whose
// blocks are equal. F is then the count-weighted sum of ||block - alpha I||^2 over the
// classes, a sum of nonnegative terms: no cancellation between ||M^T M||^2, ||M||^2 and
// alpha^2 g N^2, which the expanded formula of MATH.md would suffer when F is small.
// The tap products P come from one syrk, the gradient from one gemm.
#include "structured_engine.h"

#include <algorithm>
#include <cstddef>

#include "blas.h"

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

std::vector<double> packTaps(const ConvShape& s, const TapLayout& l, const double* kernel) {
  std::vector<double> a(static_cast<size_t>(l.outer * l.width));
  for (int64_t j = 0; j < l.taps; ++j)
    for (int64_t d = 0; d < s.g; ++d)
      for (int64_t c = 0; c < s.h; ++c) {
        const double v = kernel[(j * s.g + d) * s.h + c];
        if (l.transposed) a[c * l.width + j * l.side + d] = v;
        else a[d * l.width + j * l.side + c] = v;
      }
  return a;
}

std::vector<double> unpackTaps(const ConvShape& s, const TapLayout& l, const std::vector<double>& a) {
  std::vector<double> kernel(static_cast<size_t>(s.kernelSize()));
  for (int64_t j = 0; j < l.taps; ++j)
    for (int64_t d = 0; d < s.g; ++d)
      for (int64_t c = 0; c < s.h; ++c)
        kernel[(j * s.g + d) * s.h + c] = l.transposed ? a[c * l.width + j * l.side + d] : a[d * l.width + j * l.side + c];
  return kernel;
}

// A^T A in full (syrk fills the upper triangle; the lower one is mirrored).
std::vector<double> tapGram(const TapLayout& l, const std::vector<double>& a) {
  std::vector<double> gram(static_cast<size_t>(l.width * l.width), 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, l.width, l.outer, 1.0, a.data(), l.width, 0.0, gram.data(),
              l.width);
  for (int64_t i = 0; i < l.width; ++i)
    for (int64_t j = 0; j < i; ++j) gram[i * l.width + j] = gram[j * l.width + i];
  return gram;
}

// A^T D.
std::vector<double> tapCross(const TapLayout& l, const std::vector<double>& a, const std::vector<double>& d) {
  std::vector<double> cross(static_cast<size_t>(l.width * l.width));
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l.width, l.width, l.outer, 1.0, a.data(), l.width, d.data(),
              l.width, 0.0, cross.data(), l.width);
  return cross;
}

// Along one axis: positions r (with r - delta also inside) whose contributing tap indices
// p (0-based: tap offset p + first, p + delta also a tap) form the interval [lo, hi].
struct AxisClass {
  int64_t lo, hi, count;
};

std::vector<AxisClass> axisClasses(const ConvShape& s, int64_t delta) {
  std::vector<AxisClass> classes;
  const int64_t f = s.firstOffset(), n = s.n;
  const int64_t tapLo = std::max<int64_t>(0, -delta), tapHi = std::min<int64_t>(s.k - 1, s.k - 1 - delta);
  const int64_t r0 = std::max<int64_t>(0, delta), r1 = std::min<int64_t>(n, n + delta);  // r in [r0, r1)
  if (tapLo > tapHi || r0 >= r1) return classes;
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
  return classes;
}

// One class of blocks of the smaller Gram matrix: its count and the taps (p, q) in
// [loP, hiP] x [loQ, hiQ] paired with (p + dp, q + dq).
struct BlockClass {
  int64_t dp, dq, loP, hiP, loQ, hiQ;
  double count;
};

template <typename Visit>
void forEachBlockClass(const ConvShape& s, Visit visit) {
  for (int64_t dp = 1 - s.k; dp < s.k; ++dp) {
    const std::vector<AxisClass> rowsP = axisClasses(s, dp);
    if (rowsP.empty()) continue;
    for (int64_t dq = 1 - s.k; dq < s.k; ++dq) {
      const std::vector<AxisClass> rowsQ = axisClasses(s, dq);
      for (const AxisClass& a : rowsP)
        for (const AxisClass& b : rowsQ)
          visit(BlockClass{dp, dq, a.lo, a.hi, b.lo, b.hi, static_cast<double>(a.count) * static_cast<double>(b.count)});
    }
  }
}

// Calls pair(i, j) for the tap indices of every product A_i^T A_j summed in a block class.
template <typename Pair>
void forEachTapPair(const ConvShape& s, const BlockClass& c, Pair pair) {
  for (int64_t p = c.loP; p <= c.hiP; ++p)
    for (int64_t q = c.loQ; q <= c.hiQ; ++q) pair(p * s.k + q, (p + c.dp) * s.k + (q + c.dq));
}

// out += block (i, j) of a width x width matrix (transposed when `transpose`).
void addBlock(const TapLayout& l, const std::vector<double>& m, int64_t i, int64_t j, bool transpose, double* out) {
  const int64_t s = l.side;
  const double* base = m.data() + i * s * l.width + j * s;
  for (int64_t a = 0; a < s; ++a)
    for (int64_t b = 0; b < s; ++b) out[a * s + b] += transpose ? base[b * l.width + a] : base[a * l.width + b];
}

// The block of G shared by a class (minus alpha I on the diagonal blocks).
void classBlock(const ConvShape& sh, const TapLayout& l, const std::vector<double>& gram, const BlockClass& c,
                double alpha, std::vector<double>& block) {
  std::fill(block.begin(), block.end(), 0.0);
  forEachTapPair(sh, c, [&](int64_t i, int64_t j) { addBlock(l, gram, i, j, false, block.data()); });
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

}  // namespace

double structuredPenalty(const ConvShape& shape, const double* kernel, double alpha) {
  const TapLayout l = layoutFor(shape);
  const std::vector<double> gram = tapGram(l, packTaps(shape, l, kernel));
  std::vector<double> block(static_cast<size_t>(l.side * l.side));
  double sum = 0;
  forEachBlockClass(shape, [&](const BlockClass& c) {
    classBlock(shape, l, gram, c, alpha, block);
    sum += c.count * dot(block, block);
  });
  return sum + missingTerm(shape, l, alpha);
}

PenaltyAndGradient structuredPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha) {
  const TapLayout l = layoutFor(shape);
  const std::vector<double> a = packTaps(shape, l, kernel);
  const std::vector<double> gram = tapGram(l, a);
  // weights[i, j] = sum over the classes using A_i^T A_j of count * (block - alpha I).
  std::vector<double> weights(static_cast<size_t>(l.width * l.width), 0.0);
  std::vector<double> block(static_cast<size_t>(l.side * l.side));
  const int64_t s = l.side;
  double sum = 0;
  forEachBlockClass(shape, [&](const BlockClass& c) {
    classBlock(shape, l, gram, c, alpha, block);
    sum += c.count * dot(block, block);
    forEachTapPair(shape, c, [&](int64_t i, int64_t j) {
      double* w = weights.data() + i * s * l.width + j * s;
      for (int64_t x = 0; x < s; ++x)
        for (int64_t y = 0; y < s; ++y) w[x * l.width + y] += c.count * block[x * s + y];
    });
  });
  // dF/dA = 2 A (W + W^T): A_i appears on the left and on the right of each product.
  for (int64_t i = 0; i < l.width; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      const double v = weights[i * l.width + j] + weights[j * l.width + i];
      weights[i * l.width + j] = v;
      weights[j * l.width + i] = v;
    }
  std::vector<double> gradA(static_cast<size_t>(l.outer * l.width));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l.outer, l.width, l.width, 2.0, a.data(), l.width,
              weights.data(), l.width, 0.0, gradA.data(), l.width);
  PenaltyAndGradient out;
  out.penalty = sum + missingTerm(shape, l, alpha);
  out.gradient = unpackTaps(shape, l, gradA);
  return out;
}

std::array<double, 5> structuredLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                            double alpha) {
  const TapLayout l = layoutFor(shape);
  const std::vector<double> a = packTaps(shape, l, kernel), d = packTaps(shape, l, direction);
  const std::vector<double> kk = tapGram(l, a), dd = tapGram(l, d), kd = tapCross(l, a, d);
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
      addBlock(l, dd, i, j, false, x2.data());
    });
    const double x00 = dot(x0, x0), x01 = dot(x0, x1), x02 = dot(x0, x2), x11 = dot(x1, x1), x12 = dot(x1, x2),
                 x22 = dot(x2, x2);
    c[0] += b.count * x00;
    c[1] += b.count * 2 * x01;
    c[2] += b.count * (x11 + 2 * x02);
    c[3] += b.count * 2 * x12;
    c[4] += b.count * x22;
  });
  c[0] += missingTerm(shape, l, alpha);
  return c;
}

}  // namespace convreg
