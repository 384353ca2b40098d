#include "gram_side.h"

#include <algorithm>
#include <cmath>

#include "blas.h"

namespace convreg {

GramSide makeGramSide(const ConvShape& s, const double* kernel) {
  requireValidShape(s);
  GramSide side;
  side.n = s.n;
  side.inputSide = s.g <= s.h;
  side.small = std::min(s.g, s.h);
  side.other = std::max(s.g, s.h);
  for (int64_t p = 0; p < s.k; ++p)
    for (int64_t q = 0; q < s.k; ++q) {
      SideTap t;
      // Input side: A = M, (M x)[y, c] = sum_t K_t[d, c] x[y + t, d]: weight = K_t (g x h).
      // Output side: A = M^T, (M^T u)[x, d] = sum_t K_t[d, c] u[x - t, c]: offset -t, weight K_t^T.
      const int64_t sign = side.inputSide ? 1 : -1;
      t.dr = sign * s.offset(p);
      t.ds = sign * s.offset(q);
      t.weight.resize(static_cast<size_t>(s.g * s.h));
      for (int64_t d = 0; d < s.g; ++d)
        for (int64_t c = 0; c < s.h; ++c) {
          const double w = kernel[s.kernelIndex(p, q, d, c)];
          if (side.inputSide) t.weight[d * s.h + c] = w;
          else t.weight[c * s.g + d] = w;
        }
      side.taps.push_back(std::move(t));
    }
  return side;
}

int64_t maxTermsA(const GramSide& side) { return static_cast<int64_t>(side.taps.size()) * side.small; }
int64_t maxTermsAt(const GramSide& side) { return static_cast<int64_t>(side.taps.size()) * side.other; }

namespace {
inline bool inside(int64_t r, int64_t s, int64_t n) { return r >= 0 && r < n && s >= 0 && s < n; }
}  // namespace

void applyA(const GramSide& side, const double* x, double* y, bool absolute) {
  const int64_t n = side.n, sm = side.small, ot = side.other;
  std::vector<long double> acc(static_cast<size_t>(ot));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t s = 0; s < n; ++s) {
      std::fill(acc.begin(), acc.end(), 0.0L);
      for (const SideTap& t : side.taps) {
        if (!inside(r + t.dr, s + t.ds, n)) continue;
        const double* xp = x + ((r + t.dr) * n + (s + t.ds)) * sm;
        for (int64_t c = 0; c < sm; ++c) {
          const long double xv = absolute ? std::fabs(xp[c]) : xp[c];
          if (xv == 0) continue;
          const double* w = t.weight.data() + c * ot;
          if (absolute)
            for (int64_t o = 0; o < ot; ++o) acc[o] += std::fabs(w[o]) * xv;
          else
            for (int64_t o = 0; o < ot; ++o) acc[o] += w[o] * xv;
        }
      }
      double* yp = y + (r * n + s) * ot;
      for (int64_t o = 0; o < ot; ++o) yp[o] = static_cast<double>(acc[o]);
    }
}

void applyAt(const GramSide& side, const double* y, double* z, bool absolute) {
  const int64_t n = side.n, sm = side.small, ot = side.other;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t s = 0; s < n; ++s) {
      double* zp = z + (r * n + s) * sm;
      for (int64_t c = 0; c < sm; ++c) {
        long double acc = 0;
        for (const SideTap& t : side.taps) {
          if (!inside(r - t.dr, s - t.ds, n)) continue;
          const double* yp = y + ((r - t.dr) * n + (s - t.ds)) * ot;
          const double* w = t.weight.data() + c * ot;
          if (absolute)
            for (int64_t o = 0; o < ot; ++o) acc += static_cast<long double>(std::fabs(w[o])) * std::fabs(yp[o]);
          else
            for (int64_t o = 0; o < ot; ++o) acc += static_cast<long double>(w[o]) * yp[o];
        }
        zp[c] = static_cast<double>(acc);
      }
    }
}

std::vector<double> toChannelMajor(const std::vector<double>& v, int64_t channels, int64_t pixels) {
  std::vector<double> out(v.size());
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t c = 0; c < channels; ++c) out[c * pixels + p] = v[p * channels + c];
  return out;
}

namespace {
// Pixel offsets delta = u - t between taps, with (for each) whether any pair exists.
struct TapPairs {
  int64_t span;  // deltas lie in [-span, span]^2
  // pairs[(dr + span) * (2 span + 1) + (ds + span)] lists (t, u) tap indices with u - t = delta
  std::vector<std::vector<std::pair<int64_t, int64_t>>> pairs;
};

TapPairs tapPairs(const GramSide& side) {
  TapPairs tp;
  tp.span = 0;
  for (const SideTap& t : side.taps)
    for (const SideTap& u : side.taps) tp.span = std::max({tp.span, std::abs(u.dr - t.dr), std::abs(u.ds - t.ds)});
  const int64_t w = 2 * tp.span + 1;
  tp.pairs.resize(static_cast<size_t>(w * w));
  const int64_t T = static_cast<int64_t>(side.taps.size());
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j) {
      const int64_t dr = side.taps[j].dr - side.taps[i].dr, ds = side.taps[j].ds - side.taps[i].ds;
      tp.pairs[(dr + tp.span) * w + (ds + tp.span)].emplace_back(i, j);
    }
  return tp;
}
}  // namespace

