package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The bounded quasi-Newton minimizer of the GP's kernel fit. */
class LbfgsTest {
  private static double[] filled(int m, double v) {
    double[] a = new double[m];
    Arrays.fill(a, v);
    return a;
  }

  /**
   * Rosenbrock's valley, (1 - x)^2 + 100 (y - x^2)^2, from the classic start (-1.2, 1): minimum 0
   * at (1, 1), reached only by following the curved valley, which needs the curvature pairs and
   * the line search. Near the minimum the Hessian's eigenvalues are about 0.4 and 1000, so a
   * gradient below 1e-8 puts x within 1e-8 / 0.4 = 2.5e-8 of (1, 1); 1e-6 leaves room.
   */
  @Test
  void rosenbrockReachesItsMinimum() {
    Lbfgs.Objective f = (x, g) -> {
      double a = 1 - x[0];
      double b = x[1] - x[0] * x[0];
      g[0] = -2 * a - 400 * x[0] * b;
      g[1] = 200 * b;
      return a * a + 100 * b * b;
    };
    Lbfgs.Result r = Lbfgs.minimize(f, new double[] {-1.2, 1}, filled(2, -5), filled(2, 5), 1e-8, 500);
    assertNotNull(r);
    assertEquals(1, r.x()[0], 1e-6, "x after " + r.evaluations() + " evaluations");
    assertEquals(1, r.x()[1], 1e-6, "y after " + r.evaluations() + " evaluations");
    assertTrue(r.value() < 1e-12, "value " + r.value());
    assertTrue(r.evaluations() < 200, r.evaluations() + " evaluations");
  }

  /**
   * A separable, badly scaled quadratic sum a_i (x_i - c_i)^2 in a box: its minimum is c clamped
   * into the box, coordinate by coordinate. The coordinates whose c lies outside end exactly on
   * their bound (the projected gradient holds them there); the others within tol / (2 a_i) of c_i,
   * a_i >= 1 and tol 1e-9, so 1e-8 leaves room.
   */
  @Property(tries = 50)
  void boundedQuadraticEndsAtTheClampedMinimum(@ForAll @IntRange(min = 1, max = 8) int m, @ForAll long seed) {
    Random rnd = new Random(seed);
    double[] a = new double[m];
    double[] c = new double[m];
    for (int i = 0; i < m; i++) {
      a[i] = Math.pow(10, 3 * rnd.nextDouble()); // 1 to 1000
      c[i] = 4 * rnd.nextDouble() - 2; // half of them outside [-1, 1]
    }
    Lbfgs.Objective f = quadratic(a, c);
    double[] start = new double[m];
    for (int i = 0; i < m; i++) start[i] = 2 * rnd.nextDouble() - 1;
    Lbfgs.Result r = Lbfgs.minimize(f, start, filled(m, -1), filled(m, 1), 1e-9, 1000);
    for (int i = 0; i < m; i++) {
      double want = Math.min(1, Math.max(-1, c[i]));
      assertEquals(want, r.x()[i], Math.abs(c[i]) > 1 ? 0 : 1e-8, "coordinate " + i + " of " + Arrays.toString(c));
    }
  }

  /**
   * A minimum on a bound is a stop: where a gradient component only pushes out of the box, the
   * projected gradient holds that variable and leaves it out of the quasi-Newton direction, so the
   * runs on 20 fixed 8-dimensional quadratics of the kind above end by the gradient tolerance.
   * Measured: 788 evaluations in all; 1592 with those components left in (the runs then end only
   * when a step no longer moves the clamped point).
   */
  @Test
  void minimaOnBoundsEndTheRunsEarly() {
    int total = 0;
    for (long seed = 0; seed < 20; seed++) {
      Random rnd = new Random(seed);
      int m = 8;
      double[] a = new double[m];
      double[] c = new double[m];
      double[] start = new double[m];
      for (int i = 0; i < m; i++) {
        a[i] = Math.pow(10, 3 * rnd.nextDouble());
        c[i] = 4 * rnd.nextDouble() - 2;
        start[i] = 2 * rnd.nextDouble() - 1;
      }
      total += Lbfgs.minimize(quadratic(a, c), start, filled(m, -1), filled(m, 1), 1e-9, 1000).evaluations();
    }
    assertTrue(total <= 1000, total + " evaluations");
  }

