package org.caviar.model.layer;

/**
 * Inverted dropout: in {@link Mode#TRAIN} each unit is kept with probability {@code 1 - rate} and
 * scaled by {@code 1 / (1 - rate)}, so the expected output equals the input and inference needs no
 * rescaling; in the other modes it passes its input through unchanged (returning the same array).
 *
 * <p>The masks come from the dropout kernel ({@link org.caviar.kernels.Dropout}): a hash of the
 * layer's seed and each unit's position in the layer's stream of draws, which advances by the
 * batch's size per training pass. So a seed fixes the masks, training stays deterministic, and the
 * scalar and vector kernels draw the same masks.
 */
public final class Dropout extends Layer {
  private final float rate;
  private final org.caviar.kernels.Dropout kernel;
  private long seed;
  private long position;
  private float[] mask = new float[0];
  private float[] output = new float[0];
  private float[] gradInput = new float[0];
  private boolean masked;

  /**
   * @param rate probability of dropping a unit, in [0, 1)
   */
  public Dropout(String name, int size, float rate, long seed) {
    this(name, size, rate, seed, org.caviar.kernels.Dropout.vector());
  }

  /** On the given kernel. */
  public Dropout(String name, int size, float rate, long seed, org.caviar.kernels.Dropout kernel) {
    super(name, size, size);
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(name + ": rate must be in [0, 1), got " + rate);
    if (kernel == null) throw new IllegalArgumentException(name + ": kernel must not be null");
    this.rate = rate;
    this.kernel = kernel;
    this.seed = seed;
  }

  public float rate() {
    return rate;
  }

  /** Reseeds the mask generator and starts its stream over. */
  public void reseed(long seed) {
    this.seed = seed;
    this.position = 0;
  }

  @Override
  protected void allocate(int rows) {
    mask = new float[rows * outputSize()];
    output = new float[rows * outputSize()];
    gradInput = new float[rows * outputSize()];
  }

  @Override
  protected float[] forwardImpl(float[] x, int rows, Mode mode) {
    masked = mode == Mode.TRAIN && rate > 0;
    if (!masked) return x;
    int len = rows * outputSize();
    kernel.forward(len, seed, position, rate, x, mask, output);
    position += len;
    return output;
  }

  @Override
  protected float[] backwardImpl(float[] dy, int rows) {
    if (!inputGradientNeeded()) return null;
    if (!masked) return dy;
    kernel.backward(rows * outputSize(), mask, dy, gradInput);
    return gradInput;
  }

  /** Dropout is off in the reference: gradient checks run without randomness. */
  @Override
  protected void referenceForwardImpl(double[] x, int rows, double[][] params, double[] y) {
    System.arraycopy(x, 0, y, 0, rows * outputSize());
  }

  /** The identity, as in the reference forward: the error passes through and nothing is rounded. */
  @Override
  protected void referenceBackwardErrorImpl(
      double[] x, double[] y, int rows, double[][] params, double[] dy, double[] e, double[][] paramErrors,
      double[] inputError) {
    if (inputError != null) System.arraycopy(e, 0, inputError, 0, rows * outputSize());
  }

  /** The mask of the last TRAIN forward (0 or {@code 1 / (1 - rate)} per unit); a live view. */
  float[] mask() {
    return mask;
  }

  @Override
  public String toString() {
    return name() + " dropout(" + rate + ")";
  }
}
