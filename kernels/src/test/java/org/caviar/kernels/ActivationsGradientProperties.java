package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Backward kernels (scalar and vector) against central finite differences of a double-precision
 * forward: {@code dx} must match {@code dy * (f(x + h) - f(x - h)) / 2h} with relative error
 * {@code |a - n| / max(|a| + |n|, tiny)} below {@link #THRESHOLD}.
 *
 * <p>tanh and sigmoid backward take the forward output y, a float. The derivative is checked at the
 * point where the double forward gives exactly that y ({@code atanh(y)}, {@code logit(y)}): the
 * kernel cannot know the x that was rounded into y, and near saturation that rounding alone would
 * move {@code 1 - y^2} by far more than the kernel's own error.
 */
class ActivationsGradientProperties {
  private static final Activations[] IMPLEMENTATIONS = {Activations.scalar(), Activations.vector()};

  private static final double H = 1e-4;
  private static final double TINY = 1e-30;
  /**
   * Kernel: at most two float roundings (vector: fused {@code 1 - y*y} then {@code * dy}; the
   * reference one), relative 2u = 1.2e-7. Finite difference with h = 1e-4 on the ranges below:
   * truncation {@code h^2 |f'''| / (6 |f'|)} <= 7e-9 (tanh: |f'''/f'| <= 4; sigmoid <= 1) and
   * rounding of the double forward {@code ~2.5 * 2^-53 / (h |f'|)} <= 1.5e-8 with |f'| >= 3e-4.
   * The formula halves the sum of both (|a| + |n| ~ 2|n|): 7e-8; 1e-7 leaves a little room.
   */
  private static final double THRESHOLD = 1e-7;

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(200);
  }

  // Double-precision forwards.
  private static double relu(double x) {
    return Math.max(x, 0);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double centralDifference(DoubleUnaryOperator f, double x) {
    return (f.applyAsDouble(x + H) - f.applyAsDouble(x - H)) / (2 * H);
  }

  private static double relativeError(double analytic, double numeric) {
    return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), TINY);
  }

  private static void check(String what, int i, double at, float analytic, double numeric) {
    double rel = relativeError(analytic, numeric);
    if (!(rel <= THRESHOLD)) {
      fail(what + " at " + i + " (x = " + at + "): kernel " + analytic + ", finite difference "
          + numeric + ", relative error " + rel);
    }
  }

  /** Points at least H from ReLU's kink at 0, so that x +- h stays on one side of it. */
  private static float[] awayFromKink(Random rnd, int len) {
    float[] x = Shapes.uniform(rnd, len, 4f);
    for (int i = 0; i < len; i++) if (Math.abs(x[i]) < H) x[i] = x[i] < 0 ? -0.5f : 0.5f;
    return x;
  }

  @Property(tries = 40)
  void reluBackwardIsTheDerivative(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = awayFromKink(rnd, len);
    float[] dy = Shapes.uniform(rnd, len, 2f);
    for (Activations impl : IMPLEMENTATIONS) {
      float[] dx = new float[len];
      impl.reluBackward(len, x, dy, dx);
      for (int i = 0; i < len; i++) {
        check("reluBackward", i, x[i], dx[i], dy[i] * centralDifference(ActivationsGradientProperties::relu, x[i]));
      }
    }
  }

  @Property(tries = 40)
  void leakyReluBackwardIsTheDerivative(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float slope = rnd.nextFloat() * 0.5f;
    float[] x = awayFromKink(rnd, len);
    float[] dy = Shapes.uniform(rnd, len, 2f);
    DoubleUnaryOperator leaky = v -> v > 0 ? v : slope * v;
    for (Activations impl : IMPLEMENTATIONS) {
      float[] dx = new float[len];
      impl.leakyReluBackward(len, slope, x, dy, dx);
      for (int i = 0; i < len; i++) check("leakyReluBackward", i, x[i], dx[i], dy[i] * centralDifference(leaky, x[i]));
    }
  }

  /** x in [-4, 4]: tanh'(x) >= 1.3e-3. */
  @Property(tries = 40)
  void tanhBackwardIsTheDerivative(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = Shapes.uniform(rnd, len, 4f);
    float[] dy = Shapes.uniform(rnd, len, 2f);
    for (Activations impl : IMPLEMENTATIONS) {
      float[] y = new float[len];
      float[] dx = new float[len];
      impl.tanh(len, x, y);
      impl.tanhBackward(len, y, dy, dx);
      for (int i = 0; i < len; i++) {
        double at = atanh(y[i]);
        check("tanhBackward", i, at, dx[i], dy[i] * centralDifference(Math::tanh, at));
      }
    }
  }

  /** x in [-8, 8]: sigmoid'(x) >= 3.3e-4. */
  @Property(tries = 40)
  void sigmoidBackwardIsTheDerivative(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = Shapes.uniform(rnd, len, 8f);
    float[] dy = Shapes.uniform(rnd, len, 2f);
    for (Activations impl : IMPLEMENTATIONS) {
      float[] y = new float[len];
      float[] dx = new float[len];
      impl.sigmoid(len, x, y);
      impl.sigmoidBackward(len, y, dy, dx);
      for (int i = 0; i < len; i++) {
        double at = Math.log(y[i] / (1.0 - y[i]));
        check("sigmoidBackward", i, at, dx[i], dy[i] * centralDifference(ActivationsGradientProperties::sigmoid, at));
      }
    }
  }

  private static double atanh(double y) {
    return 0.5 * Math.log1p(2 * y / (1 - y));
  }
}
