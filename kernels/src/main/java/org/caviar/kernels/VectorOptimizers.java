package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Optimizer updates on the Vector API: one pass that reads w, g and the state and writes w and the
 * state back, full vectors then a scalar tail that repeats the vector arithmetic operation for
 * operation ({@link Math#fma} where the vector fuses), so no element's result depends on its
 * position. Every {@code a * b + c} of the reference is a fused multiply-add here, rounded once
 * instead of twice; the weight-decayed gradient {@code g + wd * w} is one FMA.
 *
 * <p>Against {@link ScalarOptimizers} the results differ only by those roundings. Each of the two
 * is within a running error bound of the exact formula (u = 2^-24 per rounded operation,
 * propagated through the operations after it), so the two are within the sum of both bounds of
 * each other. For SGD, to first order in u, that sum is at most
 * {@code 6u (|w| + lr (|g| + wd |w|))}: the reference rounds four times, the FMA form twice.
 * RMSprop and Adam divide by about {@code |g'| + eps}, so where {@code g + wd * w} cancels to
 * within rounding of 0 their step is ill-conditioned, and the FMA's more accurate {@code g'} can
 * give a visibly different step there.
 */
final class VectorOptimizers extends Optimizers {
  static final VectorOptimizers INSTANCE = new VectorOptimizers();

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  private VectorOptimizers() {}

  /**
   * Four vectors a turn, written out: SGD and momentum move many bytes per flop, and with one
   * vector a turn the loop ran behind the reference's loop, which C2 vectorizes and unrolls
   * itself (784 x 256 parameters, AVX-512, the two alternating in one JVM: 121 against 131 GB/s;
   * four a turn 123-128 against 121-131). The same four calls of a helper ran no faster than one.
   */
  @Override
  void sgdImpl(int len, float lr, float weightDecay, float[] w, float[] g) {
    FloatVector wd = FloatVector.broadcast(SPECIES, weightDecay);
    FloatVector minusLr = FloatVector.broadcast(SPECIES, -lr);
    int i = 0;
    for (int bound = len - 4 * L; i <= bound; i += 4 * L) {
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, i);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, i + L);
      FloatVector w2 = FloatVector.fromArray(SPECIES, w, i + 2 * L);
      FloatVector w3 = FloatVector.fromArray(SPECIES, w, i + 3 * L);
      w0.fma(wd, FloatVector.fromArray(SPECIES, g, i)).fma(minusLr, w0).intoArray(w, i);
      w1.fma(wd, FloatVector.fromArray(SPECIES, g, i + L)).fma(minusLr, w1).intoArray(w, i + L);
      w2.fma(wd, FloatVector.fromArray(SPECIES, g, i + 2 * L)).fma(minusLr, w2).intoArray(w, i + 2 * L);
      w3.fma(wd, FloatVector.fromArray(SPECIES, g, i + 3 * L)).fma(minusLr, w3).intoArray(w, i + 3 * L);
    }
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector wi = FloatVector.fromArray(SPECIES, w, i);
      wi.fma(wd, FloatVector.fromArray(SPECIES, g, i)).fma(minusLr, wi).intoArray(w, i);
    }
    for (; i < len; i++) {
      float grad = Math.fma(w[i], weightDecay, g[i]);
      w[i] = Math.fma(grad, -lr, w[i]);
    }
  }

  /** Four vectors a turn, as {@link #sgdImpl}. */
  @Override
  void momentumImpl(int len, float lr, float beta, float weightDecay, float[] w, float[] g, float[] v) {
    FloatVector wd = FloatVector.broadcast(SPECIES, weightDecay);
    FloatVector b = FloatVector.broadcast(SPECIES, beta);
    float oneMinusBeta = 1f - beta;
    FloatVector minusLr = FloatVector.broadcast(SPECIES, -lr);
    int i = 0;
    for (int bound = len - 4 * L; i <= bound; i += 4 * L) {
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, i);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, i + L);
      FloatVector w2 = FloatVector.fromArray(SPECIES, w, i + 2 * L);
      FloatVector w3 = FloatVector.fromArray(SPECIES, w, i + 3 * L);
      FloatVector v0 = FloatVector.fromArray(SPECIES, v, i).fma(b, w0.fma(wd, FloatVector.fromArray(SPECIES, g, i)).mul(oneMinusBeta));
      FloatVector v1 = FloatVector.fromArray(SPECIES, v, i + L).fma(b, w1.fma(wd, FloatVector.fromArray(SPECIES, g, i + L)).mul(oneMinusBeta));
      FloatVector v2 = FloatVector.fromArray(SPECIES, v, i + 2 * L).fma(b, w2.fma(wd, FloatVector.fromArray(SPECIES, g, i + 2 * L)).mul(oneMinusBeta));
      FloatVector v3 = FloatVector.fromArray(SPECIES, v, i + 3 * L).fma(b, w3.fma(wd, FloatVector.fromArray(SPECIES, g, i + 3 * L)).mul(oneMinusBeta));
      v0.intoArray(v, i);
      v1.intoArray(v, i + L);
      v2.intoArray(v, i + 2 * L);
      v3.intoArray(v, i + 3 * L);
      v0.fma(minusLr, w0).intoArray(w, i);
      v1.fma(minusLr, w1).intoArray(w, i + L);
      v2.fma(minusLr, w2).intoArray(w, i + 2 * L);
      v3.fma(minusLr, w3).intoArray(w, i + 3 * L);
    }
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector wi = FloatVector.fromArray(SPECIES, w, i);
      FloatVector grad = wi.fma(wd, FloatVector.fromArray(SPECIES, g, i));
      FloatVector vi = FloatVector.fromArray(SPECIES, v, i).fma(b, grad.mul(oneMinusBeta));
      vi.intoArray(v, i);
      vi.fma(minusLr, wi).intoArray(w, i);
    }
    for (; i < len; i++) {
      float grad = Math.fma(w[i], weightDecay, g[i]);
      float vi = Math.fma(v[i], beta, grad * oneMinusBeta);
      v[i] = vi;
      w[i] = Math.fma(vi, -lr, w[i]);
    }
  }

  @Override
  void rmspropImpl(
      int len, float lr, float beta, float eps, float weightDecay, float[] w, float[] g, float[] s) {
    FloatVector wd = FloatVector.broadcast(SPECIES, weightDecay);
    FloatVector b = FloatVector.broadcast(SPECIES, beta);
    float oneMinusBeta = 1f - beta;
    FloatVector minusLr = FloatVector.broadcast(SPECIES, -lr);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector wi = FloatVector.fromArray(SPECIES, w, i);
      FloatVector grad = wi.fma(wd, FloatVector.fromArray(SPECIES, g, i));
      FloatVector si = FloatVector.fromArray(SPECIES, s, i).fma(b, grad.mul(oneMinusBeta).mul(grad));
      si.intoArray(s, i);
      grad.div(si.sqrt().add(eps)).fma(minusLr, wi).intoArray(w, i);
    }
    for (; i < len; i++) {
      float grad = Math.fma(w[i], weightDecay, g[i]);
      float si = Math.fma(s[i], beta, grad * oneMinusBeta * grad);
      s[i] = si;
      w[i] = Math.fma(grad / ((float) Math.sqrt(si) + eps), -lr, w[i]);
    }
  }

  @Override
  void adamImpl(
      int len, float lr, float beta1, float beta2, float eps, float weightDecay, int t,
      float[] w, float[] g, float[] m, float[] v) {
    FloatVector wd = FloatVector.broadcast(SPECIES, weightDecay);
    FloatVector b1 = FloatVector.broadcast(SPECIES, beta1);
    FloatVector b2 = FloatVector.broadcast(SPECIES, beta2);
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
    float step = ScalarOptimizers.adamStepSize(lr, beta1, t);
    float scale = ScalarOptimizers.adamDenominatorScale(beta2, t);
    FloatVector minusStep = FloatVector.broadcast(SPECIES, -step);
    FloatVector denominatorScale = FloatVector.broadcast(SPECIES, scale);
    FloatVector epsilon = FloatVector.broadcast(SPECIES, eps);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector wi = FloatVector.fromArray(SPECIES, w, i);
      FloatVector grad = wi.fma(wd, FloatVector.fromArray(SPECIES, g, i));
      FloatVector mi = FloatVector.fromArray(SPECIES, m, i).fma(b1, grad.mul(oneMinusBeta1));
      FloatVector vi = FloatVector.fromArray(SPECIES, v, i).fma(b2, grad.mul(oneMinusBeta2).mul(grad));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      mi.div(vi.sqrt().fma(denominatorScale, epsilon)).fma(minusStep, wi).intoArray(w, i);
    }
    for (; i < len; i++) {
      float grad = Math.fma(w[i], weightDecay, g[i]);
      float mi = Math.fma(m[i], beta1, grad * oneMinusBeta1);
      float vi = Math.fma(v[i], beta2, grad * oneMinusBeta2 * grad);
      m[i] = mi;
      v[i] = vi;
      w[i] = Math.fma(mi / Math.fma((float) Math.sqrt(vi), scale, eps), -step, w[i]);
    }
  }
}
