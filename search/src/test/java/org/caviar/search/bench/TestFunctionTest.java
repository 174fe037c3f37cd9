package org.caviar.search.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.caviar.search.sampler.GridSampler;
import org.caviar.search.sampler.RandomSampler;
import org.junit.jupiter.api.Test;

class TestFunctionTest {
  @Test
  void knownMinimaAtKnownPoints() {
    // Branin's three minimizers; values from the literature to 6 digits.
    for (double[] x : new double[][] {{-Math.PI, 12.275}, {Math.PI, 2.275}, {9.42478, 2.475}}) {
      assertEquals(0.397887, TestFunction.BRANIN.evaluate(x), 1e-6);
    }
    double[] h = {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573};
    assertEquals(-3.32237, TestFunction.HARTMANN6.evaluate(h), 1e-5);
    assertEquals(-1.0, TestFunction.ONE_PARAMETER.evaluate(new double[] {0.3137, 0.8}), 0);
    // And nothing below the minima anywhere we look.
    SplittableRandom r = new SplittableRandom(1);
    for (TestFunction f : TestFunction.values()) {
      for (int i = 0; i < 2000; i++) {
        double[] u = new double[f.space().size()];
        for (int d = 0; d < u.length; d++) u[d] = r.nextDouble();
        assertTrue(f.evaluate(f.space().pointFromUnit(u)) >= f.minimum() - 1e-9, f.name());
      }
    }
  }

  /** The lecture's picture: a 10 x 10 grid tries 10 values of x and never finds the narrow well. */
  @Test
  void randomBeatsGridOnTheOneParameterFunction() {
    int seeds = 7;
    double[] grid = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      grid[s] = SamplerComparison.bestSoFar(new GridSampler(10), TestFunction.ONE_PARAMETER, s, 100)[99];
      random[s] = SamplerComparison.bestSoFar(new RandomSampler(), TestFunction.ONE_PARAMETER, s, 100)[99];
    }
    // The grid's x values are k / 9: the nearest, 3 / 9, is 1.96 widths from the well, f = -0.1453.
    for (double g : grid) assertEquals(-0.1453, g, 1e-4);
    assertTrue(SamplerComparison.median(random) < -0.5, Arrays.toString(random));
  }
}
