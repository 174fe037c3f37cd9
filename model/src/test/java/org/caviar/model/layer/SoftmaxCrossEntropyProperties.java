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
    // The gradient (p - onehot) / rows against central differences (h = 1e-6, rounding ~1e-10).
    double[] numeric = TestShapes.numericGradient(v -> SoftmaxCrossEntropy.referenceLoss(v, labels, rows, classes), zd, 1e-6);
    // Probabilities carry ~classes u relative error each: in norm, the same.
    double err = TestShapes.relativeError(out.gradient(), numeric, rows * classes);
    assertTrue(err <= (classes + 8) * U, "relative error " + err);
  }
}
