package org.caviar.model.layer;

import java.util.List;
import org.caviar.model.NetworkSpec;
import org.caviar.model.optim.Counts;

/**
 * One step of a network over a batch stored as a flat row-major {@code float[]} of
 * {@code rows x inputSize()} (the array may be longer; only the prefix is read).
 *
 * <p>A layer owns its output and input-gradient buffers, sized for the largest batch seen so far:
 * they grow when a larger batch arrives and are reused otherwise, so a training loop with a fixed
 * batch size allocates nothing after its first batch. The array {@link #forward} returns stays
 * valid until the next forward call; the layer keeps a reference to its input for backward, so
 * the caller must not modify the input between forward and backward.
 *
 * <p>Backward overwrites each parameter's gradient (it never accumulates) and returns the gradient
 * with respect to the input, or {@code null} when {@link #setInputGradientNeeded(boolean)} turned
 * that off (a network's first layer: nothing consumes it, and skipping it saves a GEMM).
 *
 * <p>Each layer also has a double-precision reference of its training-mode forward,
 * {@link #referenceForward}, that the gradient check differentiates numerically, and
 * {@link #referenceBackwardError}, an estimate of its float32 backward's rounding, from which the
 * check knows how far rounding alone can move a correct gradient.
 */
public abstract class Layer {
  private final String name;
  private final int inputSize;
  private final int outputSize;
  private int capacity;
  private int forwardRows;
  private Mode forwardMode;
  private boolean inputGradientNeeded = true;

  protected Layer(String name, int inputSize, int outputSize) {
    if (inputSize <= 0) throw new IllegalArgumentException(name + ": inputSize must be > 0, got " + inputSize);
    if (outputSize <= 0) throw new IllegalArgumentException(name + ": outputSize must be > 0, got " + outputSize);
    this.name = name;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
  }

  /** Unique within a network, e.g. {@code dense1}. */
  public final String name() {
    return name;
  }

  public final int inputSize() {
    return inputSize;
  }

  public final int outputSize() {
    return outputSize;
  }

  /** Rows the current workspaces hold. */
  public final int capacity() {
    return capacity;
  }

  /**
   * Makes the workspaces hold at least {@code rows} rows; allocates only when they must grow.
   *
   * @throws IllegalArgumentException if {@code rows} rows of this layer's inputs or outputs are more
   *     values than one array holds
   */
  public final void ensureCapacity(int rows) {
    if (rows > capacity) {
      // Checked where they grow, not only in Network.ensureCapacity: a prediction's batch that fits
      // its input array but not a wider layer's (30,000 rows at 100,000 units) wrapped the size to
      // a negative int (a NegativeArraySizeException from allocate) or to a wrong positive one.
      long values = (long) rows * Math.max(inputSize, outputSize);
      if (values > NetworkSpec.MAX_ARRAY_LENGTH) {
        throw new IllegalArgumentException("a batch of " + Counts.grouped(rows) + " rows is too large for layer " + name + ": "
            + Counts.grouped(values) + " values, more than one array holds (" + Counts.grouped(NetworkSpec.MAX_ARRAY_LENGTH) + ")");
      }
      allocate(rows);
      capacity = rows;
    }
  }

  public final boolean inputGradientNeeded() {
    return inputGradientNeeded;
  }

  /** Whether backward computes the input gradient (default true). */
  public void setInputGradientNeeded(boolean needed) {
    this.inputGradientNeeded = needed;
  }

  /** Forward over {@code rows} examples; returns the layer's output buffer ({@code rows x outputSize()}). */
  public final float[] forward(float[] input, int rows, Mode mode) {
    checkRows(rows);
    if (mode == null) throw new IllegalArgumentException(name + ": mode must not be null");
    checkBatch("input", input == null ? -1 : input.length, rows, inputSize);
    ensureCapacity(rows);
    forwardRows = 0;
    float[] out = forwardImpl(input, rows, mode);
    forwardRows = rows;
    forwardMode = mode;
    return out;
  }

  /**
   * Backward for the batch of the last forward call (which must have run in a mode that
   * {@linkplain Mode#allowsBackward() allows backward}); {@code gradOutput} is
   * {@code rows x outputSize()}. Returns the input gradient or {@code null} if not needed.
   */
  public final float[] backward(float[] gradOutput, int rows) {
    if (forwardRows == 0 || !forwardMode.allowsBackward()) {
      throw new IllegalStateException(name + ": backward needs a preceding TRAIN or PROBE forward");
    }
    if (rows != forwardRows) {
      throw new IllegalArgumentException(name + ": backward rows " + rows + " != forward rows " + forwardRows);
    }
    checkBatch("gradOutput", gradOutput == null ? -1 : gradOutput.length, rows, outputSize);
    return backwardImpl(gradOutput, rows);
  }

  /** The mode of the last forward call, or null before the first. */
  public final Mode lastMode() {
    return forwardMode;
  }

  /** Trainable tensors, in a fixed order (empty by default). */
  public List<Parameter> parameters() {
    return List.of();
  }

  /** Non-trainable state a saved model carries (empty by default). */
  public List<StateTensor> state() {
    return List.of();
  }

