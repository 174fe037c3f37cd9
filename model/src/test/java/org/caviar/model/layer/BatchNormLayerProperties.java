package org.caviar.model.layer;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.caviar.model.Kernels;
import org.caviar.model.TestShapes;
import org.junit.jupiter.api.Test;

/** The batch norm layer against its formulas in double, and its backward against central differences. */
class BatchNormLayerProperties {
  private static final Kernels K = Kernels.vector();
  private static final double EPS = BatchNormLayer.EPS;

  @Provide
  Arbitrary<Integer> rows() {
    return TestShapes.sizes(2, 23);
  }

  @Provide
  Arbitrary<Integer> features() {
    return TestShapes.sizes(1, 37);
  }

  private static BatchNormLayer layer(int f, Random rnd) {
    BatchNormLayer bn = new BatchNormLayer("bn", f, K.batchNorm());
    for (int j = 0; j < f; j++) {
      bn.gamma().values()[j] = 0.5f + rnd.nextFloat();
      bn.beta().values()[j] = rnd.nextFloat() - 0.5f;
    }
    return bn;
  }

  /** Training-mode forward in double: batch mean and biased variance. */
  static double[] forward(double[] x, double[] gamma, double[] beta, int n, int f) {
    double[] y = new double[n * f];
    for (int j = 0; j < f; j++) {
      double mu = 0;
      for (int i = 0; i < n; i++) mu += x[i * f + j];
      mu /= n;
      double var = 0;
      for (int i = 0; i < n; i++) var += (x[i * f + j] - mu) * (x[i * f + j] - mu);
      var /= n;
      for (int i = 0; i < n; i++) y[i * f + j] = gamma[j] * (x[i * f + j] - mu) / Math.sqrt(var + EPS) + beta[j];
    }
    return y;
  }

  @Property(tries = 60)
  void trainingForwardMatchesFormula(@ForAll("rows") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    BatchNormLayer bn = layer(f, rnd);
    float[] x = TestShapes.uniform(rnd, n * f, 2f);
    double[] g = TestShapes.toDouble(bn.gamma().values(), f);
    double[] b = TestShapes.toDouble(bn.beta().values(), f);
    double[] exact = forward(TestShapes.toDouble(x, x.length), g, b, n, f);
    float[] y = bn.forward(x, n, Mode.TRAIN);
    // Mean, variance and 1/sqrt each carry ~n u relative error (sums of n terms). The deviation
    // x - mean is rounded at the scale of max |x|, and invStd multiplies that error: when a
    // column's values are close together (small variance) this dominates. So xhat is within
    // ~3 n u (|xhat| + max|x| invStd + 1); the affine step adds 2 u.
    for (int i = 0; i < n * f; i++) {
      int j = i % f;
      double maxAbs = 0;
      double mu = 0;
      for (int r = 0; r < n; r++) {
        maxAbs = Math.max(maxAbs, Math.abs(x[r * f + j]));
        mu += x[r * f + j];
      }
      mu /= n;
      double var = 0;
      for (int r = 0; r < n; r++) var += (x[r * f + j] - mu) * (x[r * f + j] - mu);
      double inv = 1 / Math.sqrt(var / n + EPS);
      double xhat = (exact[i] - b[j]) / g[j];
      double tol = 4 * n * U * (Math.abs(g[j]) * (Math.abs(xhat) + maxAbs * inv + 1) + Math.abs(b[j]));
      assertTrue(Math.abs(y[i] - exact[i]) <= tol, "y[" + i + "] = " + y[i] + " vs " + exact[i] + " tol " + tol);
    }
  }

