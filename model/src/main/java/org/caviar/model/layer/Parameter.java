package org.caviar.model.layer;

import org.caviar.model.NetworkSpec;
import org.caviar.model.optim.Counts;

/**
 * A trainable tensor: its values, the gradient backward writes for it (same length, overwritten by
 * each backward pass, never accumulated), its shape for naming entries, and whether L2 weight
 * decay applies (weights yes; biases and batch norm's gamma and beta no).
 *
 * <p>The arrays are the live storage of the layer: an optimizer updates {@link #values()} in
 * place. Both are exactly {@link #size()} long.
 *
 * <p>A parameter of an inference-only network ({@link #withoutGradient}) has values and no
 * gradient: such a network only runs forward (the evaluator's replicas, one per thread), and a
 * gradient array per value was memory nothing wrote or read.
 */
public final class Parameter {
  private final String name;
  private final float[] values;
  /** Null for a parameter {@link #withoutGradient without one}. */
  private final float[] gradient;
  private final int rows;
  private final int cols;
  private final boolean decayed;

  public Parameter(String name, int rows, int cols, boolean decayed) {
    this(name, rows, cols, decayed, true);
  }

  /** A parameter with values and no gradient, for an inference-only network: {@link #gradient()} throws. */
  public static Parameter withoutGradient(String name, int rows, int cols, boolean decayed) {
    return new Parameter(name, rows, cols, decayed, false);
  }

  /** With a gradient array or, {@code withGradient} false, without (the layers' inference-only constructors). */
  Parameter(String name, int rows, int cols, boolean decayed, boolean withGradient) {
    if (name == null) throw new IllegalArgumentException("name must not be null");
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("parameter " + name + " shape must be positive, got " + rows + " x " + cols);
    }
    // One float[]: past it Math.multiplyExact threw a bare "integer overflow" (or, just past the
    // VM's limit, the allocation an OutOfMemoryError).
    long size = (long) rows * cols;
    if (size > NetworkSpec.MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("parameter " + name + " (" + Counts.grouped(rows) + " x " + Counts.grouped(cols) + ") has "
          + Counts.grouped(size) + " values, more than one array holds (" + Counts.grouped(NetworkSpec.MAX_ARRAY_LENGTH) + ")");
    }
    this.name = name;
    this.rows = rows;
    this.cols = cols;
    this.values = new float[(int) size];
    this.gradient = withGradient ? new float[values.length] : null;
    this.decayed = decayed;
  }

  /** Qualified name, e.g. {@code dense1.weight}. */
  public String name() {
    return name;
  }

  public float[] values() {
    return values;
  }

  /**
   * The gradient backward writes.
   *
   * @throws IllegalStateException if this parameter has none ({@link #withoutGradient}): said
   *     here, before a backward pass or an optimizer writes into null
   */
  public float[] gradient() {
    if (gradient == null) {
      throw new IllegalStateException(name + " has no gradient: it belongs to an inference-only network "
          + "(Network.createForInference), which runs forward only");
    }
    return gradient;
  }

  /** Whether backward can write this parameter's gradient (false for {@link #withoutGradient}). */
  public boolean hasGradient() {
    return gradient != null;
  }

  public int size() {
    return values.length;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public boolean decayed() {
    return decayed;
  }

  /** Names entry {@code index}: {@code dense1.weight[3,5]} for a matrix, {@code dense1.bias[5]} for a vector. */
  public String entryName(int index) {
    // Past the end it named an entry of another row (p[2,0] for index 6 of 2 x 3).
    if (index < 0 || index >= values.length) {
      throw new IllegalArgumentException("index must be in [0, " + values.length + "), got " + index);
    }
    return rows == 1 ? name + "[" + index + "]" : name + "[" + index / cols + "," + index % cols + "]";
  }

  @Override
  public String toString() {
    return name + (rows == 1 ? "[" + cols + "]" : "[" + rows + "x" + cols + "]");
  }
}
