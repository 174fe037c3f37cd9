package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.function.Executable;

/**
 * Dropout: the vector kernel against the reference (the same bits: the mask is integer hashing and
 * {@code y = x * mask} one rounding in both), the mask as a stream (a call cut in two draws what one
 * call draws, across the 2^32 positions where the key changes too), the keep rate and the
 * independence of neighbouring draws within binomial bounds, backward, and the argument checks.
 */
class DropoutProperties {
  private static final Dropout SCALAR = Dropout.scalar();
  private static final Dropout VECTOR = Dropout.vector();

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(600);
  }

  /** A position, a third of them just below a 2^32 boundary so that calls cross it. */
  private static long position(Random rnd) {
    return switch (rnd.nextInt(3)) {
      case 0 -> rnd.nextInt(1000);
      case 1 -> (1L << 32) * (1 + rnd.nextInt(3)) - rnd.nextInt(40);
      default -> rnd.nextLong() >>> 2;
    };
  }

  @Property(tries = 60)
  void vectorGivesTheReferenceBits(@ForAll("sizes") int len, @ForAll long seed, @ForAll long draw) {
    Random rnd = new Random(draw);
    long position = position(rnd);
    float rate = rnd.nextFloat() * 0.9f;
    float[] x = Shapes.uniform(rnd, len, 3f);
    float[] ms = new float[len], ys = new float[len], mv = new float[len], yv = new float[len];
    SCALAR.forward(len, seed, position, rate, x, ms, ys);
    VECTOR.forward(len, seed, position, rate, x, mv, yv);
    assertArrayEquals(ms, mv, "mask");
    assertArrayEquals(ys, yv, "output");
    float scale = 1f / (1f - rate);
    for (int i = 0; i < len; i++) {
      assertTrue(ms[i] == 0f || ms[i] == scale, "mask " + ms[i]);
      assertEquals(x[i] * ms[i], ys[i]);
    }
    // In place (y over x), and backward, also in place (dx over dy), in both.
    float[] dy = Shapes.uniform(rnd, len, 1f);
    float[] ds = new float[len], dv = new float[len];
    SCALAR.backward(len, ms, dy, ds);
    VECTOR.backward(len, mv, dy, dv);
    assertArrayEquals(ds, dv, "backward");
    for (int i = 0; i < len; i++) assertEquals(dy[i] * ms[i], ds[i]);
    for (Dropout d : new Dropout[] {SCALAR, VECTOR}) {
      float[] inPlace = x.clone();
      d.forward(len, seed, position, rate, inPlace, new float[len], inPlace);
      assertArrayEquals(yv, inPlace, d.getClass().getSimpleName() + " in place");
      float[] grad = dy.clone();
      d.backward(len, ms, grad, grad);
      assertArrayEquals(ds, grad, d.getClass().getSimpleName() + " backward in place");
    }
  }

  @Property(tries = 40)
  void aCallCutInTwoDrawsWhatOneCallDraws(@ForAll("sizes") int len, @ForAll long seed, @ForAll long draw, @ForAll boolean vector) {
    Dropout d = vector ? VECTOR : SCALAR;
    Random rnd = new Random(draw);
    long position = position(rnd);
    int cut = rnd.nextInt(len + 1);
    float[] x = Shapes.uniform(rnd, len, 1f);
    float[] whole = new float[len];
    d.forward(len, seed, position, 0.5f, x, whole, new float[len]);
    float[] first = new float[cut];
    float[] second = new float[len - cut];
    d.forward(cut, seed, position, 0.5f, x, first, new float[cut]);
    d.forward(len - cut, seed, position + cut, 0.5f, Arrays.copyOfRange(x, cut, len), second, new float[len - cut]);
    float[] joined = Arrays.copyOf(first, len);
    System.arraycopy(second, 0, joined, cut, len - cut);
    assertArrayEquals(whole, joined);
  }

  /**
   * Over n = 2^20 draws the kept count is Binomial(n, 1 - rate): within 5 standard deviations
   * (a false failure about once in 1.7 million). Pairs of neighbours both kept: n - 1 draws of
   * probability (1 - rate)^2 if neighbours are independent; their count's deviation is bounded
   * the same way (the pairs overlap, which at most doubles the variance: 5 sqrt(2) sigma).
   */
  @Property(tries = 8)
  void keepRateAndNeighboursAreThoseOfIndependentDraws(@ForAll long seed, @ForAll long draw) {
    Random rnd = new Random(draw);
    float rate = 0.05f + rnd.nextFloat() * 0.85f;
    int n = 1 << 20;
    float[] x = new float[n];
    Arrays.fill(x, 1f);
    float[] mask = new float[n];
    VECTOR.forward(n, seed, position(rnd), rate, x, mask, new float[n]);
    double keep = 1 - rate;
    int kept = 0;
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      if (mask[i] != 0) {
        kept++;
        if (i + 1 < n && mask[i + 1] != 0) pairs++;
      }
    }
    double sigma = Math.sqrt(n * keep * (1 - keep));
    assertTrue(Math.abs(kept - n * keep) <= 5 * sigma + 1, "kept " + kept + " of " + n + " at keep " + keep);
    double p2 = keep * keep;
    double sigma2 = Math.sqrt(2 * (n - 1) * p2 * (1 - p2));
    assertTrue(Math.abs(pairs - (n - 1) * p2) <= 5 * sigma2 + 1, "neighbour pairs kept " + pairs + ", expected " + (n - 1) * p2);
  }

  /**
   * The blocks of 2^32 positions are not shifted copies of the first. Every block hashes the same
   * 2^32 inputs; had they all one Weyl increment W, the input of position 2^32 hi + t,
   * {@code t W + key(hi)}, would be that of position {@code delta + t} of block 0 with
   * {@code delta = (key(hi) - key(0)) / W} (mod 2^32), and every mask from 2^32 hi on would replay
   * the stretch of block 0 from delta (so it did: a layer's stream repeated after 2^32 draws). A
   * window of 256 draws at rate 1/2 agrees by chance with probability 2^-256. Block 0 keeps the
   * formula's increment W.
   */
  @Property(tries = 20)
  void laterBlocksDoNotReplayTheFirst(@ForAll long seed, @ForAll boolean vector) {
    Dropout d = vector ? VECTOR : SCALAR;
    int w = 0x9E3779B9; // block 0's increment (the documented formula)
    int inverse = w; // Newton's iteration for the inverse of w mod 2^32: 5 steps from 3 bits
    for (int k = 0; k < 5; k++) inverse *= 2 - w * inverse;
    assertEquals(1, w * inverse);
    int n = 256;
    float[] x = new float[n];
    Arrays.fill(x, 1f);
    // Block 0 draws what the documented formula gives with increment w (masks of the first 2^32
    // positions, all that training reaches in practice, are those of the original hash).
    float[] start = new float[n];
    d.forward(n, seed, 0, 0.5f, x, start, new float[n]);
    for (int t = 0; t < n; t++) {
      boolean kept = (Dropout.fmix32(t * w + Dropout.key(seed, 0)) >>> 8) < Dropout.keepThreshold(0.5f);
      assertEquals(kept ? 2f : 0f, start[t], "position " + t);
    }
    for (int hi : new int[] {1, 2, 3, 1000, Integer.MAX_VALUE}) {
      long delta = Integer.toUnsignedLong((Dropout.key(seed, hi) - Dropout.key(seed, 0)) * inverse);
      if (delta > (1L << 32) - n) continue; // the stretch would run into block 1
      float[] later = new float[n];
      float[] first = new float[n];
      d.forward(n, seed, (long) hi << 32, 0.5f, x, later, new float[n]);
      d.forward(n, seed, delta, 0.5f, x, first, new float[n]);
      assertFalse(Arrays.equals(first, later), "block " + hi + " replays block 0 from " + delta);
    }
  }

  @Example
  void nextPositionsAndOtherSeedsDrawOtherMasks() {
    int len = 256;
    float[] x = new float[len];
    Arrays.fill(x, 1f);
    float[] a = new float[len], b = new float[len], c = new float[len];
    VECTOR.forward(len, 7, 0, 0.5f, x, a, new float[len]);
    VECTOR.forward(len, 7, len, 0.5f, x, b, new float[len]);
    VECTOR.forward(len, 8, 0, 0.5f, x, c, new float[len]);
    assertFalse(Arrays.equals(a, b), "the next positions drew the same mask");
    assertFalse(Arrays.equals(a, c), "another seed drew the same mask");
  }

  @Example
  void rateZeroKeepsEverything() {
    float[] x = {1f, -2f, 3f, 4.5f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f};
    float[] mask = new float[x.length], y = new float[x.length];
    VECTOR.forward(x.length, 3, 5, 0f, x, mask, y);
    assertArrayEquals(x, y);
  }

  @Example
  void badArgumentsNameThemselves() {
    float[] a = new float[4];
    for (Dropout d : new Dropout[] {SCALAR, VECTOR}) {
      expectBad("rate", () -> d.forward(4, 1, 0, 1f, a, a, a));
      expectBad("rate", () -> d.forward(4, 1, 0, Float.NaN, a, a, a));
      expectBad("position", () -> d.forward(4, 1, -1, 0.5f, a, a, a));
      // Positions past Long.MAX_VALUE wrapped to negative ones, which the call refuses as a
      // position; the last one may be Long.MAX_VALUE itself.
      expectBad("position", () -> d.forward(4, 1, Long.MAX_VALUE - 2, 0.5f, a, new float[4], a));
      expectBad("position", () -> d.forward(2, 1, Long.MAX_VALUE, 0.5f, a, new float[4], a));
      d.forward(4, 1, Long.MAX_VALUE - 3, 0.5f, a, new float[4], a);
      d.forward(0, 1, Long.MAX_VALUE, 0.5f, a, new float[4], a);
      expectBad("len", () -> d.forward(-1, 1, 0, 0.5f, a, a, a));
      expectBad("mask", () -> d.forward(4, 1, 0, 0.5f, a, new float[3], a));
      expectBad("dx", () -> d.backward(4, a, a, new float[2]));
      // The mask as the output or the input: y = x * mask overwrote it (4.0 kept where 2.0 was drawn).
      float[] x = {1, 2, 3, 4};
      float[] mask = new float[4];
      expectBad("mask", () -> d.forward(4, 1, 0, 0.5f, x, mask, mask));
      expectBad("mask", () -> d.forward(4, 1, 0, 0.5f, mask, mask, x));
    }
  }

  private static void expectBad(String argument, Executable call) {
    BadArguments.rejects(argument, call);
  }
}
