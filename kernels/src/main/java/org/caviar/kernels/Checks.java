package org.caviar.kernels;

/**
 * Argument checks shared by every kernel's public entry. They run once, before any write, and
 * throw {@link IllegalArgumentException} with a message that names the argument and its value,
 * so that a caller never sees an {@code ArrayIndexOutOfBoundsException} from deep inside a loop.
 */
final class Checks {
  private Checks() {}

  static void nonNegative(String name, int value) {
    if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
  }

  static void positive(String name, int value) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + value);
  }

  static void notNull(String name, Object array) {
    if (array == null) throw new IllegalArgumentException(name + " must not be null");
  }

  /** {@code array} holds at least {@code length} elements from index 0. */
  static void length(String name, float[] array, long length) {
    notNull(name, array);
    if (array.length < length) {
      throw new IllegalArgumentException(
          name + " has " + array.length + " elements, needs at least " + length);
    }
  }

  /** {@code array} holds at least {@code length} elements from index 0. */
  static void length(String name, int[] array, long length) {
    notNull(name, array);
    if (array.length < length) {
      throw new IllegalArgumentException(
          name + " has " + array.length + " elements, needs at least " + length);
    }
  }

  /**
   * A row-major {@code rows x cols} matrix stored from {@code offset} with leading dimension
   * {@code ld} fits in {@code array}. An empty matrix needs no storage.
   */
  static void matrix(String name, float[] array, int offset, int rows, int cols, int ld) {
    notNull(name, array);
    // No string concatenation on the happy path: this runs on every GEMM call of training.
    // Named as the callers' parameters are (aOff, lda, ...).
    if (offset < 0) throw new IllegalArgumentException(name + "Off must be >= 0, got " + offset);
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(
          "ld" + name + " (the leading dimension of " + name + ") must be >= max(1, " + cols + "), got " + ld);
    }
    if (rows == 0 || cols == 0) return;
    long last = (long) offset + (long) (rows - 1) * ld + cols;
    if (last > array.length) {
      throw new IllegalArgumentException(
          name + " has " + array.length + " elements, a " + rows + " x " + cols
              + " matrix at offset " + offset + " with leading dimension " + ld + " needs " + last);
    }
  }

  /**
   * Refuses a {@code rows x cols} block that a kernel writes ({@code name}) when it shares an
   * element with a block of the same array that it reads ({@code srcName}): the kernel would read
   * values it has already overwritten. Blocks of one array that are apart (side by side in the same
   * rows, say) pass. Exact (see {@link #share}).
   */
  static void apart(
      String name, int offset, int rows, int cols, int ld,
      String srcName, int srcOffset, int srcRows, int srcCols, int srcLd) {
    if (share(offset, rows, cols, ld, srcOffset, srcRows, srcCols, srcLd)) {
        throw new IllegalArgumentException(
            name + " overlaps " + srcName + " (the same array: " + name + " is " + rows + " x " + cols + " from " + name + "Off "
                + offset + " with ld" + name + " " + ld + ", " + srcName + " " + srcRows + " x " + srcCols + " from " + srcName
                + "Off " + srcOffset + " with ld" + srcName + " " + srcLd + "): they must not share an element");
    }
  }

  /**
   * Whether a {@code rows x cols} block from {@code offset} with leading dimension {@code ld} and
   * a {@code srcRows x srcCols} block from {@code srcOffset} with {@code srcLd}, in one array,
   * share an element. Exact, for any two leading dimensions: for each row of the first, the first
   * row of the other that could meet it decides.
   */
  static boolean share(int offset, int rows, int cols, int ld, int srcOffset, int srcRows, int srcCols, int srcLd) {
    if (rows == 0 || cols == 0 || srcRows == 0 || srcCols == 0) return false;
    for (int q = 0; q < rows; q++) {
      // Row q of the first block, [start, start + cols), counted from the other block's first element.
      long start = offset + (long) q * ld - srcOffset;
      // The first other row r that ends after start (r * srcLd + srcCols > start), then whether it begins before row q ends.
      long r = Math.max(0, Math.floorDiv(start - srcCols, (long) srcLd) + 1);
      if (r < srcRows && r * srcLd < start + cols) return true;
    }
    return false;
  }

  /**
   * Refuses {@code array}, which a kernel writes, when it is {@code other}, which the kernel reads
   * or writes too: the two would overwrite each other (a dropout mask passed as its output, batch
   * norm's batch mean as its running mean).
   */
  static void distinct(String name, float[] array, String otherName, float[] other) {
    if (array == other) {
      throw new IllegalArgumentException(name + " must not be " + otherName + " (the same array): the kernel writes " + name
          + " and needs " + otherName + " as well");
    }
  }

  /** A finite value, e.g. a scaling factor. */
  static void finite(String name, float value) {
    if (!Float.isFinite(value)) throw new IllegalArgumentException(name + " must be finite, got " + value);
  }

  /** A finite value > 0, e.g. eps or a learning rate. */
  static void positiveFinite(String name, float value) {
    if (!(value > 0) || !Float.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
  }

  /** A finite value >= 0, e.g. a weight decay. */
  static void nonNegativeFinite(String name, float value) {
    if (!(value >= 0) || !Float.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }

  /** A coefficient in [0, 1), e.g. a momentum or an averaging beta. */
  static void unitInterval(String name, float value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
  }
}
