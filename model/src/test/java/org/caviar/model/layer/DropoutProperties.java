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
    // Drops are Bernoulli(rate): within 5 standard deviations (plus one unit of granularity);
    // a 5-sigma miss has probability below 1e-6 per try.
    double sigma = Math.sqrt(rate * (1 - rate) / len);
    assertTrue(Math.abs((double) dropped / len - rate) <= 5 * sigma + 1.0 / len, dropped + " of " + len + " at rate " + rate);

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
