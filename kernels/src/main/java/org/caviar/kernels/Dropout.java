package org.caviar.kernels;

/**
 * Inverted dropout: each element is kept with probability {@code 1 - rate} and scaled by
 * {@code 1 / (1 - rate)}, else zeroed, {@code y = x * mask}; backward is {@code dx = dy * mask}.
 *
 * <p>The mask is a pure function of a seed and each element's position in the layer's stream of
 * draws, so the two implementations give the same bits and a layer that advances its position
 * by {@code len} per call draws a new mask each time. Element at position {@code p} is kept when
 * the top 24 bits of {@code fmix32(lo(p) * weyl(hi(p)) + key(seed, hi(p)))} are below
 * {@code round((1 - rate) 2^24)}: a Weyl sequence through MurmurHash3's 32-bit finalizer, which
 * needs only 32-bit lanes (a 64-bit generator per element cost 4 ns per element in plain Java).
 * Within a block of 2^32 positions (one {@code hi}) no hash input repeats. Every block hashes the
 * same 2^32 inputs, so the blocks differ only in the order of their draws: with one increment
 * for all, the key alone would make a block's draws those of block 0 shifted by a fixed offset
 * (positions 2^32 on repeating a stretch of the stream), so each block also has an increment of
 * its own ({@code weyl(hi)}: {@code 0x9E3779B9} for block 0, distinct odd numbers after it). Draw t
 * of one block is draw {@code b + a t} (mod 2^32) of another, with a the ratio of their
 * increments: 1 with one increment for all, a replay; here an odd number far from 1, so
 * consecutive draws of one block fall far apart in the other.
 *
 * <p>Arguments: {@code len >= 0}, {@code position >= 0} with {@code position + len - 1 <= Long.MAX_VALUE},
 * {@code rate} in {@code [0, 1)}, arrays
 * not null and holding {@code len} floats; otherwise an {@link IllegalArgumentException} naming
 * the argument, before anything is written.
 */
public abstract class Dropout {
  /** The plain reference. */
  public static Dropout scalar() {
    return ScalarDropout.INSTANCE;
  }

  /** The Vector API implementation. */
  public static Dropout vector() {
    return VectorDropout.INSTANCE;
  }

  /**
   * Draws the mask of positions {@code [position, position + len)} into {@code mask} (each
   * element 0 or {@code 1 / (1 - rate)}) and writes {@code y = x * mask}. {@code y} may be
   * {@code x}; {@code mask} must be an array of its own.
   */
  public final void forward(int len, long seed, long position, float rate, float[] x, float[] mask, float[] y) {
    Checks.nonNegative("len", len);
    if (position < 0) throw new IllegalArgumentException("position must be >= 0, got " + position);
    // The last position drawn, position + len - 1, is a position too: past Long.MAX_VALUE it wrapped.
    if (len > 0 && position > Long.MAX_VALUE - (len - 1)) {
      throw new IllegalArgumentException(
          "position + len - 1 (the last position drawn) must be <= Long.MAX_VALUE, got position " + position + " and len " + len);
    }
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("rate must be in [0, 1), got " + rate);
    Checks.length("x", x, len);
    Checks.length("mask", mask, len);
    Checks.length("y", y, len);
    // y may be x; the mask is kept for the backward pass and must be neither.
    Checks.distinct("mask", mask, "x", x);
    Checks.distinct("mask", mask, "y", y);
    int threshold = keepThreshold(rate);
    float scale = 1f / (1f - rate);
    // Split where the high half of the position changes, so each part has one key.
    int done = 0;
    while (done < len) {
      long p = position + done;
      long toBoundary = (1L << 32) - (p & 0xFFFF_FFFFL);
      int part = (int) Math.min(len - done, toBoundary);
      int hi = (int) (p >>> 32);
      forwardImpl(done, part, (int) p, weyl(hi), key(seed, hi), threshold, scale, x, mask, y);
      done += part;
    }
  }

  /** {@code dx = dy * mask}; {@code dx} may be {@code dy}. */
  public final void backward(int len, float[] mask, float[] dy, float[] dx) {
    Checks.nonNegative("len", len);
    Checks.length("mask", mask, len);
    Checks.length("dy", dy, len);
    Checks.length("dx", dx, len);
    backwardImpl(len, mask, dy, dx);
  }

  /** Keep when the top 24 bits of the hash are below this. */
  static int keepThreshold(float rate) {
    return (int) Math.round((1.0 - rate) * (1 << 24));
  }

  /** The golden-ratio increment of the first 2^32 positions. */
  static final int WEYL_0 = 0x9E3779B9;

  /**
   * The Weyl increment of positions whose high 32 bits are {@code hi}: odd, so that the low 32 bits
   * map one to one onto hash inputs, and {@link #WEYL_0} for the first block (whose masks this
   * leaves as they were). {@code 2 hi C} with C odd takes 2^31 distinct values for the 2^31 blocks,
   * so no two blocks share an increment (a hashed increment would, from about 2^16 blocks on).
   */
  static int weyl(int hi) {
    return WEYL_0 + 2 * hi * 0x6A09E667;
  }

  /** The additive key of positions whose high 32 bits are {@code hi}. */
  static int key(long seed, int hi) {
    return fmix32((int) seed ^ fmix32((int) (seed >>> 32) + hi * 0x85EBCA77));
  }

  /** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
  static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  /**
   * Elements {@code [from, from + len)}: the first at low position word {@code lo}, all with the
   * increment {@code weyl} and {@code key}.
   */
  abstract void forwardImpl(
      int from, int len, int lo, int weyl, int key, int threshold, float scale, float[] x, float[] mask, float[] y);

  abstract void backwardImpl(int len, float[] mask, float[] dy, float[] dx);
}
