package org.caviar.kernels;

/**
 * Fused optimizer updates over a parameter array {@code w} and its gradient {@code g} (first
 * {@code len} elements), each one pass over memory. L2 weight decay is fused too: every update
 * uses {@code g' = g + weightDecay * w} in place of {@code g} ({@code g} itself is not modified).
 * Averages follow the exponentially weighted form {@code v = beta * v + (1 - beta) * x}.
 *
 * <p>Arguments: {@code len >= 0}; {@code lr} finite and {@code > 0} (a rate of 0 is refused, not
 * a frozen step); {@code weightDecay} finite and {@code >= 0}; every beta in {@code [0, 1)};
 * {@code eps} finite and {@code > 0}; Adam's {@code t >= 1}; arrays not null and holding
 * {@code len} floats, each state array (v, s, m) one of its own (not w, g or the other state;
 * w may be g). Otherwise an {@link IllegalArgumentException} naming the argument, before anything
 * is written.
 *
 * <p>The squares are float: past {@code |g'| = 1.8e19 / sqrt(1 - beta)} ({@code (1 - beta) g'}
 * times {@code g'} passes 3.4e38; 5.8e20 at Adam's default beta2 0.999) RMSprop's and Adam's
 * second average overflows to infinity, and that element's steps are 0 from then on (not NaN: the weight stays
 * finite). Gradients that large come from a training run that has already diverged.
 */
public abstract class Optimizers {
  /** The plain reference. */
  public static Optimizers scalar() {
    return ScalarOptimizers.INSTANCE;
  }

  /** The Vector API implementation. */
  public static Optimizers vector() {
    return VectorOptimizers.INSTANCE;
  }

  /** {@code w -= lr * g'}. */
  public final void sgd(int len, float lr, float weightDecay, float[] w, float[] g) {
    common(len, lr, weightDecay, w, g);
    sgdImpl(len, lr, weightDecay, w, g);
  }

  /** {@code v = beta v + (1 - beta) g'; w -= lr * v}. */
  public final void momentum(
      int len, float lr, float beta, float weightDecay, float[] w, float[] g, float[] v) {
    common(len, lr, weightDecay, w, g);
    Checks.unitInterval("beta", beta);
    Checks.length("v", v, len);
    state(len, "v", v, w, g);
    momentumImpl(len, lr, beta, weightDecay, w, g, v);
  }

  /** {@code s = beta s + (1 - beta) g'^2; w -= lr * (g' / (sqrt(s) + eps))}: the quotient first, which stays below 1 / sqrt(1 - beta). */
  public final void rmsprop(
      int len, float lr, float beta, float eps, float weightDecay, float[] w, float[] g, float[] s) {
    common(len, lr, weightDecay, w, g);
    Checks.unitInterval("beta", beta);
    Checks.positiveFinite("eps", eps);
    Checks.length("s", s, len);
    state(len, "s", s, w, g);
    rmspropImpl(len, lr, beta, eps, weightDecay, w, g, s);
  }

  /**
   * Adam with bias correction at step {@code t >= 1}: {@code m = b1 m + (1 - b1) g'},
   * {@code v = b2 v + (1 - b2) g'^2}, {@code w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
   * The corrections are computed once per call, in double, as {@code lr / (1 - b1^t)} and
   * {@code 1 / sqrt(1 - b2^t)}, then rounded to float. {@code t} counts steps from 1 (the first
   * update is {@code t = 1}, where the correction makes the step about {@code lr * sign(g')}).
   */
  public final void adam(
      int len, float lr, float beta1, float beta2, float eps, float weightDecay, int t,
      float[] w, float[] g, float[] m, float[] v) {
    common(len, lr, weightDecay, w, g);
    Checks.unitInterval("beta1", beta1);
    Checks.unitInterval("beta2", beta2);
    Checks.positiveFinite("eps", eps);
    Checks.positive("t", t);
    Checks.length("m", m, len);
    Checks.length("v", v, len);
    state(len, "m", m, w, g);
    state(len, "v", v, w, g);
    if (len > 0) Checks.distinct("m", m, "v", v);
    adamImpl(len, lr, beta1, beta2, eps, weightDecay, t, w, g, m, v);
  }

  private static void common(int len, float lr, float weightDecay, float[] w, float[] g) {
    Checks.nonNegative("len", len);
    Checks.positiveFinite("lr", lr);
    Checks.nonNegativeFinite("weightDecay", weightDecay);
    Checks.length("w", w, len);
    Checks.length("g", g, len);
  }

  /**
   * A state array is neither w nor g: each element's update writes the state and then w from it,
   * so a shared array would keep the wrong average. Empty arrays share nothing.
   */
  private static void state(int len, String name, float[] state, float[] w, float[] g) {
    if (len == 0) return;
    Checks.distinct(name, state, "w", w);
    Checks.distinct(name, state, "g", g);
  }

  abstract void sgdImpl(int len, float lr, float weightDecay, float[] w, float[] g);

  abstract void momentumImpl(
      int len, float lr, float beta, float weightDecay, float[] w, float[] g, float[] v);

  abstract void rmspropImpl(
      int len, float lr, float beta, float eps, float weightDecay, float[] w, float[] g, float[] s);

  abstract void adamImpl(
      int len, float lr, float beta1, float beta2, float eps, float weightDecay, int t,
      float[] w, float[] g, float[] m, float[] v);
}
