package org.caviar.model.layer;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.caviar.model.Kernels;
import org.caviar.model.TestShapes;

class SoftmaxCrossEntropyProperties {
  @Property(tries = 60)
  void lossAndGradientMatchTheDoubleReference(
      @ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 2, max = 37) int classes, @ForAll long seed) {
    Random rnd = new Random(seed);
    SoftmaxCrossEntropy out = new SoftmaxCrossEntropy(classes, Kernels.vector().softmax());
    float[] z = TestShapes.uniform(rnd, rows * classes, 8f);
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) labels[r] = rnd.nextInt(classes);
    float loss = out.lossAndGradient(z, labels, rows);
    double[] zd = TestShapes.toDouble(z, z.length);
    double exact = SoftmaxCrossEntropy.referenceLoss(zd, labels, rows, classes);
    // Each row's loss is log(sum exp) + max - z_label: the sum of `classes` exps carries ~classes u
    // relative error, i.e. ~classes u absolute after the log; values up to ~16 add ~4 u * 16.
    assertTrue(Math.abs(loss - exact) <= (classes + 64) * U * Math.max(1, exact), loss + " vs " + exact);
    // The gradient (p - onehot) / rows against the same formula in double. (Central differences
    // are no reference here: their ~1e-16 |loss| / h ~ 1e-10 absolute error is all of a gradient
    // of 1e-7, which a row whose label wins by 15 has.) The kernel's p and its p - 1 (formed as
    // -(sum of the other classes' exps) / sum) carry ~classes u relative error each, exp's ulp and
    // the division a few more: in norm, the same.
    double[] exactGrad = exactGradient(zd, labels, rows, classes);
    double err = TestShapes.relativeError(out.gradient(), exactGrad, rows * classes);
    assertTrue(err <= (classes + 8) * U, "relative error " + err);
    // And the formula itself against central differences of the double loss, where those are
    // accurate: each element within 1e-10 / rows of absolute error (see above), h^2 terms ~1e-12.
    double[] numeric = TestShapes.numericGradient(v -> SoftmaxCrossEntropy.referenceLoss(v, labels, rows, classes), zd, 1e-6);
    for (int i = 0; i < exactGrad.length; i++) {
      assertTrue(Math.abs(exactGrad[i] - numeric[i]) <= 1e-8, "element " + i + ": " + exactGrad[i] + " vs " + numeric[i]);
    }
  }

  /** (softmax(z) - onehot) / rows in double, from the row maximum. */
  private static double[] exactGradient(double[] z, int[] labels, int rows, int classes) {
    double[] g = new double[rows * classes];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) max = Math.max(max, z[base + j]);
      double sum = 0;
      double others = 0;
      for (int j = 0; j < classes; j++) {
        double e = Math.exp(z[base + j] - max);
        g[base + j] = e;
        sum += e;
        if (j != labels[r]) others += e;
      }
      for (int j = 0; j < classes; j++) {
        double p = j == labels[r] ? -others / sum : g[base + j] / sum;
        g[base + j] = p / rows;
      }
    }
    return g;
  }
}
