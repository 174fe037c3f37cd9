package org.caviar.search.bench;

import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;

/** A standard function to minimize, with its space and known minimum, for comparing samplers. */
public enum TestFunction {
  /** Branin-Hoo on [-5, 10] x [0, 15]; three global minima of 0.397887. */
  BRANIN(SearchSpace.of(Parameter.uniform("x1", -5, 10), Parameter.uniform("x2", 0, 15)), 0.397887357729739) {
    @Override
    public double evaluate(double[] x) {
      double a = 1;
      double b = 5.1 / (4 * Math.PI * Math.PI);
      double c = 5 / Math.PI;
      double r = 6;
      double s = 10;
      double t = 1 / (8 * Math.PI);
      double q = x[1] - b * x[0] * x[0] + c * x[0] - r;
      return a * q * q + s * (1 - t) * Math.cos(x[0]) + s;
    }
  },
  /** Hartmann 6-D on [0, 1]^6; global minimum -3.32237. */
  HARTMANN6(SearchSpace.of(Parameter.uniform("x1", 0, 1), Parameter.uniform("x2", 0, 1),
      Parameter.uniform("x3", 0, 1), Parameter.uniform("x4", 0, 1), Parameter.uniform("x5", 0, 1),
      Parameter.uniform("x6", 0, 1)), -3.322368011391339) {
    private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] A = {
      {10, 3, 17, 3.5, 1.7, 8},
      {0.05, 10, 17, 0.1, 8, 14},
      {3, 3.5, 1.7, 10, 17, 8},
      {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] P = {
      {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
      {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
      {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
      {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

    @Override
    public double evaluate(double[] x) {
      double f = 0;
      for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 6; j++) e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        f -= ALPHA[i] * Math.exp(-e);
      }
      return f;
    }
  },
  /**
   * The lecture's picture of grid against random search: on [0, 1]^2 only x matters, with a narrow
   * well, f = 0.5 (x - c)^2 - exp(-0.5 ((x - c) / w)^2), c = 0.3137, w = 0.01; minimum -1 at x = c.
   * A 10 x 10 grid tries only 10 values of x and misses the well.
   */
  ONE_PARAMETER(SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.uniform("y", 0, 1)), -1) {
    @Override
    public double evaluate(double[] x) {
      double d = x[0] - 0.3137;
      double z = d / 0.01;
      return 0.5 * d * d - Math.exp(-0.5 * z * z);
    }
  };

  private final SearchSpace space;
  private final double minimum;

  TestFunction(SearchSpace space, double minimum) {
    this.space = space;
    this.minimum = minimum;
  }

  public SearchSpace space() {
    return space;
  }

  /** The known global minimum. */
  public double minimum() {
    return minimum;
  }

  /** The value at x, one entry per parameter in space order. */
  public abstract double evaluate(double[] x);

  /** The value at a point of {@link #space()}. */
  public double evaluate(Point p) {
    double[] x = new double[space.size()];
    for (int i = 0; i < x.length; i++) x[i] = (Double) p.value(i);
    return evaluate(x);
  }
}
