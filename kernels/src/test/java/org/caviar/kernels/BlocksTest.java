package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The blocking loops' steps near Integer.MAX_VALUE: arrays that large (8 GB of floats) cannot be
 * allocated in a test, so the loops the kernels run are run here on their sizes alone, with the
 * block sizes the kernels use (VectorGemm's KC, MC, NC, NR, MR, the row groups of 4 and 8).
 */
class BlocksTest {
  private static final int[] SIZES = {
    1, 2, 4, 8, 4 * VectorGemm.L, VectorGemm.MR, VectorGemm.NR, VectorGemm.KC, VectorGemm.MC, VectorGemm.NC
  };

  /** Ends within a block or two of Integer.MAX_VALUE, and small ones. */
  private static int[] ends(int size) {
    int max = Integer.MAX_VALUE;
    return new int[] {0, 1, size - 1, size, size + 1, 3 * size, max, max - 1, max - size + 1, max - size, max - size - 1, max - 2 * size};
  }

  /** {@code for (i = start; i < end; i = next(i, size, end))}: blocks tile [start, end) exactly, each of size but the last. */
  @Test
  void nextVisitsEveryBlockOnceAndStops() {
    for (int size : SIZES) {
      for (int end : ends(size)) {
        if (end < 0) continue;
        // The last three blocks' starts: the loop from there, as the kernels run it from 0.
        int start = Math.max(0, (end - 1) / size * size - 2 * size);
        long covered = 0;
        int blocks = 0;
        for (int i = start; i < end; i = Blocks.next(i, size, end)) {
          assertTrue(i >= start, "size " + size + " end " + end + ": block at " + i);
          int len = Math.min(size, end - i);
          assertTrue(len > 0 && len <= size);
          covered += len;
          blocks++;
          assertTrue(blocks <= 4, "size " + size + " end " + end + ": the loop ran on past its end (block at " + i + ")");
        }
        assertEquals((long) end - start, covered, "size " + size + " end " + end);
      }
    }
  }

  /** {@code for (; whole(i, size, end); i += size)}: the whole blocks, and no block past end. */
  @Test
  void wholeStopsAtTheLastWholeBlock() {
    for (int size : SIZES) {
      for (int end : ends(size)) {
        if (end < 0) continue;
        int start = Math.max(0, end / size * size - 2 * size);
        int i = start;
        int blocks = 0;
        for (; Blocks.whole(i, size, end); i += size) {
          assertTrue(i >= 0 && (long) i + size <= end, "size " + size + " end " + end + ": a whole block at " + i);
          assertTrue(++blocks <= 3, "size " + size + " end " + end + ": the loop ran on past its end");
        }
        assertEquals(end / size * size, i, "size " + size + " end " + end + ": the rest starts after the whole blocks");
        assertFalse(Blocks.whole(i, size, end));
      }
    }
  }
}