  @Property(tries = 40)
  void runningStatisticsFollowTheDocumentedAverage(@ForAll("rows") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    BatchNormLayer bn = layer(f, rnd);
    double[] mean = new double[f];
    double[] var = new double[f];
    java.util.Arrays.fill(var, 1);
    double m = BatchNormLayer.MOMENTUM;
    for (int step = 0; step < 3; step++) {
      float[] x = TestShapes.uniform(rnd, n * f, 2f);
      for (int i = 0; i < n * f; i++) x[i] += 3; // a mean away from 0, so the average is visible
      bn.forward(x, n, Mode.TRAIN);
      for (int j = 0; j < f; j++) {
        double mu = 0;
        for (int i = 0; i < n; i++) mu += x[i * f + j];
        mu /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (x[i * f + j] - mu) * (x[i * f + j] - mu);
        mean[j] = m * mean[j] + (1 - m) * mu;
        var[j] = m * var[j] + (1 - m) * v / (n - 1); // unbiased batch variance
      }
    }
    // Inputs lie in [1, 5]. A batch mean is within n u * 5 of exact; a batch variance within
    // n u * E[x^2] <= 25 n u (true even of a one-pass E[x^2] - mean^2), and enters each update
    // weighted 0.1; each of the 3 updates adds a few roundings of the running value.
    for (int j = 0; j < f; j++) {
      double meanTol = (n + 12) * U * 5;
      double varTol = (25 * n + 12 * var[j]) * U;
      assertTrue(Math.abs(bn.runningMean()[j] - mean[j]) <= meanTol, "mean " + j + ": " + bn.runningMean()[j] + " vs " + mean[j]);
      assertTrue(Math.abs(bn.runningVar()[j] - var[j]) <= varTol, "var " + j + ": " + bn.runningVar()[j] + " vs " + var[j]);
    }
  }

  @Property(tries = 40)
  void inferenceUsesRunningStatistics(@ForAll("rows") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    BatchNormLayer bn = layer(f, rnd);
    for (int j = 0; j < f; j++) {
      bn.runningMean()[j] = rnd.nextFloat() * 2 - 1;
      bn.runningVar()[j] = 0.1f + 2 * rnd.nextFloat();
    }
    float[] x = TestShapes.uniform(rnd, n * f, 3f);
    float[] y = bn.forward(x, n, Mode.INFERENCE);
    for (int i = 0; i < n * f; i++) {
      int j = i % f;
      double g = bn.gamma().values()[j];
      double b = bn.beta().values()[j];
      double scaled = g * (x[i] - (double) bn.runningMean()[j]) / Math.sqrt(bn.runningVar()[j] + EPS);
      double exact = scaled + b;
      // A subtraction, a square root, a division (or reciprocal and multiply), a product and a sum:
      // under 8 roundings of the magnitudes involved.
      double tol = 8 * U * (Math.abs(scaled) + Math.abs(b));
      assertTrue(Math.abs(y[i] - exact) <= tol, "y[" + i + "] = " + y[i] + " vs " + exact);
    }
    // One example alone is classified with the same numbers.
    float[] one = java.util.Arrays.copyOf(x, f);
    float[] y1 = bn.forward(one, 1, Mode.INFERENCE);
    for (int j = 0; j < f; j++) assertTrue(Math.abs(y1[j] - y[j]) <= 8 * U * (Math.abs(y[j]) + 1));
  }

  @Property(tries = 20)
  void probeLeavesRunningStatisticsAlone(@ForAll("rows") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    BatchNormLayer bn = layer(f, rnd);
    float[] before = bn.runningMean().clone();
    float[] beforeVar = bn.runningVar().clone();
    float[] x = TestShapes.uniform(rnd, n * f, 2f);
    float[] probe = bn.forward(x, n, Mode.PROBE).clone();
    assertArrayEquals(before, bn.runningMean());
    assertArrayEquals(beforeVar, bn.runningVar());
    // ... and computes exactly what training computes.
    assertArrayEquals(probe, bn.forward(x, n, Mode.TRAIN));
  }