  /**
   * Double-precision reference of the forward pass as training computes it but without
   * randomness (batch statistics for batch norm, identity for dropout): reads {@code rows x
   * inputSize()} from {@code input} and writes {@code rows x outputSize()} into {@code output},
   * with the parameters taken from {@code params}, one array per entry of {@link #parameters()}
   * in that order. Slow and allocation-free is not a goal: it exists for gradient checking.
   *
   * @throws IllegalArgumentException if {@code rows <= 0}, an array holds fewer values than
   *     {@code rows} rows need, or {@code params} does not hold one array of each parameter's size
   */
  public final void referenceForward(double[] input, int rows, double[][] params, double[] output) {
    // Checked here, as forward is: a short array or a missing parameter was an
    // ArrayIndexOutOfBoundsException from the middle of a layer's loop (rows 0 wrote nothing, silently).
    checkRows(rows);
    checkBatch("input", input, rows, inputSize());
    checkBatch("output", output, rows, outputSize());
    checkParams("params", params);
    referenceForwardImpl(input, rows, params, output);
  }

  /**
   * An estimate of the float32 backward pass's rounding error, for the gradient check, in units of
   * u = 2^-24. Given the output gradient {@code gradOutput} and the estimated error it already
   * carries ({@code errorOutput}, both {@code rows x outputSize()}), writes the estimated error of
   * each parameter-gradient entry into {@code paramErrors} (one array per entry of
   * {@link #parameters()}, sized like it) and, unless it is null, of each input-gradient entry into
   * {@code errorInput} ({@code rows x inputSize()}).
   *
   * <p>Each estimate is {@code sqrt(carried^2 + own^2)}: the incoming error carried through the
   * backward's linear map as independent errors add, in quadrature ({@code sqrt(sum_j J_ij^2 e_j^2)}),
   * and the layer's own rounding, the sum of the magnitudes of the terms its sums add. The own part
   * is what matters where a sum cancels: batch norm's input gradient is a difference of nearly
   * equal terms, and a weight feeding it can have an exact gradient of about 0 whose rounding is
   * that of terms far larger. Carrying the incoming error in quadrature, not as a sum of magnitudes,
   * keeps the estimate from growing with depth faster than the errors do (sums of magnitudes
   * compound each layer's cancellation, a factor of 10 or more per layer with batch norm).
   * {@code input} and {@code output} are the reference forward's, for {@code params}.
   *
   * @throws IllegalArgumentException as {@link #referenceForward} does, and for {@code gradOutput},
   *     {@code errorOutput}, {@code paramErrors} and a non-null {@code errorInput} likewise
   */
  public final void referenceBackwardError(
      double[] input, double[] output, int rows, double[][] params, double[] gradOutput, double[] errorOutput,
      double[][] paramErrors, double[] errorInput) {
    checkRows(rows);
    checkBatch("input", input, rows, inputSize());
    checkBatch("output", output, rows, outputSize());
    checkParams("params", params);
    checkBatch("gradOutput", gradOutput, rows, outputSize());
    checkBatch("errorOutput", errorOutput, rows, outputSize());
    checkParams("paramErrors", paramErrors);
    if (errorInput != null) checkBatch("errorInput", errorInput, rows, inputSize());
    referenceBackwardErrorImpl(input, output, rows, params, gradOutput, errorOutput, paramErrors, errorInput);
  }

  /** {@link #referenceForward} with its arguments checked. */
  protected abstract void referenceForwardImpl(double[] input, int rows, double[][] params, double[] output);

  /** {@link #referenceBackwardError} with its arguments checked. */
  protected abstract void referenceBackwardErrorImpl(
      double[] input, double[] output, int rows, double[][] params, double[] gradOutput, double[] errorOutput,
      double[][] paramErrors, double[] errorInput);

  private void checkRows(int rows) {
    if (rows <= 0) throw new IllegalArgumentException(name + ": rows must be > 0, got " + rows);
  }

  /** {@code array} holds at least {@code rows x width} values. */
  private void checkBatch(String what, double[] array, int rows, int width) {
    checkBatch(what, array == null ? -1 : array.length, rows, width);
  }

  /** An array of {@code length} values (-1: null) holds at least {@code rows x width}: the float passes' and the references' check. */
  private void checkBatch(String what, int length, int rows, int width) {
    long needed = (long) rows * width;
    if (length < needed) {
      throw new IllegalArgumentException(name + ": " + what + " needs " + needed + " elements (" + rows + " x " + width
          + "), got " + (length < 0 ? "null" : length));
    }
  }

  /** One array per entry of {@link #parameters()}, each exactly that parameter's size. */
  private void checkParams(String what, double[][] arrays) {
    if (arrays == null) throw new IllegalArgumentException(name + ": " + what + " must not be null");
    List<Parameter> ps = parameters();
    if (arrays.length != ps.size()) {
      throw new IllegalArgumentException(
          name + ": " + what + " needs " + ps.size() + " arrays (one per parameter), got " + arrays.length);
    }
    for (int t = 0; t < arrays.length; t++) {
      Parameter p = ps.get(t);
      if (arrays[t] == null) {
        throw new IllegalArgumentException(name + ": " + what + "[" + t + "] (" + p.name() + ") must not be null");
      }
      if (arrays[t].length != p.size()) {
        throw new IllegalArgumentException(
            name + ": " + what + "[" + t + "] (" + p.name() + ") needs " + p.size() + " values, got " + arrays[t].length);
      }
    }
  }

  /** Allocates workspaces for {@code rows} rows. */
  protected abstract void allocate(int rows);

  /** Forward with arguments checked and workspaces in place. */
  protected abstract float[] forwardImpl(float[] input, int rows, Mode mode);

  /** Backward with arguments checked. */
  protected abstract float[] backwardImpl(float[] gradOutput, int rows);

  /** A short description, e.g. {@code dense1 64->128 (no bias)}. */
  @Override
  public String toString() {
    return name + " " + inputSize + "->" + outputSize;
  }
}
