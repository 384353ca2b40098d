// Independent references for the native tests, written from MATH.md and sharing no code
// with src/: M built entry by entry from the convolution's definition (zero or circular
// padding), naive products, cyclic Jacobi eigenvalues and a seeded generator.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace native_ref {

// Dense row-major matrix.
struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> a;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), a(static_cast<size_t>(r * c), 0.0) {}
  double& at(int64_t i, int64_t j) { return a[static_cast<size_t>(i * cols + j)]; }
  double at(int64_t i, int64_t j) const { return a[static_cast<size_t>(i * cols + j)]; }
};

// Seeded normal draws (xorshift + Box-Muller).
std::vector<double> randomKernel(int64_t k, int64_t g, int64_t h, uint64_t seed);

// M with Y[r,s,c] = sum X[r-m+p, s-m+q, d] K[p,q,d,c] (1-indexed p, q; m = ceil(k/2)); outside
// the image X is 0 (zero padding) or wraps mod n (circular). `omega[e]` lists (i, j) for entry e.
struct BruteM {
  Matrix m;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> omega;
};
BruteM bruteForceM(const std::vector<double>& kernel, int64_t k, int64_t g, int64_t h, int64_t n, bool circular);

Matrix multiply(const Matrix& x, const Matrix& y);
Matrix transpose(const Matrix& x);
// ||M^T M - alpha I||_F^2 by the definition.
double penalty(const Matrix& m, double alpha);
// dF/dK = 4 * sum over Omega of [M (M^T M - alpha I)]_ij (Theorem 3.1).
std::vector<double> gradient(const BruteM& b, size_t kernelSize, double alpha);
// Eigenvalues of a symmetric matrix, descending (cyclic Jacobi).
std::vector<double> eigenvalues(Matrix s);
// Singular values of M, descending, from the eigenvalues of the smaller Gram matrix.
std::vector<double> singularValues(const Matrix& m);
// Singular values of M, descending, by one-sided Jacobi on M itself: small values keep their
// relative accuracy (the reference for routes that lose it).
std::vector<double> singularValuesOneSided(const Matrix& m);

}  // namespace native_ref
