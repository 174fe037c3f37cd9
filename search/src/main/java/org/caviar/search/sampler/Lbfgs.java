package org.caviar.search.sampler;

import java.util.Arrays;

/**
 * A small, deterministic limited-memory BFGS minimizer with box bounds enforced by clamping
 * (projection), for the few log-parameters of the Gaussian process's kernel.
 *
 * <p>Each iteration takes the projected gradient (components at a bound that push outward are 0,
 * those variables are held), the L-BFGS direction from the last {@link #MEMORY} steps (two-loop
 * recursion) on the free variables, and a backtracking line search from the unit step that halves
 * until the clamped point satisfies Armijo's condition f(x') <= f(x) + 1e-4 min(0, g.(x' - x)). A point
 * where f is not finite (say the kernel matrix does not factor) is rejected like an insufficient
 * decrease. A step with no positive curvature, s.y <= 0, is not stored; a direction that is not
 * a descent direction, or a line search that fails, restarts from steepest descent, and a failed
 * steepest-descent search ends the run. It stops when every projected gradient component is
 * below {@code gradientTolerance}, or after {@code maxEvaluations} evaluations of f.
 */
final class Lbfgs {
  /** Steps remembered: the kernel has at most a few dozen parameters, and fits are short. */
  static final int MEMORY = 6;
  private static final double ARMIJO = 1e-4;
  private static final int MAX_HALVINGS = 20;

  /** The function to minimize: its value at x, with its gradient written to {@code gradient}. */
  interface Objective {
    /** f(x), and grad f(x) in {@code gradient}; NaN or infinite where f is not defined. */
    double valueAndGradient(double[] x, double[] gradient);
  }

  /** The best point found, its value, and how many evaluations of f it took. */
  record Result(double[] x, double value, int evaluations) {}

  private Lbfgs() {}

  /**
   * Minimizes f from {@code start} (clamped into [lower, upper]); null when f is not finite at the
   * start. The result is the last accepted point, which never has a larger value than the start.
   */
  static Result minimize(Objective f, double[] start, double[] lower, double[] upper, double gradientTolerance,
      int maxEvaluations) {
    int m = start.length;
    double[] x = new double[m];
    for (int i = 0; i < m; i++) x[i] = clamp(start[i], lower[i], upper[i]);
    double[] g = new double[m];
    double fx = f.valueAndGradient(x, g);
    int evaluations = 1;
    if (!Double.isFinite(fx)) return null;
    double[][] s = new double[MEMORY][m];
    double[][] y = new double[MEMORY][m];
    double[] rho = new double[MEMORY];
    int stored = 0;
    int newest = -1;
    double[] pg = new double[m];
    double[] d = new double[m];
    double[] xNew = new double[m];
    double[] gNew = new double[m];
    double[] alpha = new double[MEMORY];
    double[] step = new double[m];
    double[] change = new double[m];
    while (evaluations < maxEvaluations) {
      double pgMax = 0;
      for (int i = 0; i < m; i++) {
        boolean held = (x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0);
        pg[i] = held ? 0 : g[i];
        pgMax = Math.max(pgMax, Math.abs(pg[i]));
      }
      if (pgMax < gradientTolerance) break;
      // Two-loop recursion: d = -H pg, H the inverse Hessian estimate of the stored steps.
      System.arraycopy(pg, 0, d, 0, m);
      for (int k = 0; k < stored; k++) {
        int j = Math.floorMod(newest - k, MEMORY);
        alpha[j] = rho[j] * dot(s[j], d);
        axpy(-alpha[j], y[j], d);
      }
      if (stored > 0) {
        double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
        for (int i = 0; i < m; i++) d[i] *= gamma;
      } else {
        // No curvature yet: a first step of at most 1 in each log-parameter.
        for (int i = 0; i < m; i++) d[i] /= Math.max(1, pgMax);
      }
      for (int k = stored - 1; k >= 0; k--) {
        int j = Math.floorMod(newest - k, MEMORY);
        double beta = rho[j] * dot(y[j], d);
        axpy(alpha[j] - beta, s[j], d);
      }
      for (int i = 0; i < m; i++) d[i] = pg[i] == 0 ? 0 : -d[i];
      if (!(dot(d, pg) < 0)) {
        for (int i = 0; i < m; i++) d[i] = -pg[i] / Math.max(1, pgMax);
        stored = 0;
      }
      boolean accepted = false;
      double fNew = Double.NaN;
      for (int h = 0; h <= MAX_HALVINGS && evaluations < maxEvaluations; h++) {
        double t = Math.scalb(1.0, -h);
        double decrease = 0;
        for (int i = 0; i < m; i++) {
          xNew[i] = clamp(x[i] + t * d[i], lower[i], upper[i]);
          decrease += g[i] * (xNew[i] - x[i]);
        }
        fNew = f.valueAndGradient(xNew, gNew);
        evaluations++;
        // Clamping can turn a descent direction's step into one whose first-order change is
        // positive; then only a lower value is accepted, so no run ends above its start.
        if (Double.isFinite(fNew) && fNew <= fx + ARMIJO * Math.min(0, decrease)) {
          accepted = true;
          break;
        }
      }
      if (!accepted) {
        if (stored == 0) break; // steepest descent found no decrease either
        stored = 0;
        continue;
      }
      double sy = 0;
      for (int i = 0; i < m; i++) {
        step[i] = xNew[i] - x[i];
        change[i] = gNew[i] - g[i];
        sy += step[i] * change[i];
      }
      if (sy > 1e-12 * Math.sqrt(dot(step, step) * dot(change, change))) { // else no positive curvature: not stored
        newest = (newest + 1) % MEMORY;
        System.arraycopy(step, 0, s[newest], 0, m);
        System.arraycopy(change, 0, y[newest], 0, m);
        rho[newest] = 1 / sy;
        stored = Math.min(stored + 1, MEMORY);
      }
      boolean moved = !Arrays.equals(x, xNew);
      System.arraycopy(xNew, 0, x, 0, m);
      System.arraycopy(gNew, 0, g, 0, m);
      fx = fNew;
      if (!moved) break;
    }
    return new Result(x, fx, evaluations);
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.min(hi, Math.max(lo, v));
  }

  private static double dot(double[] a, double[] b) {
    double t = 0;
    for (int i = 0; i < a.length; i++) t += a[i] * b[i];
    return t;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < y.length; i++) y[i] += a * x[i];
  }
}
