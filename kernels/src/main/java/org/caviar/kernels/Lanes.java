package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The masks of a vector's first k lanes (preferred species), made once. A mask that a kernel makes
 * with {@code indexInRange} is a heap object unless C2 inlines the call that makes it, and whether
 * it does depends on what else it compiled first: with that call kept out of line ({@code
 * -XX:CompileCommand=dontinline,jdk.incubator.vector.*::indexInRange}) every training step of
 * TrainerTest's network allocated 5,376 bytes for good. (The suite's allocation test failures of
 * 8,960 bytes a step, first blamed on this, came from vector tanh and exp helpers that C2 had not
 * inlined; see VectorActivations.) A mask taken from this table exists already, so a masked tail
 * allocates nothing, inlined or not (the same forced run: no allocation). Loading it costs nothing
 * measurable: GEMM products with edge tiles (scratch, second of two rounds) ran 0-4% faster than
 * with indexInRange on 16 and on 8 lanes.
 *
 * <p>A masked load or store whose vector would reach past the array's end takes another path in
 * the Vector API: it checks each lane with a compare whose mask is a heap object wherever C2 does
 * not inline that check into a context where the mask's class is known, and in the suite it then
 * allocated 120 bytes a training step (GEMM's last tile of C, TrainerTest's tanh network on 8
 * lanes, 2026-12-05; JFR: {@code boolean[]} from {@code FloatVector.compareTemplate} under
 * {@code AbstractMask.checkIndexByLane}). So the kernels use masks only where the whole vector
 * lies inside the array, and do the last values of an array by element.
 */
final class Lanes {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array is created raw
  private static final VectorMask<Float>[] FIRST = new VectorMask[L + 1];

  static {
    for (int k = 0; k <= L; k++) FIRST[k] = S.indexInRange(0, k);
  }

  private Lanes() {}

  /**
   * Whether a whole vector at {@code offset} lies inside {@code a}: where it does not, a kernel goes
   * by element, since an unmasked access would throw and a masked one may allocate (see the class
   * comment). Written so that it cannot overflow for an offset near the largest array.
   */
  static boolean fits(int offset, float[] a) {
    return offset <= a.length - L;
  }

  /** Lanes j with {@code from + j < to}: what {@code indexInRange(from, to)} gives, for {@code from >= 0}. */
  static VectorMask<Float> inRange(int from, int to) {
    int k = to - from;
    return FIRST[k >= L ? L : Math.max(k, 0)];
  }
}