  @Property(tries = 60)
  void backwardMatchesFiniteDifferences(@ForAll("rows") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    BatchNormLayer bn = layer(f, rnd);
    float[] x = TestShapes.uniform(rnd, n * f, 2f);
    float[] r = TestShapes.uniform(rnd, n * f, 1f);
    bn.forward(x, n, Mode.TRAIN);
    float[] dx = bn.backward(r, n);
    double[] xd = TestShapes.toDouble(x, x.length);
    double[] g = TestShapes.toDouble(bn.gamma().values(), f);
    double[] b = TestShapes.toDouble(bn.beta().values(), f);
    // h = 1e-6 in double: truncation h^2 |f'''| / 6 ~ 1e-12 x (1/sigma^3 ~ 5), rounding
    // 1e-16 |L| / h ~ 1e-9; both far below the float32 errors measured.
    double h = 1e-6;
    double[] nx = TestShapes.numericGradient(v -> TestShapes.dot(forward(v, g, b, n, f), r), xd, h);
    double[] ng = TestShapes.numericGradient(v -> TestShapes.dot(forward(xd, v, b, n, f), r), g.clone(), h);
    double[] nb = TestShapes.numericGradient(v -> TestShapes.dot(forward(xd, g, v, n, f), r), b.clone(), h);
    // Bounds from the terms, not the result: dx = invStd / n * (n dxhat - sum dxhat - xhat sum dxhat xhat)
    // can cancel to ~0 (at n = 2 the output does not depend on x at all), so a relative error
    // would measure noise. Each sum of n products is within ~n u of the sum of its terms'
    // magnitudes; xhat and invStd carry ~n u relative error of their own, and xhat's is amplified
    // by amp = 1 + max|x| invStd when a column's values are close (see the forward test).
    // Allowed: 4 n u amp times the terms' magnitudes.
    float[] xhat = new float[n * f];
    double[] inv = new double[f];
    double[] amp = new double[f];
    for (int j = 0; j < f; j++) {
      double maxAbs = 0;
      for (int i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(xd[i * f + j]));
      double mu = 0;
      for (int i = 0; i < n; i++) mu += xd[i * f + j];
      mu /= n;
      double var = 0;
      for (int i = 0; i < n; i++) var += (xd[i * f + j] - mu) * (xd[i * f + j] - mu);
      inv[j] = 1 / Math.sqrt(var / n + EPS);
      amp[j] = 1 + maxAbs * inv[j];
      for (int i = 0; i < n; i++) xhat[i * f + j] = (float) ((xd[i * f + j] - mu) * inv[j]);
    }
    for (int j = 0; j < f; j++) {
      double sumDxhat = 0;
      double sumDxhatXhat = 0;
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        sumDxhat += Math.abs(r[at] * g[j]);
        sumDxhatXhat += Math.abs(r[at] * g[j] * xhat[at]);
        sumDy += Math.abs(r[at]);
        sumDyXhat += Math.abs(r[at]) * (Math.abs(xhat[at]) + 1);
      }
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        double scale = inv[j] * (Math.abs(r[at] * g[j]) + (sumDxhat + Math.abs(xhat[at]) * sumDxhatXhat) / n);
        assertTrue(Math.abs(dx[at] - nx[at]) <= 4 * n * U * amp[j] * scale + 1e-9,
            "dx[" + at + "] = " + dx[at] + " vs " + nx[at] + ", scale " + scale);
      }
      assertTrue(Math.abs(bn.gamma().gradient()[j] - ng[j]) <= 4 * n * U * amp[j] * sumDyXhat + 1e-9, "dgamma[" + j + "]");
      assertTrue(Math.abs(bn.beta().gradient()[j] - nb[j]) <= (n + 2) * U * sumDy + 1e-9, "dbeta[" + j + "]");
    }
  }

  @Test
  void trainingOrProbingOnOneRowIsAClearError() {
    BatchNormLayer bn = new BatchNormLayer("bn", 3, K.batchNorm());
    var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(new float[3], 1, Mode.TRAIN));
    assertEquals("bn: training uses the batch's statistics and needs at least 2 rows (a single row has no variance), got 1", e.getMessage());
    // A probe (LayerStatistics) also uses the batch's statistics; it is not training and says so.
    e = assertThrows(IllegalArgumentException.class, () -> bn.forward(new float[3], 1, Mode.PROBE));
    assertEquals("bn: a probe uses the batch's statistics and needs at least 2 rows (a single row has no variance), got 1", e.getMessage());
  }
}
