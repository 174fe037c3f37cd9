package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dropout on the Vector API: the hash of {@link Dropout} for L positions at once in 32-bit integer
 * lanes of the same shape as the float vectors (so one int lane's keep test masks one float lane),
 * then a blend and a multiply. Integer arithmetic wraps identically in both implementations and
 * {@code x * mask} is one rounding in both, so they give the same bits. Tail: the reference itself.
 */
final class VectorDropout extends Dropout {
  static final VectorDropout INSTANCE = new VectorDropout();

  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
  private static final int L = FS.length();
  /** 0, 1, ..., L - 1: lane offsets of the position, times the Weyl increment for the hash input. */
  private static final int[] LANE = new int[L];

  static {
    for (int i = 0; i < L; i++) LANE[i] = i;
  }

  private VectorDropout() {}

  @Override
  void forwardImpl(
      int from, int len, int lo, int weyl, int key, int threshold, float scale, float[] x, float[] mask, float[] y) {
    IntVector steps = IntVector.fromArray(IS, LANE, 0).mul(weyl);
    FloatVector keepValue = FloatVector.broadcast(FS, scale);
    FloatVector zero = FloatVector.zero(FS);
    int i = 0;
    for (int bound = FS.loopBound(len); i < bound; i += L) {
      // lane j hashes (lo + i + j) * W + key = (lo + i) * W + key + j * W
      IntVector h = steps.add((lo + i) * weyl + key);
      h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
      h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
      h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
      VectorMask<Float> keep = h.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.LT, threshold).cast(FS);
      FloatVector m = zero.blend(keepValue, keep);
      m.intoArray(mask, from + i);
      FloatVector.fromArray(FS, x, from + i).mul(m).intoArray(y, from + i);
    }
    if (i < len) ScalarDropout.INSTANCE.forwardImpl(from + i, len - i, lo + i, weyl, key, threshold, scale, x, mask, y);
  }

  @Override
  void backwardImpl(int len, float[] mask, float[] dy, float[] dx) {
    int i = 0;
    for (int bound = FS.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(FS, dy, i).mul(FloatVector.fromArray(FS, mask, i)).intoArray(dx, i);
    }
    for (; i < len; i++) dx[i] = dy[i] * mask[i];
  }
}
