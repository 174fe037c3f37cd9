package org.caviar.bench;

import java.util.SplittableRandom;

/** Seeded inputs, so every fork of a benchmark sees the same numbers. */
final class RandomArrays {
  private RandomArrays() {}

  /** {@code length} values uniform in {@code [-scale, scale)}. */
  static float[] uniform(long seed, int length, float scale) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[length];
    for (int i = 0; i < length; i++) values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    return values;
  }

  /** {@code length} integers uniform in {@code [0, bound)}. */
  static int[] labels(long seed, int length, int bound) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] values = new int[length];
    for (int i = 0; i < length; i++) values[i] = random.nextInt(bound);
    return values;
  }
}
