package org.caviar.kernels;

/**
 * Loop steps over blocks of an index range that stay correct up to {@link Integer#MAX_VALUE}.
 * The kernels' blocking loops ({@code for (pc = 0; pc < k; pc += KC)}, {@code for (; i + 4 <= n;
 * i += 4)}) wrapped negative when the range ended within one block of Integer.MAX_VALUE and ran
 * on past its end. These run once per block, not per element: they cost nothing in the loops.
 */
final class Blocks {
  private Blocks() {}

  /**
   * The start of the block after the one at {@code start}: {@code start + size}, or {@code end}
   * when fewer than {@code size} indices are left. Never past {@code end} (for {@code 0 <= start
   * <= end}), so {@code for (i = 0; i < end; i = next(i, size, end))} stops for any end.
   */
  static int next(int start, int size, int end) {
    return size < end - start ? start + size : end;
  }

  /**
   * Whether a whole block of {@code size} starting at {@code start} ends by {@code end}: {@code
   * start + size <= end} without the overflow (for {@code start >= 0} and {@code size >= 0}).
   */
  static boolean whole(int start, int size, int end) {
    return start <= end - size;
  }
}
