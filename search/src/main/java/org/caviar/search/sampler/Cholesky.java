package org.caviar.search.sampler;

/**
 * The Cholesky factor L (A = L L^T) of a symmetric positive-definite n x n matrix, row-major, and
 * the triangular solves the Gaussian process needs. Rows are contiguous, so the factorization and
 * the forward solve are dot products of row prefixes, summed with four accumulators to hide the
 * latency of the dependent adds.
 */
final class Cholesky {
  /**
   * Entries of L below this are set to 0. Products of tiny entries chain into subnormal numbers,
   * which cost a hundred cycles each; an entry this small changes no sum it joins, since every
   * pivot is at least sqrt(1e-6) (the smallest noise) and double rounding is 1e-16 of it.
   */
  private static final double TINY = 1e-100;

  private final double[] l;
  private final int n;

  private Cholesky(double[] l, int n) {
    this.l = l;
    this.n = n;
  }

  /**
   * The factor of {@code a} (only its lower triangle is read), or null when {@code a} is not
   * numerically positive definite (a pivot that is not > 0).
   */
  static Cholesky factor(double[] a, int n) {
    if (n < 1 || a.length < (long) n * n) {
      throw new IllegalArgumentException("a must hold an n x n matrix with n >= 1, got n = " + n + " and " + a.length + " entries");
    }
    double[] l = new double[n * n];
    for (int j = 0; j < n; j++) {
      int rj = j * n;
      double s = a[rj + j] - dot(l, rj, l, rj, j);
      if (!(s > 0)) return null;
      double d = Math.sqrt(s);
      l[rj + j] = d;
      for (int i = j + 1; i < n; i++) {
        int ri = i * n;
        double v = (a[ri + j] - dot(l, ri, l, rj, j)) / d;
        l[ri + j] = Math.abs(v) < TINY ? 0 : v;
      }
    }
    return new Cholesky(l, n);
  }

  /** sum of a[ao + k] * b[bo + k] for k < len. */
  static double dot(double[] a, int ao, double[] b, int bo, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (int bound = len & ~3; k < bound; k += 4) {
      s0 += a[ao + k] * b[bo + k];
      s1 += a[ao + k + 1] * b[bo + k + 1];
      s2 += a[ao + k + 2] * b[bo + k + 2];
      s3 += a[ao + k + 3] * b[bo + k + 3];
    }
    for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
    return (s0 + s1) + (s2 + s3);
  }

  int size() {
    return n;
  }

  /** Overwrites b with L^-1 b. */
  void forwardSolveInPlace(double[] b) {
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      double v = (b[i] - dot(l, ri, b, 0, i)) / l[ri + i];
      b[i] = Math.abs(v) < TINY ? 0 : v; // as in factor: no subnormal chains
    }
  }

  /** Overwrites b with L^-T b. */
  void backSolveInPlace(double[] b) {
    for (int i = n - 1; i >= 0; i--) {
      double t = b[i];
      for (int k = i + 1; k < n; k++) t -= l[k * n + i] * b[k];
      b[i] = t / l[i * n + i];
    }
  }

  /**
   * Overwrites the first m columns of the n rows of b with L^-1 b, all columns at once: row i loses
   * L[i][k] times each row k above it, an axpy over contiguous columns that the JIT vectorizes (rows
   * are separate arrays so that it can: within one array it could not rule out overlap), so a batch
   * of right-hand sides costs far less than m separate solves.
   */
  void forwardSolveColumnsInPlace(double[][] b, int m) {
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      double[] bi = b[i];
      for (int k = 0; k < i; k++) {
        double f = l[ri + k];
        if (f == 0) continue; // common with short length scales: far points do not correlate
        double[] bk = b[k];
        for (int c = 0; c < m; c++) bi[c] -= f * bk[c];
      }
      double inv = 1 / l[ri + i];
      for (int c = 0; c < m; c++) {
        double v = bi[c] * inv;
        bi[c] = Math.abs(v) < TINY ? 0 : v; // as in factor: no subnormal chains
      }
    }
  }

  /** A^-1 b, in a new array. */
  double[] solve(double[] b) {
    double[] x = b.clone();
    forwardSolveInPlace(x);
    backSolveInPlace(x);
    return x;
  }

  /**
   * A^-1, row-major and full (both triangles): L^-1 by a blocked forward solve of the identity,
   * then A^-1 = L^-T L^-1 summed row by row of L^-1, so that every access is along a row.
   */
  double[] inverse() {
    double[][] li = new double[n][n];
    for (int i = 0; i < n; i++) li[i][i] = 1;
    forwardSolveColumnsInPlace(li, n);
    double[] out = new double[n * n];
    for (int k = 0; k < n; k++) {
      double[] row = li[k]; // L^-1 is lower triangular: row k is 0 past column k
      for (int i = 0; i <= k; i++) {
        double v = row[i];
        if (v == 0) continue;
        int ri = i * n;
        for (int j = 0; j <= i; j++) out[ri + j] += v * row[j];
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) out[j * n + i] = out[i * n + j];
    }
    return out;
  }

  /** log det A = 2 sum log L_ii. */
  double logDeterminant() {
    double s = 0;
    for (int i = 0; i < n; i++) s += Math.log(l[i * n + i]);
    return 2 * s;
  }
}