int64_t gramUpperNonzeros(const GramSide& side) {
  const TapPairs tp = tapPairs(side);
  const int64_t n = side.n, sm = side.small, w = 2 * tp.span + 1;
  int64_t pairsOfPixels = 0;  // ordered pixel pairs (a, a + delta) with delta > 0 lexicographically
  for (int64_t dr = 0; dr <= tp.span; ++dr)
    for (int64_t ds = -tp.span; ds <= tp.span; ++ds) {
      if (dr == 0 && ds <= 0) continue;
      if (tp.pairs[(dr + tp.span) * w + (ds + tp.span)].empty()) continue;
      if (dr >= n || std::abs(ds) >= n) continue;
      pairsOfPixels += (n - dr) * (n - std::abs(ds));
    }
  return pairsOfPixels * sm * sm + n * n * sm * (sm + 1) / 2;
}

int64_t tapProductBytes(const GramSide& side) {
  const int64_t rows = static_cast<int64_t>(side.taps.size()) * side.small;
  return rows * rows * 8 + rows * side.other * 8;
}

bool buildGramUpper(const GramSide& side, GramUpper& out, const std::atomic<bool>* cancel) {
  const int64_t n = side.n, sm = side.small, ot = side.other, T = static_cast<int64_t>(side.taps.size());
  const TapPairs tp = tapPairs(side);
  const int64_t w = 2 * tp.span + 1;
  // All tap products P(t, u) = B_t B_u^T at once: B stacks the taps' weights (T small x other).
  const int64_t R = T * sm;
  std::vector<double> stacked(static_cast<size_t>(R * ot)), prod(static_cast<size_t>(R * R));
  for (int64_t t = 0; t < T; ++t) std::copy(side.taps[t].weight.begin(), side.taps[t].weight.end(), stacked.begin() + t * sm * ot);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, R, ot, 1.0, stacked.data(), ot, stacked.data(), ot, 0.0, prod.data(), R);
  auto P = [&](int64_t t, int64_t u, int64_t c, int64_t c2) { return prod[(t * sm + c) * R + u * sm + c2]; };

  out.order = side.size();
  out.termsPerEntry = ot + T;
  const int64_t nnz = gramUpperNonzeros(side);
  out.colStart.assign(1, 0);
  out.colStart.reserve(static_cast<size_t>(out.order + 1));
  out.row.clear();
  out.value.clear();
  out.row.reserve(static_cast<size_t>(nnz));
  out.value.reserve(static_cast<size_t>(nnz));
  std::vector<double> absRowSum(static_cast<size_t>(out.order), 0.0);
  out.maxDiagonal = 0;

  struct Block {
    int64_t pixel;
    std::vector<double> v;
  };  // v[c * sm + c2] = G[(pixel, c), (a', c2)]
  std::vector<Block> blocks;
  for (int64_t r2 = 0; r2 < n; ++r2) {
    if (cancel && cancel->load()) return false;
    for (int64_t s2 = 0; s2 < n; ++s2) {
      const int64_t a2 = r2 * n + s2;
      blocks.clear();
      // Rows a = a' - delta with a <= a'. G[(a,c),(a',c')] = sum over taps t with u = t + delta
      // and the other-side pixel a - t inside the image of P(t, u)[c][c'].
      for (int64_t dr = 0; dr <= tp.span; ++dr)
        for (int64_t ds = -tp.span; ds <= tp.span; ++ds) {
          if (dr == 0 && ds < 0) continue;
          const auto& list = tp.pairs[(dr + tp.span) * w + (ds + tp.span)];
          if (list.empty()) continue;
          const int64_t r = r2 - dr, s = s2 - ds;
          if (!inside(r, s, n)) continue;
          Block b{r * n + s, std::vector<double>(static_cast<size_t>(sm * sm), 0.0)};
          for (const auto& [t, u] : list) {
            if (!inside(r - side.taps[t].dr, s - side.taps[t].ds, n)) continue;
            for (int64_t c = 0; c < sm; ++c)
              for (int64_t c2 = 0; c2 < sm; ++c2) b.v[c * sm + c2] += P(t, u, c, c2);
          }
          blocks.push_back(std::move(b));
        }
      std::sort(blocks.begin(), blocks.end(), [](const Block& x, const Block& y) { return x.pixel < y.pixel; });
      for (int64_t c2 = 0; c2 < sm; ++c2) {
        const int64_t j = a2 * sm + c2;
        for (const Block& b : blocks) {
          const int64_t last = b.pixel == a2 ? c2 : sm - 1;
          for (int64_t c = 0; c <= last; ++c) {
            const int64_t i = b.pixel * sm + c;
            const double v = b.v[c * sm + c2];
            out.row.push_back(i);
            out.value.push_back(v);
            absRowSum[i] += std::fabs(v);
            if (i != j) absRowSum[j] += std::fabs(v);
            else out.maxDiagonal = std::max(out.maxDiagonal, v);
          }
        }
        out.colStart.push_back(static_cast<int64_t>(out.row.size()));
      }
    }
  }
  out.maxAbsRowSum = absRowSum.empty() ? 0 : *std::max_element(absRowSum.begin(), absRowSum.end());
  return true;
}

}  // namespace convreg
