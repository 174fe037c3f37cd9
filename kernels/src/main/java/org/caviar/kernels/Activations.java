package org.caviar.kernels;

/**
 * Element-wise activations over the first {@code len} elements of flat arrays, forward and
 * backward. Backward takes what is cheapest to keep: the forward input {@code x} for ReLU and
 * leaky ReLU, the forward output {@code y} for tanh ({@code 1 - y^2}) and sigmoid
 * ({@code y (1 - y)}). Outputs may alias inputs (in place).
 *
 * <p>NaN propagates through every forward ({@code relu(NaN) = NaN}, so a diverged input stays
 * visible), and {@code relu(-0) = +0} ({@link Math#max}). The ReLU backward formulas are selects on
 * {@code x > 0}: a NaN {@code x} takes the {@code x <= 0} branch (0, or {@code slope * dy}), and for
 * ReLU an infinite {@code dy} where {@code x <= 0} gives 0, not NaN (leaky ReLU multiplies by its
 * slope there, and {@code 0 * infinity} is NaN: use ReLU for a slope of 0). tanh saturates to exactly +-1 and
 * sigmoid to exactly 0 and 1 (at +-infinity too); sigmoid never overflows to NaN.
 *
 * <p>The tanh and sigmoid backward take the layer's own outputs, which lie in [-1, 1] and [0, 1].
 * A y outside that range (+-infinity included) cannot come from the forward, so it is the caller's
 * error, and it gives NaN, whatever dy is, in both implementations: no value of the formula means
 * anything there, and a NaN shows up downstream as a diverged input does (checking and throwing
 * would cost a pass over y before any write, as dx may alias it). A NaN y gives NaN too. Inside the
 * range, a dy of +-0, +-infinity or NaN gives the same signed zero, infinity or NaN in both
 * ({@code dy * 0} at y = +-1 for tanh, y = 0 or 1 for sigmoid: +-0, or NaN for an infinite dy).
 *
 * <p>Arguments: {@code len >= 0}, arrays not null and holding {@code len} floats, a finite
 * {@code slope}; otherwise an {@link IllegalArgumentException} naming the argument, before
 * anything is written.
 *
 * <p>{@link #scalar()} computes tanh, sigmoid and their backward in double, rounded once.
 * {@link #vector()} approximates tanh and sigmoid within 2 ulp of it and the two backward within
 * {@code 3 * 2^-24} relative, plus {@code 2^-149} where the result is subnormal (there rounding
 * errors are absolute: results near 1e-43 may differ by one subnormal step, about 1%);
 * ReLU and leaky ReLU agree bit for bit.
 */
public abstract class Activations {
  /** The plain reference. */
  public static Activations scalar() {
    return ScalarActivations.INSTANCE;
  }

  /** The Vector API implementation. */
  public static Activations vector() {
    return VectorActivations.INSTANCE;
  }

  /** {@code y = max(x, 0)}. */
  public final void relu(int len, float[] x, float[] y) {
    check(len, "x", x, "y", y);
    reluImpl(len, x, y);
  }

  /** {@code dx = x > 0 ? dy : 0}. */
  public final void reluBackward(int len, float[] x, float[] dy, float[] dx) {
    check(len, "x", x, "dy", dy);
    Checks.length("dx", dx, len);
    reluBackwardImpl(len, x, dy, dx);
  }

  /** {@code y = x > 0 ? x : slope * x}. */
  public final void leakyRelu(int len, float slope, float[] x, float[] y) {
    Checks.finite("slope", slope);
    check(len, "x", x, "y", y);
    leakyReluImpl(len, slope, x, y);
  }

  /** {@code dx = x > 0 ? dy : slope * dy}. */
  public final void leakyReluBackward(int len, float slope, float[] x, float[] dy, float[] dx) {
    Checks.finite("slope", slope);
    check(len, "x", x, "dy", dy);
    Checks.length("dx", dx, len);
    leakyReluBackwardImpl(len, slope, x, dy, dx);
  }

  /** {@code y = tanh(x)}. */
  public final void tanh(int len, float[] x, float[] y) {
    check(len, "x", x, "y", y);
    tanhImpl(len, x, y);
  }

  /**
   * {@code dx = dy * (1 - y^2)} with {@code y = tanh(x)}; NaN where y is outside [-1, 1] or NaN
   * (see the class comment).
   */
  public final void tanhBackward(int len, float[] y, float[] dy, float[] dx) {
    check(len, "y", y, "dy", dy);
    Checks.length("dx", dx, len);
    tanhBackwardImpl(len, y, dy, dx);
  }

  /** {@code y = 1 / (1 + exp(-x))}. */
  public final void sigmoid(int len, float[] x, float[] y) {
    check(len, "x", x, "y", y);
    sigmoidImpl(len, x, y);
  }

  /**
   * {@code dx = dy * y * (1 - y)} with {@code y = sigmoid(x)}; NaN where y is outside [0, 1] or
   * NaN (see the class comment).
   */
  public final void sigmoidBackward(int len, float[] y, float[] dy, float[] dx) {
    check(len, "y", y, "dy", dy);
    Checks.length("dx", dx, len);
    sigmoidBackwardImpl(len, y, dy, dx);
  }

  private static void check(int len, String n1, float[] a1, String n2, float[] a2) {
    Checks.nonNegative("len", len);
    Checks.length(n1, a1, len);
    Checks.length(n2, a2, len);
  }

  abstract void reluImpl(int len, float[] x, float[] y);

  abstract void reluBackwardImpl(int len, float[] x, float[] dy, float[] dx);

  abstract void leakyReluImpl(int len, float slope, float[] x, float[] y);

  abstract void leakyReluBackwardImpl(int len, float slope, float[] x, float[] dy, float[] dx);

  abstract void tanhImpl(int len, float[] x, float[] y);

  abstract void tanhBackwardImpl(int len, float[] y, float[] dy, float[] dx);

  abstract void sigmoidImpl(int len, float[] x, float[] y);

  abstract void sigmoidBackwardImpl(int len, float[] y, float[] dy, float[] dx);
}
