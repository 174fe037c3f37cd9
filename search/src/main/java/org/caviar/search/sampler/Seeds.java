package org.caviar.search.sampler;

import java.util.SplittableRandom;

/** Derives each trial's random stream from the study seed and the trial number. */
public final class Seeds {
  private Seeds() {}

  /** A generator that depends only on (seed, number), and is unrelated for neighbouring numbers. */
  public static SplittableRandom forTrial(long seed, int number) {
    return new SplittableRandom(mix(seed ^ mix(0x9E3779B97F4A7C15L * (number + 1L))));
  }

  /** A generator for a purpose other than a trial's draws (e.g. a grid's order), keyed by salt. */
  public static SplittableRandom forPurpose(long seed, long salt) {
    return new SplittableRandom(mix(seed + mix(salt ^ 0xD1B54A32D192ED03L)));
  }

  /** Stafford's variant 13 of the 64-bit finalizer of MurmurHash3: a bijection that mixes all bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
