package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The range forms of the element-wise kernels (activations and optimizers over elements
 * {@code [from, to)}, batch norm over features {@code [from, to)}), which a parallel step calls
 * once per thread on that thread's slice.
 *
 * <p>Two properties, for both implementations. (1) Cutting the work in two at a cut the parallel
 * step can use gives the bits of one whole call: exact equality, no tolerance, since every
 * element (feature) is computed by the same expressions either way. For the vector kernels the
 * cut must be a multiple of the lane count (a parallel GEMM's column shares are whole
 * micro-tiles, {@link Gemm#splitColumns}); elsewhere the scalar tail, whose FMA use differs by
 * rounding, would take over elements the whole call computes in vectors. The scalar references
 * are exact for any cut. (2) Any range reads and writes nothing outside itself: sentinels around
 * it survive.
 */
class RangeProperties {
  private static final float SENTINEL = -12345.5f;
  private static final float EPS = 1e-5f;

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(300);
  }

  /** A cut in [0, len] that the implementation's range form must honour exactly (see above). */
  private static int cut(boolean vector, int len, Random rnd) {
    if (!vector) return rnd.nextInt(len + 1);
    int slots = len / Shapes.LANES;
    return rnd.nextInt(slots + 1) * Shapes.LANES;
  }

  // ---- activations ----

  /** One activation kernel in range form, writing out from x and dy. */
  @FunctionalInterface
  private interface ActivationRange {
    void run(Activations a, int from, int to, float[] x, float[] dy, float[] out);
  }

  private static final ActivationRange[] ACTIVATIONS = {
    (a, from, to, x, dy, out) -> a.relu(from, to, x, out),
    (a, from, to, x, dy, out) -> a.reluBackward(from, to, x, dy, out),
    (a, from, to, x, dy, out) -> a.leakyRelu(from, to, 0.1f, x, out),
    (a, from, to, x, dy, out) -> a.leakyReluBackward(from, to, 0.1f, x, dy, out),
    (a, from, to, x, dy, out) -> a.tanh(from, to, x, out),
    (a, from, to, x, dy, out) -> a.tanhBackward(from, to, x, dy, out),
    (a, from, to, x, dy, out) -> a.sigmoid(from, to, x, out),
    (a, from, to, x, dy, out) -> a.sigmoidBackward(from, to, x, dy, out),
  };

  @Property(tries = 40)
  void activationsCutInTwoEqualOneCall(@ForAll("sizes") int len, @ForAll boolean vector, @ForAll long seed) {
    Activations impl = vector ? Activations.vector() : Activations.scalar();
    Random rnd = new Random(seed);
    float[] x = Shapes.uniform(rnd, len, 4f);
    float[] dy = Shapes.uniform(rnd, len, 1f);
    int c = cut(vector, len, rnd);
    for (int k = 0; k < ACTIVATIONS.length; k++) {
      float[] whole = new float[len];
      ACTIVATIONS[k].run(impl, 0, len, x, dy, whole);
      float[] split = new float[len];
      ACTIVATIONS[k].run(impl, 0, c, x, dy, split);
      ACTIVATIONS[k].run(impl, c, len, x, dy, split);
      assertArrayEquals(whole, split, "activation " + k + ", len " + len + ", cut " + c);
    }
  }

  @Property(tries = 40)
  void activationsTouchNothingOutsideTheRange(@ForAll("sizes") int len, @ForAll boolean vector, @ForAll long seed) {
    Activations impl = vector ? Activations.vector() : Activations.scalar();
    Random rnd = new Random(seed);
    int from = rnd.nextInt(len + 1);
    int to = from + rnd.nextInt(len - from + 1);
    float[] x = Shapes.uniform(rnd, len, 4f);
    float[] dy = Shapes.uniform(rnd, len, 1f);
    for (int k = 0; k < ACTIVATIONS.length; k++) {
      float[] out = filled(len);
      ACTIVATIONS[k].run(impl, from, to, x, dy, out);
      assertOutsideUntouched(out, from, to, "activation " + k);
      // In place: outside the range x itself must survive.
      float[] inPlace = x.clone();
      ACTIVATIONS[k].run(impl, from, to, inPlace, dy, inPlace);
      for (int i = 0; i < len; i++) {
        if (i < from || i >= to) assertEquals(x[i], inPlace[i], "activation " + k + " in place wrote index " + i);
      }
    }
  }

  // ---- optimizers ----

  /** One optimizer update in range form over w with gradient g and state s1, s2. */
  @FunctionalInterface
  private interface UpdateRange {
    void run(Optimizers o, int from, int to, float[] w, float[] g, float[] s1, float[] s2);
  }

  private static final UpdateRange[] UPDATES = {
    (o, from, to, w, g, s1, s2) -> o.sgd(from, to, 0.1f, 0.01f, w, g),
    (o, from, to, w, g, s1, s2) -> o.momentum(from, to, 0.1f, 0.9f, 0.01f, w, g, s1),
    (o, from, to, w, g, s1, s2) -> o.rmsprop(from, to, 0.01f, 0.9f, 1e-8f, 0.01f, w, g, s1),
    (o, from, to, w, g, s1, s2) -> o.adam(from, to, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, 3, w, g, s1, s2),
  };

  @Property(tries = 40)
  void optimizersCutInTwoEqualOneCall(@ForAll("sizes") int len, @ForAll boolean vector, @ForAll long seed) {
    Optimizers impl = vector ? Optimizers.vector() : Optimizers.scalar();
    Random rnd = new Random(seed);
    float[] w = Shapes.uniform(rnd, len, 1f);
    float[] g = Shapes.uniform(rnd, len, 1f);
    float[] s1 = Shapes.uniform(rnd, len, 0.1f);
    float[] s2 = positive(rnd, len);
    int c = cut(vector, len, rnd);
    for (int k = 0; k < UPDATES.length; k++) {
      float[][] whole = {w.clone(), s1.clone(), s2.clone()};
      UPDATES[k].run(impl, 0, len, whole[0], g, whole[1], whole[2]);
      float[][] split = {w.clone(), s1.clone(), s2.clone()};
      UPDATES[k].run(impl, 0, c, split[0], g, split[1], split[2]);
      UPDATES[k].run(impl, c, len, split[0], g, split[1], split[2]);
      for (int a = 0; a < 3; a++) assertArrayEquals(whole[a], split[a], "update " + k + " array " + a + ", cut " + c);
    }
  }

  @Property(tries = 40)
  void optimizersTouchNothingOutsideTheRange(@ForAll("sizes") int len, @ForAll boolean vector, @ForAll long seed) {
    Optimizers impl = vector ? Optimizers.vector() : Optimizers.scalar();
    Random rnd = new Random(seed);
    int from = rnd.nextInt(len + 1);
    int to = from + rnd.nextInt(len - from + 1);
    float[] g = Shapes.uniform(rnd, len, 1f);
    for (int k = 0; k < UPDATES.length; k++) {
      float[] w = filled(len);
      float[] s1 = filled(len);
      float[] s2 = filled(len);
      for (int i = from; i < to; i++) s2[i] = 0.5f; // RMSprop/Adam take a square root of their state
      UPDATES[k].run(impl, from, to, w, g, s1, s2);
      assertOutsideUntouched(w, from, to, "update " + k + " w");
      assertOutsideUntouched(s1, from, to, "update " + k + " state");
      assertOutsideUntouched(s2, from, to, "update " + k + " second state");
    }
  }

  // ---- batch norm ----

  @Property(tries = 40)
  void batchNormCutInTwoEqualsOneCall(
      @ForAll @IntRange(min = 2, max = 40) int n, @ForAll("sizes") int f, @ForAll boolean vector, @ForAll long seed) {
    BatchNorm bn = vector ? BatchNorm.vector() : BatchNorm.scalar();
    Random rnd = new Random(seed);
    float[] x = Shapes.uniform(rnd, n * f, 3f);
    float[] gamma = Shapes.uniform(rnd, f, 2f);
    float[] beta = Shapes.uniform(rnd, f, 1f);
    float[] runningVar = positive(rnd, f);
    float[] dy = Shapes.uniform(rnd, n * f, 1f);
    int c = cut(vector, f, rnd);
    BatchNormRun whole = new BatchNormRun(n, f, runningVar);
    whole.run(bn, 0, f, x, gamma, beta, dy);
    BatchNormRun split = new BatchNormRun(n, f, runningVar);
    split.run(bn, 0, c, x, gamma, beta, dy);
    split.run(bn, c, f, x, gamma, beta, dy);
    float[][] a = whole.outputs();
    float[][] b = split.outputs();
    for (int k = 0; k < a.length; k++) assertArrayEquals(a[k], b[k], "output " + k + ", cut " + c + " of " + f);
  }

  @Property(tries = 40)
  void batchNormTouchesNothingOutsideTheRange(
      @ForAll @IntRange(min = 2, max = 40) int n, @ForAll("sizes") int f, @ForAll boolean vector, @ForAll long seed) {
    BatchNorm bn = vector ? BatchNorm.vector() : BatchNorm.scalar();
    Random rnd = new Random(seed);
    int from = rnd.nextInt(f + 1);
    int to = from + rnd.nextInt(f - from + 1);
    // Inputs are sentinels outside the range too: a read there would reach an output as garbage.
    float[] x = filled(n * f);
    float[] dy = filled(n * f);
    for (int i = 0; i < n; i++) {
      for (int j = from; j < to; j++) {
        x[i * f + j] = (rnd.nextFloat() * 2 - 1) * 3;
        dy[i * f + j] = rnd.nextFloat() * 2 - 1;
      }
    }
    float[] gamma = Shapes.uniform(rnd, f, 2f);
    float[] beta = Shapes.uniform(rnd, f, 1f);
    BatchNormRun r = new BatchNormRun(n, f, positive(rnd, f));
    r.fillOutputs();
    float[] runningMeanBefore = r.runningMean.clone();
    float[] runningVarBefore = r.runningVar.clone();
    r.run(bn, from, to, x, gamma, beta, dy);
    for (float[] out : new float[][] {r.y, r.xhat, r.dx, r.inferred}) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++) {
          int at = i * f + j;
          if (j < from || j >= to) assertEquals(SENTINEL, out[at], "wrote feature " + j + " of row " + i);
          else assertTrue(Float.isFinite(out[at]), "feature " + j + " of row " + i + " is " + out[at]);
        }
      }
    }
    for (float[] perFeature : new float[][] {r.mean, r.invStd, r.dGamma, r.dBeta}) {
      assertOutsideUntouched(perFeature, from, to, "per-feature output");
    }
    for (int j = 0; j < f; j++) {
      if (j >= from && j < to) continue;
      assertEquals(runningMeanBefore[j], r.runningMean[j], "running mean of feature " + j);
      assertEquals(runningVarBefore[j], r.runningVar[j], "running variance of feature " + j);
    }
  }

  /** Training forward, inference forward and backward over one range, into the same buffers. */
  private static final class BatchNormRun {
    final int n;
    final int f;
    final float[] y, xhat, mean, invStd, runningMean, runningVar, dx, dGamma, dBeta, inferred;

    BatchNormRun(int n, int f, float[] runningVar) {
      this.n = n;
      this.f = f;
      y = new float[n * f];
      xhat = new float[n * f];
      dx = new float[n * f];
      inferred = new float[n * f];
      mean = new float[f];
      invStd = new float[f];
      dGamma = new float[f];
      dBeta = new float[f];
      runningMean = new float[f];
      this.runningVar = runningVar.clone();
    }

    void fillOutputs() {
      for (float[] a : new float[][] {y, xhat, dx, inferred, mean, invStd, dGamma, dBeta}) Arrays.fill(a, SENTINEL);
    }

    void run(BatchNorm bn, int from, int to, float[] x, float[] gamma, float[] beta, float[] dy) {
      bn.forwardTraining(n, f, from, to, x, gamma, beta, EPS, 0.9f, runningMean, runningVar, y, xhat, mean, invStd);
      bn.backward(n, f, from, to, dy, xhat, gamma, invStd, dx, dGamma, dBeta);
      bn.forwardInference(n, f, from, to, x, gamma, beta, runningMean, runningVar, EPS, inferred);
    }

    float[][] outputs() {
      return new float[][] {y, xhat, mean, invStd, runningMean, runningVar, dx, dGamma, dBeta, inferred};
    }
  }

  // ---- bad ranges ----

  @Example
  void badRangesNameTheArgument() {
    float[] a = new float[8];
    expectBad("from", () -> Activations.vector().relu(-1, 4, a, a));
    expectBad("to", () -> Activations.vector().relu(5, 4, a, a));
    expectBad("x", () -> Activations.vector().relu(0, 9, a, a));
    expectBad("from", () -> Optimizers.vector().sgd(-2, 4, 0.1f, 0f, a, a));
    expectBad("w", () -> Optimizers.vector().sgd(0, 9, 0.1f, 0f, a, a));
    float[] f4 = new float[4];
    expectBad("to", () -> BatchNorm.vector().forwardTraining(2, 4, 0, 5, a, f4, f4, EPS, 0.9f, f4, f4, a, a, f4, f4));
    expectBad("to", () -> BatchNorm.vector().backward(2, 4, 3, 2, a, a, f4, f4, a, f4, f4));
    expectBad("from", () -> BatchNorm.vector().forwardInference(2, 4, -1, 2, a, f4, f4, f4, f4, EPS, a));
  }

  private static void expectBad(String argument, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, argument);
    assertTrue(e.getMessage().startsWith(argument + " "), "message should name " + argument + ": " + e.getMessage());
  }

  private static void assertOutsideUntouched(float[] a, int from, int to, String what) {
    for (int i = 0; i < a.length; i++) {
      if (i < from || i >= to) assertEquals(SENTINEL, a[i], what + ": wrote index " + i + " outside [" + from + ", " + to + ")");
    }
  }

  private static float[] filled(int len) {
    float[] a = new float[len];
    Arrays.fill(a, SENTINEL);
    return a;
  }

  private static float[] positive(Random rnd, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = 0.1f + rnd.nextFloat();
    return a;
  }
}
