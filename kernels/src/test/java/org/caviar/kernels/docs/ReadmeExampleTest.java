package org.caviar.kernels.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Gemm.Op;
import org.caviar.kernels.Optimizers;
import org.caviar.kernels.Softmax;
import org.junit.jupiter.api.Test;

/**
 * The example of kernels/README.md, run as written; search's {@code ReadmeExamplesTest} fails if a
 * line of the README's example is missing here.
 */
class ReadmeExampleTest {


  /** Five well-separated classes in 20 dimensions: 200 SGD steps take the loss from ln 5 to 0.018 (bound: 0.05). */
  @Test
  void softmaxRegressionLearns() {
    int rows = 64;
    int features = 20;
    int classes = 5;
    Random random = new Random(1);
    float[] x = new float[rows * features];
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      labels[r] = r % classes;
      for (int f = 0; f < features; f++) x[r * features + f] = (float) (random.nextGaussian() + (f == labels[r] ? 3 : 0));
    }
    float first = Float.NaN;
    float last = Float.NaN;

    Gemm gemm = Gemm.vector();                  // Gemm.scalar() is the reference, Gemm.parallel(n) uses n threads
    Softmax softmax = Softmax.vector();
    Optimizers optimizers = Optimizers.vector();
    float[] w = new float[features * classes];
    float[] logits = new float[rows * classes];
    float[] dw = new float[features * classes];
    for (int step = 0; step < 200; step++) {
      gemm.gemm(Op.N, Op.N, rows, classes, features, 1f, x, w, 0f, logits);       // logits = X W
      float loss = softmax.crossEntropy(rows, classes, logits, labels, logits);  // mean loss; logits now hold dZ
      gemm.gemm(Op.T, Op.N, features, classes, rows, 1f, x, logits, 0f, dw);     // dW = X^T dZ
      optimizers.sgd(w.length, 0.5f, 0f, w, dw);                                 // w -= 0.5 dW
      if (step == 0) first = loss;
      last = loss;
    }

    // All weights start at 0: the first loss is exactly that of a uniform guess, ln 5, up to rounding.
    assertTrue(Math.abs(first - Math.log(classes)) < 1e-6, "first loss " + first);
    assertTrue(last < 0.05, "last loss " + last);
  }
}
