package org.caviar.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Shapes and values for property tests, built around the lane count of the species in use (where
 * vector loops meet their scalar tails): 1, L - 1, L, L + 1, 2L +- 1, primes, and anything else up
 * to a bound.
 */
public final class TestShapes {
  public static final int LANES = FloatVector.SPECIES_PREFERRED.length();
  /** float32 unit roundoff, 2^-24. */
  public static final double U = 0x1p-24;

  private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 31, 37};

  private TestShapes() {}

  /** Sizes in [min, max], half of them from the edge cases above. */
  public static Arbitrary<Integer> sizes(int min, int max) {
    List<Integer> edges = new ArrayList<>();
    for (int s : new int[] {1, 2, LANES - 1, LANES, LANES + 1, 2 * LANES - 1, 2 * LANES + 1}) {
      if (s >= min && s <= max && !edges.contains(s)) edges.add(s);
    }
    for (int p : PRIMES) if (p >= min && p <= max && !edges.contains(p)) edges.add(p);
    return Arbitraries.oneOf(Arbitraries.of(edges), Arbitraries.integers().between(min, max));
  }

  /** Uniform values in [-scale, scale). */
  public static float[] uniform(Random rnd, int len, float scale) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = (rnd.nextFloat() * 2 - 1) * scale;
    return a;
  }

  public static double[] toDouble(float[] a, int len) {
    double[] d = new double[len];
    for (int i = 0; i < len; i++) d[i] = a[i];
    return d;
  }

  /** {@code ||a - n|| / max(||a|| + ||n||, 1e-30)} over the first {@code len} entries. */
  public static double relativeError(float[] a, double[] n, int len) {
    double diff = 0;
    double na = 0;
    double nn = 0;
    for (int i = 0; i < len; i++) {
      double d = a[i] - n[i];
      diff += d * d;
      na += (double) a[i] * a[i];
      nn += n[i] * n[i];
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nn), 1e-30);
  }

  /** A function of a double vector, for finite differences. */
  @FunctionalInterface
  public interface Scalar {
    double at(double[] v);
  }

  /** Central differences {@code (f(v + h e_i) - f(v - h e_i)) / 2h} for every i, in double. */
  public static double[] numericGradient(Scalar f, double[] v, double h) {
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double old = v[i];
      v[i] = old + h;
      double plus = f.at(v);
      v[i] = old - h;
      double minus = f.at(v);
      v[i] = old;
      g[i] = (plus - minus) / (2 * h);
    }
    return g;
  }

  /** {@code sum_i y[i] * r[i]}: a loss whose gradient with respect to y is r. */
  public static double dot(double[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < y.length; i++) s += y[i] * r[i];
    return s;
  }
}
