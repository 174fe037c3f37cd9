package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Batch-norm backward (scalar and vector) against central finite differences of a double-precision
 * training forward, for the loss {@code L = sum dy .* y} with a random dy: dx, dGamma and dBeta
 * must match with relative error {@code |a - n| / max(|a| + |n|, tiny)} below {@link #THRESHOLD}.
 *
 * <p>Features do not interact, so the quotient for an entry of column j is taken of column j's
 * part of L (the other columns' parts cancel exactly).
 *
 * <p>{@code tiny} is the size of the terms each gradient is a difference of, since its float
 * error scales with them rather than with the (possibly cancelled) result: for dx the closed
 * form's {@code T = |gamma| invStd / n (n |dy| + sum |dy| + |xhat| sum |dy xhat|)}, for dGamma
 * {@code sum |dy xhat|}, for dBeta {@code sum |dy|}.
 */
class BatchNormGradientProperties {
  private static final BatchNorm[] BOTH = {BatchNorm.scalar(), BatchNorm.vector()};
  private static final double U = 0x1p-24;
  private static final float EPS = 1e-5f;
  private static final double H = 1e-4;
  /**
   * Kernel: the sums and the closed form are within {@code (n + 6) U} of their terms' size (see
   * {@link BatchNormProperties#backwardMatchesScalar}), <= 3.2e-6 for n <= 48. The float forward's
   * mean is off by at most {@code (n + 1) U M + U |mu|}, which shifts a column's xhat by
   * {@code invStd dMu <= (2 (n + 1) sqrt(n - 1) + 2) U <= 4e-5} (M <= 2 sqrt(n - 1) sigma for
   * standardized samples), moving each gradient by at most that relative to its terms. Finite
   * difference on columns of mean |mu| <= 1 and standard deviation exactly sigma in [0.5, 2] (see
   * {@link #standardized}): truncation {@code h^2 / 6 * |third derivative|}, under 1e-8 * T, and
   * rounding of the double forward, {@code 2.2e-16 * sum |dy y| / h} < 1e-9. In all under 4.4e-5.
   */
  private static final double THRESHOLD = 5e-5;

  @Provide
  Arbitrary<Integer> batch() {
    return Shapes.sizes(48).filter(n -> n >= 2);
  }

  @Provide
  Arbitrary<Integer> features() {
    return Shapes.sizes(70);
  }

  @Property(tries = 40)
  void backwardMatchesFiniteDifferences(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * f];
    for (int j = 0; j < f; j++) {
      double mu = 2 * rnd.nextDouble() - 1;
      double sigma = 0.5 + 1.5 * rnd.nextDouble();
      double[] z = standardized(rnd, n);
      for (int i = 0; i < n; i++) x[i * f + j] = (float) (mu + sigma * z[i]);
    }
    float[] gamma = BatchNormInputs.uniform(rnd, f, 0.5, 2);
    for (int j = 0; j < f; j++) if (rnd.nextBoolean()) gamma[j] = -gamma[j];
    float[] beta = BatchNormInputs.uniform(rnd, f, -1, 1);
    float[] dy = BatchNormInputs.gaussian(rnd, n * f);
    for (BatchNorm bn : BOTH) {
      float[] y = new float[n * f];
      float[] xhat = new float[n * f];
      float[] invStd = new float[f];
      bn.forwardTraining(n, f, x, gamma, beta, EPS, 0.9f, new float[f], new float[f], y, xhat, new float[f], invStd);
      float[] dx = new float[n * f];
      float[] dGamma = new float[f];
      float[] dBeta = new float[f];
      bn.backward(n, f, dy, xhat, gamma, invStd, dx, dGamma, dBeta);
      String name = bn == BOTH[0] ? "scalar" : "vector";
      for (int j = 0; j < f; j++) {
        double sumAbsDy = 0;
        double sumAbsDyXhat = 0;
        for (int i = 0; i < n; i++) {
          sumAbsDy += Math.abs(dy[i * f + j]);
          sumAbsDyXhat += Math.abs(dy[i * f + j] * xhat[i * f + j]);
        }
        double k = Math.abs(gamma[j]) * invStd[j] / n;
        for (int i = 0; i < n; i++) {
          int at = i * f + j;
          double numeric = (columnLoss(n, f, j, x, gamma[j], beta[j], dy, at, H, 0, 0)
              - columnLoss(n, f, j, x, gamma[j], beta[j], dy, at, -H, 0, 0)) / (2 * H);
          double terms = k * (n * Math.abs(dy[at]) + sumAbsDy + Math.abs(xhat[at]) * sumAbsDyXhat);
          check(name + " dx[" + i + "][" + j + "]", dx[at], numeric, terms);
        }
        double numericGamma = (columnLoss(n, f, j, x, gamma[j], beta[j], dy, -1, 0, H, 0)
            - columnLoss(n, f, j, x, gamma[j], beta[j], dy, -1, 0, -H, 0)) / (2 * H);
        check(name + " dGamma[" + j + "]", dGamma[j], numericGamma, sumAbsDyXhat);
        double numericBeta = (columnLoss(n, f, j, x, gamma[j], beta[j], dy, -1, 0, 0, H)
            - columnLoss(n, f, j, x, gamma[j], beta[j], dy, -1, 0, 0, -H)) / (2 * H);
        check(name + " dBeta[" + j + "]", dBeta[j], numericBeta, sumAbsDy);
      }
    }
  }

  /**
   * n samples of N(0, 1) moved and scaled to mean 0 and biased variance 1, so that every column's
   * variance is sigma^2 >> eps whatever n: with raw samples a small batch can draw two nearly equal
   * values, and then the loss bends on the scale of sqrt(eps), where neither float arithmetic nor
   * a finite difference with step H is accurate.
   */
  private static double[] standardized(Random rnd, int n) {
    double[] z = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) mean += z[i] = rnd.nextGaussian();
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; i++) var += (z[i] - mean) * (z[i] - mean);
    double scale = 1 / Math.sqrt(var / n);
    for (int i = 0; i < n; i++) z[i] = (z[i] - mean) * scale;
    return z;
  }

  private static void check(String what, double analytic, double numeric, double tiny) {
    double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), tiny);
    if (!(rel <= THRESHOLD)) {
      fail(what + " = " + analytic + ", finite difference " + numeric + ", relative error " + rel);
    }
  }

  /**
   * Column j's part of {@code L = sum dy .* y}, training forward in double, with x[moved] moved by
   * dx (no entry when moved is -1), gamma by dGamma and beta by dBeta.
   */
  private static double columnLoss(
      int n, int f, int j, float[] x, double gamma, double beta, float[] dy,
      int moved, double dx, double dGamma, double dBeta) {
    double mean = 0;
    for (int i = 0; i < n; i++) mean += value(x, i * f + j, moved, dx);
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; i++) {
      double d = value(x, i * f + j, moved, dx) - mean;
      var += d * d;
    }
    var /= n;
    double invStd = 1 / Math.sqrt(var + EPS);
    double loss = 0;
    for (int i = 0; i < n; i++) {
      double xhat = (value(x, i * f + j, moved, dx) - mean) * invStd;
      loss += dy[i * f + j] * ((gamma + dGamma) * xhat + beta + dBeta);
    }
    return loss;
  }

  private static double value(float[] x, int at, int moved, double dx) {
    return at == moved ? x[at] + dx : x[at];
  }
}