  /** sum a_i (x_i - c_i)^2 and its gradient. */
  private static Lbfgs.Objective quadratic(double[] a, double[] c) {
    return (x, g) -> {
      double v = 0;
      for (int i = 0; i < a.length; i++) {
        v += a[i] * (x[i] - c[i]) * (x[i] - c[i]);
        g[i] = 2 * a[i] * (x[i] - c[i]);
      }
      return v;
    };
  }

  /** A start outside the box is clamped into it; a start where f is not defined gives null. */
  @Test
  void startsAreClampedAndAnUndefinedStartIsNull() {
    Lbfgs.Objective f = (x, g) -> {
      g[0] = 2 * x[0];
      return x[0] > 3 ? Double.NaN : x[0] * x[0];
    };
    assertNull(Lbfgs.minimize(f, new double[] {3.5}, filled(1, -10), filled(1, 10), 1e-9, 50));
    Lbfgs.Result r = Lbfgs.minimize(f, new double[] {-20}, filled(1, -2), filled(1, 10), 1e-9, 50);
    assertEquals(0, r.x()[0], 1e-9);
  }

  /**
   * Where f is not defined (NaN) the line search backs off: minimizing (x - 5)^2, defined only for
   * x <= 2, from 0 ends below 2 and above 1.9 (each accepted step halves at most the remaining
   * distance to 2 lost, and the evaluations allowed are plenty), never at an undefined point.
   */
  @Test
  void undefinedPointsAreNotAccepted() {
    Lbfgs.Objective f = (x, g) -> {
      g[0] = 2 * (x[0] - 5);
      return x[0] > 2 ? Double.NaN : (x[0] - 5) * (x[0] - 5);
    };
    Lbfgs.Result r = Lbfgs.minimize(f, new double[] {0}, filled(1, -10), filled(1, 10), 1e-9, 200);
    assertTrue(r.x()[0] <= 2 && r.x()[0] > 1.9, "ended at " + r.x()[0]);
    assertTrue(Double.isFinite(r.value()));
  }

  /**
   * A unit first step that overshoots is not taken: 100 (x - 0.5)^2 from 0.3 has gradient -40, so
   * the first trial point is 1.3, where f is 64 against 4 at the start. Allowed only that one
   * evaluation more, the run must stay at the start rather than accept the worse point.
   */
  @Test
  void aStepThatIncreasesTheValueIsNotTaken() {
    Lbfgs.Objective f = (x, g) -> {
      g[0] = 200 * (x[0] - 0.5);
      return 100 * (x[0] - 0.5) * (x[0] - 0.5);
    };
    Lbfgs.Result r = Lbfgs.minimize(f, new double[] {0.3}, filled(1, -10), filled(1, 10), 1e-9, 2);
    assertEquals(2, r.evaluations());
    assertEquals(0.3, r.x()[0], 0);
    assertEquals(4, r.value(), 1e-12);
  }

  /** The evaluation cap holds, and the result is never worse than the start. */
  @Test
  void theEvaluationCapHolds() {
    int[] calls = {0};
    Lbfgs.Objective f = (x, g) -> {
      calls[0]++;
      double a = 1 - x[0];
      double b = x[1] - x[0] * x[0];
      g[0] = -2 * a - 400 * x[0] * b;
      g[1] = 200 * b;
      return a * a + 100 * b * b;
    };
    Lbfgs.Result r = Lbfgs.minimize(f, new double[] {-1.2, 1}, filled(2, -5), filled(2, 5), 0, 7);
    assertEquals(7, calls[0]);
    assertEquals(7, r.evaluations());
    assertTrue(r.value() <= 2.2 * 2.2 + 100 * 0.44 * 0.44, "value " + r.value()); // f(-1.2, 1) = 24.2
  }
}
