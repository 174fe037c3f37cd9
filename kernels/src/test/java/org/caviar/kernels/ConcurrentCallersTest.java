package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.caviar.kernels.Gemm.Op;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels keep scratch buffers per thread (GEMM's packed panels, softmax's row maxima
 * and transposed blocks, batch-norm inference's folded factors), and the sharded training step
 * calls them from several threads at once. Threads running them together on their own data must
 * each get the bits a lone call gives: a buffer shared between threads would mix their rows.
 */
class ConcurrentCallersTest {
  private static final int ROUNDS = 60;
  private static final int BATCH = 512;

  /** One thread's work: its own inputs, and the outputs of a lone call to compare with. */
  private static final class Work {
    final int rows, cols;
    final float[] logits, gamma, beta, mean, var, a, b, features;
    final int[] labels;
    final float[] softmax, logSoft, grad, normalized, product;
    final float loss;

    Work(long seed) {
      Random rnd = new Random(seed);
      // Few classes (the path across rows, with its transposed block) and many (along rows).
      rows = 24 + rnd.nextInt(16);
      cols = seed % 2 == 0 ? 10 : 37;
      logits = SoftmaxInputs.logits(rnd, rows, cols);
      labels = SoftmaxInputs.labels(rnd, logits, rows, cols);
      gamma = Shapes.uniform(rnd, cols, 2f);
      beta = Shapes.uniform(rnd, cols, 2f);
      mean = Shapes.uniform(rnd, cols, 5f);
      var = Shapes.uniform(rnd, cols, 1f);
      for (int j = 0; j < cols; j++) var[j] = Math.abs(var[j]) + 0.5f;
      // Batch norm over many rows, so that one thread's pass over its rows overlaps another's
      // computing its per-feature factors.
      features = Shapes.uniform(rnd, BATCH * cols, 5f);
      a = Shapes.uniform(rnd, rows * 40, 1f);
      b = Shapes.uniform(rnd, 40 * cols, 1f);
      softmax = new float[rows * cols];
      logSoft = new float[rows * cols];
      grad = new float[rows * cols];
      normalized = new float[BATCH * cols];
      product = new float[rows * cols];
      loss = run(softmax, logSoft, grad, normalized, product);
    }

    /** Every kernel once, into the given outputs; returns the loss. */
    float run(float[] sm, float[] lsm, float[] g, float[] bn, float[] c) {
      Softmax.vector().forward(rows, cols, logits, sm);
      Softmax.vector().logForward(rows, cols, logits, lsm);
      float l = Softmax.vector().crossEntropy(rows, cols, logits, labels, g);
      BatchNorm.vector().forwardInference(BATCH, cols, features, gamma, beta, mean, var, 1e-5f, bn);
      Gemm.vector().gemm(Op.N, Op.N, rows, cols, 40, 1f, a, b, 0f, c);
      return l;
    }
  }

  @Test
  void threadsCallingTheVectorKernelsTogetherEachGetTheLoneCallsBits() throws Exception {
    Work[] work = new Work[3];
    for (int t = 0; t < work.length; t++) work[t] = new Work(t);
    List<Together.Body> threads = new ArrayList<>();
    for (Work w : work) {
      float expectedLoss = w.loss;
      threads.add(() -> {
        int n = w.rows * w.cols;
        for (int round = 0; round < ROUNDS; round++) {
          float[] sm = new float[n], lsm = new float[n], g = new float[n], bn = new float[BATCH * w.cols], c = new float[n];
          float loss = w.run(sm, lsm, g, bn, c);
          String at = "thread of " + w.cols + " classes, round " + round;
          assertArrayEquals(w.softmax, sm, at + ": forward");
          assertArrayEquals(w.logSoft, lsm, at + ": logForward");
          assertEquals(expectedLoss, loss, at + ": loss");
          assertArrayEquals(w.grad, g, at + ": gradient");
          assertArrayEquals(w.normalized, bn, at + ": batch norm inference");
          assertArrayEquals(w.product, c, at + ": gemm");
        }
      });
    }
    Together.run(threads);
  }
}
