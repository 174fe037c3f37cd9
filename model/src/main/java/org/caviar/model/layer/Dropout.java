package org.caviar.model.layer;

/**
 * Inverted dropout: in {@link Mode#TRAIN} each unit is kept with probability {@code 1 - rate} and
 * scaled by {@code 1 / (1 - rate)}, so the expected output equals the input and inference needs no
 * rescaling; in the other modes it passes its input through unchanged (returning the same array).
 *
 * <p>The mask comes from the layer's own SplitMix64 generator, seeded at construction: one
 * multiply-xorshift per unit and no shared state, so a seed fixes the masks and training stays
 * deterministic. The kernels have no element-wise product; these two loops are simple enough for
 * the JIT to vectorize where it can.
 */
public final class Dropout extends Layer {
  private final float rate;
  private final float keepScale;
  // keep a unit when its 24-bit uniform draw is below this threshold
  private final int keepThreshold;
  private long state;
  private float[] mask = new float[0];
  private float[] output = new float[0];
  private float[] gradInput = new float[0];
  private boolean masked;

  /**
   * @param rate probability of dropping a unit, in [0, 1)
   */
  public Dropout(String name, int size, float rate, long seed) {
    super(name, size, size);
    if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(name + ": rate must be in [0, 1), got " + rate);
    this.rate = rate;
    this.keepScale = 1f / (1f - rate);
    this.keepThreshold = (int) Math.round((1.0 - rate) * (1 << 24));
    this.state = seed;
  }

  public float rate() {
    return rate;
  }

  /** Reseeds the mask generator. */
  public void reseed(long seed) {
    this.state = seed;
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
    long s = state;
    for (int i = 0; i < len; i++) {
      s += 0x9E3779B97F4A7C15L;
      long z = s;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      mask[i] = (int) (z >>> 40) < keepThreshold ? keepScale : 0f;
    }
    state = s;
    for (int i = 0; i < len; i++) output[i] = x[i] * mask[i];
    return output;
  }

  @Override
  protected float[] backwardImpl(float[] dy, int rows) {
    if (!inputGradientNeeded()) return null;
    if (!masked) return dy;
    int len = rows * outputSize();
    for (int i = 0; i < len; i++) gradInput[i] = dy[i] * mask[i];
    return gradInput;
  }

  /** Dropout is off in the reference: gradient checks run without randomness. */
  @Override
  public void referenceForward(double[] x, int rows, double[][] params, double[] y) {
    System.arraycopy(x, 0, y, 0, rows * outputSize());
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
