package org.caviar.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Shapes and values for property tests, built around the lane count of the species in use, since
 * that is where vector loops and their scalar tails meet: 1, L - 1, L, L + 1, 2L +- 1, primes, and
 * anything else up to a bound.
 */
final class Shapes {
  static final int LANES = FloatVector.SPECIES_PREFERRED.length();

  private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 31, 37, 61, 67, 97, 127, 131, 257, 263};

  private Shapes() {}

  /** Sizes in [1, max], half of them from the edge cases above. */
  static Arbitrary<Integer> sizes(int max) {
    List<Integer> edges = new ArrayList<>();
    for (int s : new int[] {1, LANES - 1, LANES, LANES + 1, 2 * LANES - 1, 2 * LANES + 1, 3 * LANES, 4 * LANES + 3}) {
      if (s >= 1 && s <= max && !edges.contains(s)) edges.add(s);
    }
    for (int p : PRIMES) if (p <= max && !edges.contains(p)) edges.add(p);
    return Arbitraries.oneOf(Arbitraries.of(edges), Arbitraries.integers().between(1, max));
  }

  /** Uniform values in [-scale, scale). */
  static float[] uniform(Random rnd, int len, float scale) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = (rnd.nextFloat() * 2 - 1) * scale;
    return a;
  }
}
