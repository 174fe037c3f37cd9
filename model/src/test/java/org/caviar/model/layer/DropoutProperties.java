package org.caviar.model.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import org.caviar.model.TestShapes;

class DropoutProperties {
  @Provide
  Arbitrary<Integer> sizes() {
    return TestShapes.sizes(1, 67);
  }

  /** P(pmf(X) <= pmf(observed)) for X ~ Binomial(n, p): the two-sided exact test's p-value. */
  static double binomialTail(int n, double p, int observed) {
    double[] logPmf = new double[n + 1];
    logPmf[0] = n * Math.log1p(-p);
    for (int k = 0; k < n; k++) logPmf[k + 1] = logPmf[k] + Math.log((double) (n - k) / (k + 1)) + Math.log(p / (1 - p));
    double tail = 0;
    // A relative margin, so that the observed count's own probability counts despite rounding.
    for (double lp : logPmf) if (lp <= logPmf[observed] + 1e-9) tail += Math.exp(lp);
    return tail;
  }

  @Property(tries = 60)
  void trainingKeepsOrScalesEachUnit(
      @ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll @FloatRange(min = 0.05f, max = 0.9f) float rate,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Dropout d = new Dropout("d", width, rate, seed);
    int len = rows * width;
    float[] x = TestShapes.uniform(rnd, len, 1f);
    float[] y = d.forward(x, rows, Mode.TRAIN);
    float scale = 1f / (1f - rate);
    int dropped = 0;
    for (int i = 0; i < len; i++) {
      if (y[i] == 0f && x[i] != 0f) dropped++;
      else assertEquals(x[i] * scale, y[i], "kept units are scaled by 1 / (1 - rate) exactly");
    }
    // Drops are Bernoulli(rate): a count at least as improbable as this one has probability 1e-9
    // at most (exact binomial; a normal 5-sigma bound failed up to 1e-4 of the tries at len 6).
    double tail = binomialTail(len, rate, dropped);
    assertTrue(tail >= 1e-9, dropped + " of " + len + " at rate " + rate + ": p = " + tail);

    // Backward applies the same mask: the forward is linear in x for a fixed mask, so its exact
    // derivative is the mask itself, and dx = dy * mask to the last bit.
    float[] r = TestShapes.uniform(rnd, len, 1f);
    float[] dx = d.backward(r, rows);
    float[] mask = d.mask();
    for (int i = 0; i < len; i++) assertEquals(r[i] * mask[i], dx[i]);
    for (int i = 0; i < len; i++) assertEquals(x[i] * mask[i], y[i]);
  }

  @Property(tries = 20)
  void inferenceAndProbePassThrough(@ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll long seed) {
    Dropout d = new Dropout("d", width, 0.5f, seed);
    float[] x = TestShapes.uniform(new Random(seed), rows * width, 1f);
    assertSame(x, d.forward(x, rows, Mode.INFERENCE));
    assertSame(x, d.forward(x, rows, Mode.PROBE));
    float[] r = new float[rows * width];
    assertSame(r, d.backward(r, rows));
  }

  @Property(tries = 20)
  void theSeedFixesTheMasks(@ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll long seed) {
    Dropout a = new Dropout("a", width, 0.3f, seed);
    Dropout b = new Dropout("b", width, 0.3f, seed);
    float[] x = new float[rows * width];
    java.util.Arrays.fill(x, 1f);
    for (int step = 0; step < 3; step++) {
      assertArrayEquals(a.forward(x, rows, Mode.TRAIN), b.forward(x, rows, Mode.TRAIN));
    }
  }

  @Property(tries = 20)
  void theScalarAndVectorKernelsDrawTheSameMasks(@ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll long seed) {
    Dropout s = new Dropout("s", width, 0.4f, seed, org.caviar.kernels.Dropout.scalar());
    Dropout v = new Dropout("v", width, 0.4f, seed, org.caviar.kernels.Dropout.vector());
    float[] x = TestShapes.uniform(new Random(seed), rows * width, 1f);
    for (int step = 0; step < 3; step++) {
      assertArrayEquals(s.forward(x, rows, Mode.TRAIN), v.forward(x, rows, Mode.TRAIN), "step " + step);
      assertArrayEquals(s.mask(), v.mask());
    }
  }

  @Property(tries = 10)
  void eachPassDrawsANewMask(@ForAll @net.jqwik.api.constraints.IntRange(min = 8, max = 40) int rows, @ForAll long seed) {
    // 8 x 16 units or more: two equal masks have probability at most 2^-128 at rate 0.5.
    Dropout d = new Dropout("d", 16, 0.5f, seed);
    float[] x = new float[rows * 16];
    java.util.Arrays.fill(x, 1f);
    float[] first = d.forward(x, rows, Mode.TRAIN).clone();
    float[] second = d.forward(x, rows, Mode.TRAIN);
    assertTrue(!java.util.Arrays.equals(first, second), "two passes drew the same mask");
  }
}
