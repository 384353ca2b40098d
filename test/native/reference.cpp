#include "reference.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace native_ref {

std::vector<double> randomKernel(int64_t k, int64_t g, int64_t h, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  auto uniform = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (static_cast<double>(x >> 11) + 0.5) / 9007199254740992.0;
  };
  std::vector<double> out(static_cast<size_t>(k * k * g * h));
  for (double& v : out) v = std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
  return out;
}

BruteM bruteForceM(const std::vector<double>& kernel, int64_t k, int64_t g, int64_t h, int64_t n, bool circular) {
  BruteM b{Matrix(h * n * n, g * n * n), std::vector<std::vector<std::pair<int64_t, int64_t>>>(kernel.size())};
  const int64_t m = (k + 1) / 2;
  for (int64_t c = 0; c < h; ++c)
    for (int64_t r = 1; r <= n; ++r)
      for (int64_t s = 1; s <= n; ++s)
        for (int64_t d = 0; d < g; ++d)
          for (int64_t p = 1; p <= k; ++p)
            for (int64_t q = 1; q <= k; ++q) {
              int64_t xr = r - m + p, xs = s - m + q;
              if (circular) {
                xr = ((xr - 1) % n + n) % n + 1;
                xs = ((xs - 1) % n + n) % n + 1;
              } else if (xr < 1 || xr > n || xs < 1 || xs > n) {
                continue;
              }
              const int64_t e = (((p - 1) * k + (q - 1)) * g + d) * h + c;
              const int64_t i = c * n * n + (r - 1) * n + (s - 1);
              const int64_t j = d * n * n + (xr - 1) * n + (xs - 1);
              b.m.at(i, j) += kernel[static_cast<size_t>(e)];
              b.omega[static_cast<size_t>(e)].push_back({i, j});
            }
  return b;
}

Matrix multiply(const Matrix& x, const Matrix& y) {
  Matrix out(x.rows, y.cols);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t l = 0; l < x.cols; ++l)
      for (int64_t j = 0; j < y.cols; ++j) out.at(i, j) += x.at(i, l) * y.at(l, j);
  return out;
}

Matrix transpose(const Matrix& x) {
  Matrix out(x.cols, x.rows);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t j = 0; j < x.cols; ++j) out.at(j, i) = x.at(i, j);
  return out;
}

double penalty(const Matrix& m, double alpha) {
  Matrix gram = multiply(transpose(m), m);
  double sum = 0;
  for (int64_t i = 0; i < gram.rows; ++i)
    for (int64_t j = 0; j < gram.cols; ++j) {
      const double v = gram.at(i, j) - (i == j ? alpha : 0.0);
      sum += v * v;
    }
  return sum;
}

std::vector<double> gradient(const BruteM& b, size_t kernelSize, double alpha) {
  Matrix gram = multiply(transpose(b.m), b.m);
  for (int64_t i = 0; i < gram.rows; ++i) gram.at(i, i) -= alpha;
  Matrix r = multiply(b.m, gram);
  std::vector<double> grad(kernelSize, 0.0);
  for (size_t e = 0; e < kernelSize; ++e)
    for (const auto& [i, j] : b.omega[e]) grad[e] += 4 * r.at(i, j);
  return grad;
}

std::vector<double> eigenvalues(Matrix s) {
  const int64_t n = s.rows;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) (i == j ? total : off) += s.at(i, j) * s.at(i, j);
    if (off <= 1e-30 * (total + off) || off == 0) break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        if (s.at(p, q) == 0) continue;
        const double theta = (s.at(q, q) - s.at(p, p)) / (2 * s.at(p, q));
        const double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t l = 0; l < n; ++l) {
          const double a = s.at(l, p), b = s.at(l, q);
          s.at(l, p) = c * a - sn * b;
          s.at(l, q) = sn * a + c * b;
        }
        for (int64_t l = 0; l < n; ++l) {
          const double a = s.at(p, l), b = s.at(q, l);
          s.at(p, l) = c * a - sn * b;
          s.at(q, l) = sn * a + c * b;
        }
      }
  }
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = s.at(i, i);
  std::sort(out.begin(), out.end(), [](double a, double b) { return a > b; });
  return out;
}

std::vector<double> singularValues(const Matrix& m) {
  Matrix gram = m.rows <= m.cols ? multiply(m, transpose(m)) : multiply(transpose(m), m);
  std::vector<double> lambda = eigenvalues(gram);
  for (double& v : lambda) v = std::sqrt(std::max(0.0, v));
  return lambda;
}

std::vector<double> singularValuesOneSided(const Matrix& m) {
  // Hestenes' one-sided Jacobi on the columns of the taller orientation: rotate column pairs
  // until every pair is orthogonal to working precision; the column norms are then the values,
  // each with a small relative error (no Gram matrix is formed).
  Matrix a = m.rows >= m.cols ? m : transpose(m);
  for (int sweep = 0; sweep < 100; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < a.cols; ++p)
      for (int64_t q = p + 1; q < a.cols; ++q) {
        double app = 0, aqq = 0, apq = 0;
        for (int64_t i = 0; i < a.rows; ++i) {
          app += a.at(i, p) * a.at(i, p);
          aqq += a.at(i, q) * a.at(i, q);
          apq += a.at(i, p) * a.at(i, q);
        }
        if (std::fabs(apq) <= 1e-15 * std::sqrt(app * aqq) || apq == 0) continue;
        rotated = true;
        const double zeta = (aqq - app) / (2 * apq);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        const double c = 1 / std::sqrt(1 + t * t), s = c * t;
        for (int64_t i = 0; i < a.rows; ++i) {
          const double x = a.at(i, p), y = a.at(i, q);
          a.at(i, p) = c * x - s * y;
          a.at(i, q) = s * x + c * y;
        }
      }
    if (!rotated) break;
  }
  std::vector<double> sigma(static_cast<size_t>(a.cols));
  for (int64_t j = 0; j < a.cols; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < a.rows; ++i) sum += a.at(i, j) * a.at(i, j);
    sigma[static_cast<size_t>(j)] = std::sqrt(sum);
  }
  std::sort(sigma.begin(), sigma.end(), std::greater<double>());
  return sigma;
}

}  // namespace native_ref
