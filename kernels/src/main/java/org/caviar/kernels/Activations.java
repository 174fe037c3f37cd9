package org.caviar.kernels;

/**
 * Element-wise activations over the first {@code len} elements of flat arrays, or over the
 * elements {@code [from, to)} (the same indices in every array: a slice that one thread of a
 * parallel step owns), forward and backward. Backward takes what is cheapest to keep: the forward input {@code x} for ReLU and
 * leaky ReLU, the forward output {@code y} for tanh ({@code 1 - y^2}) and sigmoid
 * ({@code y (1 - y)}). Outputs may alias inputs (in place).
 *
 * <p>NaN propagates through every forward ({@code relu(NaN) = NaN}, so a diverged input stays
 * visible), and {@code relu(-0) = +0} ({@link Math#max}). The ReLU backward formulas are selects on
 * {@code x > 0}: a NaN {@code x} takes the {@code x <= 0} branch (0, or {@code slope * dy}), and an
 * infinite {@code dy} where {@code x <= 0} gives 0, not NaN. tanh saturates to exactly +-1 and
 * sigmoid to exactly 0 and 1 (at +-infinity too); sigmoid never overflows to NaN.
 *
 * <p>{@link #scalar()} computes tanh, sigmoid and their backward in double, rounded once.
 * {@link #vector()} approximates tanh and sigmoid within 2 ulp of it and the two backward within
 * {@code 3 * 2^-24} relative; ReLU and leaky ReLU agree bit for bit.
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
    reluImpl(0, len, x, y);
  }

  /** {@code dx = x > 0 ? dy : 0}. */
  public final void reluBackward(int len, float[] x, float[] dy, float[] dx) {
    check(len, "x", x, "dy", dy);
    Checks.length("dx", dx, len);
    reluBackwardImpl(0, len, x, dy, dx);
  }

  /** {@code y = x > 0 ? x : slope * x}. */
  public final void leakyRelu(int len, float slope, float[] x, float[] y) {
    Checks.finite("slope", slope);
    check(len, "x", x, "y", y);
    leakyReluImpl(0, len, slope, x, y);
  }

  /** {@code dx = x > 0 ? dy : slope * dy}. */
  public final void leakyReluBackward(int len, float slope, float[] x, float[] dy, float[] dx) {
    Checks.finite("slope", slope);
    check(len, "x", x, "dy", dy);
    Checks.length("dx", dx, len);
    leakyReluBackwardImpl(0, len, slope, x, dy, dx);
  }

  /** {@code y = tanh(x)}. */
  public final void tanh(int len, float[] x, float[] y) {
    check(len, "x", x, "y", y);
    tanhImpl(0, len, x, y);
  }

  /** {@code dx = dy * (1 - y^2)} with {@code y = tanh(x)}. */
  public final void tanhBackward(int len, float[] y, float[] dy, float[] dx) {
    check(len, "y", y, "dy", dy);
    Checks.length("dx", dx, len);
    tanhBackwardImpl(0, len, y, dy, dx);
  }

  /** {@code y = 1 / (1 + exp(-x))}. */
  public final void sigmoid(int len, float[] x, float[] y) {
    check(len, "x", x, "y", y);
    sigmoidImpl(0, len, x, y);
  }

  /** {@code dx = dy * y * (1 - y)} with {@code y = sigmoid(x)}. */
  public final void sigmoidBackward(int len, float[] y, float[] dy, float[] dx) {
    check(len, "y", y, "dy", dy);
    Checks.length("dx", dx, len);
    sigmoidBackwardImpl(0, len, y, dy, dx);
  }

  // The same over the elements [from, to) only; elements outside are neither read nor written.

  /** {@code y = max(x, 0)} over {@code [from, to)}. */
  public final void relu(int from, int to, float[] x, float[] y) {
    checkRange(from, to, "x", x, "y", y);
    reluImpl(from, to, x, y);
  }

  /** {@code dx = x > 0 ? dy : 0} over {@code [from, to)}. */
  public final void reluBackward(int from, int to, float[] x, float[] dy, float[] dx) {
    checkRange(from, to, "x", x, "dy", dy);
    Checks.length("dx", dx, to);
    reluBackwardImpl(from, to, x, dy, dx);
  }

  /** {@code y = x > 0 ? x : slope * x} over {@code [from, to)}. */
  public final void leakyRelu(int from, int to, float slope, float[] x, float[] y) {
    Checks.finite("slope", slope);
    checkRange(from, to, "x", x, "y", y);
    leakyReluImpl(from, to, slope, x, y);
  }

  /** {@code dx = x > 0 ? dy : slope * dy} over {@code [from, to)}. */
  public final void leakyReluBackward(int from, int to, float slope, float[] x, float[] dy, float[] dx) {
    Checks.finite("slope", slope);
    checkRange(from, to, "x", x, "dy", dy);
    Checks.length("dx", dx, to);
    leakyReluBackwardImpl(from, to, slope, x, dy, dx);
  }

  /** {@code y = tanh(x)} over {@code [from, to)}. */
  public final void tanh(int from, int to, float[] x, float[] y) {
    checkRange(from, to, "x", x, "y", y);
    tanhImpl(from, to, x, y);
  }

  /** {@code dx = dy * (1 - y^2)} over {@code [from, to)}. */
  public final void tanhBackward(int from, int to, float[] y, float[] dy, float[] dx) {
    checkRange(from, to, "y", y, "dy", dy);
    Checks.length("dx", dx, to);
    tanhBackwardImpl(from, to, y, dy, dx);
  }

  /** {@code y = 1 / (1 + exp(-x))} over {@code [from, to)}. */
  public final void sigmoid(int from, int to, float[] x, float[] y) {
    checkRange(from, to, "x", x, "y", y);
    sigmoidImpl(from, to, x, y);
  }

  /** {@code dx = dy * y * (1 - y)} over {@code [from, to)}. */
  public final void sigmoidBackward(int from, int to, float[] y, float[] dy, float[] dx) {
    checkRange(from, to, "y", y, "dy", dy);
    Checks.length("dx", dx, to);
    sigmoidBackwardImpl(from, to, y, dy, dx);
  }

  private static void checkRange(int from, int to, String n1, float[] a1, String n2, float[] a2) {
    Checks.range(from, to);
    Checks.length(n1, a1, to);
    Checks.length(n2, a2, to);
  }

  private static void check(int len, String n1, float[] a1, String n2, float[] a2) {
    Checks.nonNegative("len", len);
    Checks.length(n1, a1, len);
    Checks.length(n2, a2, len);
  }

  abstract void reluImpl(int from, int to, float[] x, float[] y);

  abstract void reluBackwardImpl(int from, int to, float[] x, float[] dy, float[] dx);

  abstract void leakyReluImpl(int from, int to, float slope, float[] x, float[] y);

  abstract void leakyReluBackwardImpl(int from, int to, float slope, float[] x, float[] dy, float[] dx);

  abstract void tanhImpl(int from, int to, float[] x, float[] y);

  abstract void tanhBackwardImpl(int from, int to, float[] y, float[] dy, float[] dx);

  abstract void sigmoidImpl(int from, int to, float[] x, float[] y);

  abstract void sigmoidBackwardImpl(int from, int to, float[] y, float[] dy, float[] dx);
}
