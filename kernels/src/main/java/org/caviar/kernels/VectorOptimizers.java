package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Optimizer updates on the Vector API: one pass that reads w, g and the state and writes w and the
 * state back, full vectors then a scalar tail that repeats the vector arithmetic operation for
 * operation ({@link Math#fma} where the vector fuses), so no element's result depends on its
 * position. Every {@code a * b + c} of the reference is a fused multiply-add here, rounded once
 * instead of twice; the weight-decayed gradient {@code g + wd * w} is one FMA. One exception:
 * Adam's weight update keeps the reference's order, {@code w + (-step * m) / d} (see
 * {@link #adamImpl}).
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
      // Every load of the block before its stores (see ADAM_BLOCK).
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, i);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, i + L);
      FloatVector w2 = FloatVector.fromArray(SPECIES, w, i + 2 * L);
      FloatVector w3 = FloatVector.fromArray(SPECIES, w, i + 3 * L);
      FloatVector g0 = FloatVector.fromArray(SPECIES, g, i);
      FloatVector g1 = FloatVector.fromArray(SPECIES, g, i + L);
      FloatVector g2 = FloatVector.fromArray(SPECIES, g, i + 2 * L);
      FloatVector g3 = FloatVector.fromArray(SPECIES, g, i + 3 * L);
      w0.fma(wd, g0).fma(minusLr, w0).intoArray(w, i);
      w1.fma(wd, g1).fma(minusLr, w1).intoArray(w, i + L);
      w2.fma(wd, g2).fma(minusLr, w2).intoArray(w, i + 2 * L);
      w3.fma(wd, g3).fma(minusLr, w3).intoArray(w, i + 3 * L);
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
    for (int bound = len - 4 * L; i <= bound; i += 4 * L) {
      // Every load of the block before its stores (see ADAM_BLOCK); three streams leave registers for four on 8 lanes too.
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, i);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, i + L);
      FloatVector w2 = FloatVector.fromArray(SPECIES, w, i + 2 * L);
      FloatVector w3 = FloatVector.fromArray(SPECIES, w, i + 3 * L);
      FloatVector g0 = w0.fma(wd, FloatVector.fromArray(SPECIES, g, i));
      FloatVector g1 = w1.fma(wd, FloatVector.fromArray(SPECIES, g, i + L));
      FloatVector g2 = w2.fma(wd, FloatVector.fromArray(SPECIES, g, i + 2 * L));
      FloatVector g3 = w3.fma(wd, FloatVector.fromArray(SPECIES, g, i + 3 * L));
      FloatVector s0 = FloatVector.fromArray(SPECIES, s, i).fma(b, g0.mul(oneMinusBeta).mul(g0));
      FloatVector s1 = FloatVector.fromArray(SPECIES, s, i + L).fma(b, g1.mul(oneMinusBeta).mul(g1));
      FloatVector s2 = FloatVector.fromArray(SPECIES, s, i + 2 * L).fma(b, g2.mul(oneMinusBeta).mul(g2));
      FloatVector s3 = FloatVector.fromArray(SPECIES, s, i + 3 * L).fma(b, g3.mul(oneMinusBeta).mul(g3));
      s0.intoArray(s, i);
      s1.intoArray(s, i + L);
      s2.intoArray(s, i + 2 * L);
      s3.intoArray(s, i + 3 * L);
      g0.div(s0.sqrt().add(eps)).fma(minusLr, w0).intoArray(w, i);
      g1.div(s1.sqrt().add(eps)).fma(minusLr, w1).intoArray(w, i + L);
      g2.div(s2.sqrt().add(eps)).fma(minusLr, w2).intoArray(w, i + 2 * L);
      g3.div(s3.sqrt().add(eps)).fma(minusLr, w3).intoArray(w, i + 3 * L);
    }
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

  /**
   * Adam reads four streams (w, g, m, v) and writes three back, and where they lie in memory
   * matters: a load issued while a store to an address with the same low 12 bits is in flight
   * waits for it (4 KiB aliasing), so a store stream just ahead of a load stream modulo 4 KiB
   * stalls the loop. The arrays lie where the allocator and the collector put them; over 24
   * random placements of the four 784 x 128 arrays (scratch harness, Zen 4) a vector a turn took
   * 32.6-54.7 us, mean 36. Loading a block's vectors of all four streams before any of its stores
   * leaves aliasing only between blocks: four vectors a turn on 16 lanes took 29.9-38.0 us (mean
   * 33.4, the worst placement 54.7 -> 38.0); on 8 lanes (AVX2, 16 registers) four spill, and two a
   * turn took 33.4 (max 36.4) against 33.7 (max 40.0).
   *
   * <p>Past placement, the loop is bound by the divider (a square root and a division per
   * element), not by memory: 0.40, 0.39 and 0.37 ns an element with 0.3, 1.6 and 3.2 MB of w, g, m
   * and v (L2 to L3), and the same on two threads at once. Tried and not kept: the weight-gradient
   * product with the update fused in, each 8 x 2-vector tile's Adam run inside the next tile's
   * k loop so that the divider would work beside the FMAs (same bits): 784 x 128 at k = 32 took
   * 110.5 us against 101.3 for the product, then this loop (4-row tiles: 113.4-117.2 against
   * 97.0-97.5).
   */
  private static final int ADAM_BLOCK = L >= 16 ? 4 : 2;

  /**
   * The weight update is {@code w + (-step * m) / d} with {@code d = sqrt(v) * scale + eps}: the
   * reference's order of operations ({@code w - step * m / d}), so where m and d are the reference's
   * the new weight has its bits. Dividing first, {@code (m / d) * -step + w} as one FMA, saved a
   * multiply but overflows where the reference does not: {@code d} can be as small as eps while a
   * first moment that does not come from the same gradients as v (a state loaded or set by hand)
   * can be anything, and {@code m / eps} passes MAX_VALUE from {@code |m| > 3.4e30} at
   * {@code eps = 1e-8}, where {@code step * m / eps} is still finite for any
   * {@code step = lr / (1 - beta1^t)} below 1e-8 MAX_VALUE / |m|. Multiplying first overflows only
   * where {@code step * m} or the quotient does, as the reference does.
   *
   * <p>Cost: the FMA becomes a multiply and an add, one more floating-point operation per element
   * (ten instead of nine, the square root and the division included). They issue on the FMA ports,
   * not on the divider, which bounds this loop (above), and the multiply does not wait for the
   * division, so it adds throughput on idle ports and one add's latency to the chain after the
   * division; not measured.
   */
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
    for (int bound = len - ADAM_BLOCK * L; i <= bound; i += ADAM_BLOCK * L) {
      int i1 = i + L;
      int i2 = i + 2 * L;
      int i3 = i + 3 * L;
      boolean four = ADAM_BLOCK == 4;
      // Every load of the block, then the arithmetic, then every store (see ADAM_BLOCK).
      FloatVector w0 = FloatVector.fromArray(SPECIES, w, i);
      FloatVector w1 = FloatVector.fromArray(SPECIES, w, i1);
      FloatVector w2 = four ? FloatVector.fromArray(SPECIES, w, i2) : null;
      FloatVector w3 = four ? FloatVector.fromArray(SPECIES, w, i3) : null;
      FloatVector g0 = FloatVector.fromArray(SPECIES, g, i);
      FloatVector g1 = FloatVector.fromArray(SPECIES, g, i1);
      FloatVector g2 = four ? FloatVector.fromArray(SPECIES, g, i2) : null;
      FloatVector g3 = four ? FloatVector.fromArray(SPECIES, g, i3) : null;
      FloatVector m0 = FloatVector.fromArray(SPECIES, m, i);
      FloatVector m1 = FloatVector.fromArray(SPECIES, m, i1);
      FloatVector m2 = four ? FloatVector.fromArray(SPECIES, m, i2) : null;
      FloatVector m3 = four ? FloatVector.fromArray(SPECIES, m, i3) : null;
      FloatVector v0 = FloatVector.fromArray(SPECIES, v, i);
      FloatVector v1 = FloatVector.fromArray(SPECIES, v, i1);
      FloatVector v2 = four ? FloatVector.fromArray(SPECIES, v, i2) : null;
      FloatVector v3 = four ? FloatVector.fromArray(SPECIES, v, i3) : null;
      g0 = w0.fma(wd, g0);
      g1 = w1.fma(wd, g1);
      m0 = m0.fma(b1, g0.mul(oneMinusBeta1));
      m1 = m1.fma(b1, g1.mul(oneMinusBeta1));
      v0 = v0.fma(b2, g0.mul(oneMinusBeta2).mul(g0));
      v1 = v1.fma(b2, g1.mul(oneMinusBeta2).mul(g1));
      w0 = m0.mul(minusStep).div(v0.sqrt().fma(denominatorScale, epsilon)).add(w0);
      w1 = m1.mul(minusStep).div(v1.sqrt().fma(denominatorScale, epsilon)).add(w1);
      if (four) {
        g2 = w2.fma(wd, g2);
        g3 = w3.fma(wd, g3);
        m2 = m2.fma(b1, g2.mul(oneMinusBeta1));
        m3 = m3.fma(b1, g3.mul(oneMinusBeta1));
        v2 = v2.fma(b2, g2.mul(oneMinusBeta2).mul(g2));
        v3 = v3.fma(b2, g3.mul(oneMinusBeta2).mul(g3));
        w2 = m2.mul(minusStep).div(v2.sqrt().fma(denominatorScale, epsilon)).add(w2);
        w3 = m3.mul(minusStep).div(v3.sqrt().fma(denominatorScale, epsilon)).add(w3);
      }
      m0.intoArray(m, i);
      m1.intoArray(m, i1);
      v0.intoArray(v, i);
      v1.intoArray(v, i1);
      w0.intoArray(w, i);
      w1.intoArray(w, i1);
      if (four) {
        m2.intoArray(m, i2);
        m3.intoArray(m, i3);
        v2.intoArray(v, i2);
        v3.intoArray(v, i3);
        w2.intoArray(w, i2);
        w3.intoArray(w, i3);
      }
    }
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector wi = FloatVector.fromArray(SPECIES, w, i);
      FloatVector grad = wi.fma(wd, FloatVector.fromArray(SPECIES, g, i));
      FloatVector mi = FloatVector.fromArray(SPECIES, m, i).fma(b1, grad.mul(oneMinusBeta1));
      FloatVector vi = FloatVector.fromArray(SPECIES, v, i).fma(b2, grad.mul(oneMinusBeta2).mul(grad));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      mi.mul(minusStep).div(vi.sqrt().fma(denominatorScale, epsilon)).add(wi).intoArray(w, i);
    }
    for (; i < len; i++) {
      float grad = Math.fma(w[i], weightDecay, g[i]);
      float mi = Math.fma(m[i], beta1, grad * oneMinusBeta1);
      float vi = Math.fma(v[i], beta2, grad * oneMinusBeta2 * grad);
      m[i] = mi;
      v[i] = vi;
      w[i] = -step * mi / Math.fma((float) Math.sqrt(vi), scale, eps) + w[i];
    }
  }
}
