package org.caviar.model.layer;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.caviar.model.Kernels;
import org.caviar.model.TestShapes;

/**
 * Dense forward against a double-precision product, and backward against central differences of
 * that product. Element-wise bounds: a float sum of k products, in any order and with or without
 * FMA, is within {@code gamma_k * sum |terms|} of the exact sum, {@code gamma_k = k u / (1 - k u)}
 * with u = 2^-24; the tests allow {@code (k + 2) u * sum |terms|} (k + 1 roundings with the bias).
 */
class DenseProperties {
  private static final Kernels K = Kernels.vector();

  @Provide
  Arbitrary<Integer> rows() {
    return TestShapes.sizes(1, 19);
  }

  @Provide
  Arbitrary<Integer> widths() {
    return TestShapes.sizes(1, 37);
  }

  private static Dense dense(int in, int out, boolean bias, Random rnd) {
    Dense d = new Dense("d", in, out, bias, K.gemm(), K.arrayOps());
    System.arraycopy(TestShapes.uniform(rnd, in * out, 1f), 0, d.weight().values(), 0, in * out);
    if (bias) System.arraycopy(TestShapes.uniform(rnd, out, 1f), 0, d.bias().values(), 0, out);
    return d;
  }

  /** y = x w + b in double; returns it and writes sum |terms| per output into mag. */
  private static double[] forward(double[] x, double[] w, double[] b, int rows, int in, int out, double[] mag) {
    double[] y = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < out; j++) {
        double s = b == null ? 0 : b[j];
        double m = b == null ? 0 : Math.abs(b[j]);
        for (int p = 0; p < in; p++) {
          s += x[r * in + p] * w[p * out + j];
          m += Math.abs(x[r * in + p] * w[p * out + j]);
        }
        y[r * out + j] = s;
        if (mag != null) mag[r * out + j] = m;
      }
    }
    return y;
  }

  @Property(tries = 60)
  void forwardMatchesDoubleProduct(
      @ForAll("rows") int rows, @ForAll("widths") int in, @ForAll("widths") int out, @ForAll boolean bias,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Dense d = dense(in, out, bias, rnd);
    float[] x = TestShapes.uniform(rnd, rows * in, 1f);
    float[] y = d.forward(x, rows, Mode.TRAIN);
    double[] mag = new double[rows * out];
    double[] exact = forward(
        TestShapes.toDouble(x, x.length), TestShapes.toDouble(d.weight().values(), in * out),
        bias ? TestShapes.toDouble(d.bias().values(), out) : null, rows, in, out, mag);
    for (int i = 0; i < rows * out; i++) {
      assertTrue(Math.abs(y[i] - exact[i]) <= (in + 2) * U * mag[i], "y[" + i + "] = " + y[i] + " vs " + exact[i]);
    }
    // The layer's own double reference is the same function (only its summation order may differ).
    double[] ref = new double[rows * out];
    double[][] params = bias
        ? new double[][] {TestShapes.toDouble(d.weight().values(), in * out), TestShapes.toDouble(d.bias().values(), out)}
        : new double[][] {TestShapes.toDouble(d.weight().values(), in * out)};
    d.referenceForward(TestShapes.toDouble(x, x.length), rows, params, ref);
    for (int i = 0; i < rows * out; i++) assertEquals(exact[i], ref[i], 1e-12 * (1 + mag[i]));
  }

  @Property(tries = 60)
  void backwardMatchesFiniteDifferences(
      @ForAll("rows") int rows, @ForAll("widths") int in, @ForAll("widths") int out, @ForAll boolean bias,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Dense d = dense(in, out, bias, rnd);
    float[] x = TestShapes.uniform(rnd, rows * in, 1f);
    float[] r = TestShapes.uniform(rnd, rows * out, 1f); // dL/dy for L = sum y * r
    d.forward(x, rows, Mode.TRAIN);
    float[] dx = d.backward(r, rows);

    double[] xd = TestShapes.toDouble(x, x.length);
    double[] wd = TestShapes.toDouble(d.weight().values(), in * out);
    double[] bd = bias ? TestShapes.toDouble(d.bias().values(), out) : null;
    // L is linear in each of x, w, b, so the central difference is exact for any h; h = 0.5 keeps
    // double rounding (~1e-16 |L| / h) negligible.
    double h = 0.5;
    double[] nx = TestShapes.numericGradient(v -> TestShapes.dot(forward(v, wd, bd, rows, in, out, null), r), xd, h);
    double[] nw = TestShapes.numericGradient(v -> TestShapes.dot(forward(xd, v, bd, rows, in, out, null), r), wd, h);
    double slack = 1e-10; // the differences' double rounding, far below any float error
    for (int row = 0; row < rows; row++) {
      for (int p = 0; p < in; p++) {
        double mag = 0; // dx[row][p] = sum_j r[row][j] w[p][j]
        for (int j = 0; j < out; j++) mag += Math.abs(r[row * out + j] * wd[p * out + j]);
        int i = row * in + p;
        assertTrue(Math.abs(dx[i] - nx[i]) <= (out + 2) * U * mag + slack, "dx[" + i + "] " + dx[i] + " vs " + nx[i]);
      }
    }
    float[] dw = d.weight().gradient();
    for (int p = 0; p < in; p++) {
      for (int j = 0; j < out; j++) {
        double mag = 0; // dw[p][j] = sum_row x[row][p] r[row][j]
        for (int row = 0; row < rows; row++) mag += Math.abs(xd[row * in + p] * r[row * out + j]);
        int i = p * out + j;
        assertTrue(Math.abs(dw[i] - nw[i]) <= (rows + 2) * U * mag + slack, "dw[" + i + "] " + dw[i] + " vs " + nw[i]);
      }
    }
    if (bias) {
      double[] nb = TestShapes.numericGradient(v -> TestShapes.dot(forward(xd, wd, v, rows, in, out, null), r), bd.clone(), h);
      for (int j = 0; j < out; j++) {
        double mag = 0;
        for (int row = 0; row < rows; row++) mag += Math.abs(r[row * out + j]);
        float db = d.bias().gradient()[j];
        assertTrue(Math.abs(db - nb[j]) <= (rows + 2) * U * mag + slack, "db[" + j + "] " + db + " vs " + nb[j]);
      }
    }
  }

  @Property(tries = 20)
  void withoutInputGradientOnlyParametersAreComputed(
      @ForAll("rows") int rows, @ForAll("widths") int in, @ForAll("widths") int out, @ForAll long seed) {
    Random rnd = new Random(seed);
    Dense a = dense(in, out, true, new Random(seed));
    Dense b = dense(in, out, true, new Random(seed));
    b.setInputGradientNeeded(false);
    float[] x = TestShapes.uniform(rnd, rows * in, 1f);
    float[] r = TestShapes.uniform(rnd, rows * out, 1f);
    a.forward(x, rows, Mode.TRAIN);
    a.backward(r, rows);
    b.forward(x, rows, Mode.TRAIN);
    assertNull(b.backward(r, rows));
    assertTrue(java.util.Arrays.equals(a.weight().gradient(), b.weight().gradient()));
    assertTrue(java.util.Arrays.equals(a.bias().gradient(), b.bias().gradient()));
  }
}
