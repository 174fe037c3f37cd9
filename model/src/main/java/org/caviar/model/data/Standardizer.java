package org.caviar.model.data;

import org.caviar.model.optim.Floats;

/**
 * Per-feature standardization {@code x' = (x - mean) * scale} with {@code scale = 1 / std},
 * fitted on the training split only (fitting on all data would leak the test set's statistics into
 * training). A feature that is constant in training (every value equal, e.g. the digits'
 * always-blank corner pixels) gets {@code scale = 1}: centering is all that can be done. Any other
 * gets {@code 1 / std} however small its values (at most {@link Float#MAX_VALUE}, for a spread of
 * subnormal values). It is saved with the
 * model so that new examples are transformed exactly as the training data was.
 */
public final class Standardizer {
  private final float[] mean;
  private final float[] scale;

  /** Arrays are copied. */
  public Standardizer(float[] mean, float[] scale) {
    if (mean == null || scale == null || mean.length != scale.length || mean.length == 0) {
      throw new IllegalArgumentException("mean and scale must be non-empty and of the same length");
    }
    for (int j = 0; j < mean.length; j++) {
      if (!Float.isFinite(mean[j]) || !Float.isFinite(scale[j]) || scale[j] == 0) {
        throw new IllegalArgumentException("feature " + j + ": mean " + Floats.text(mean[j]) + " and scale " + Floats.text(scale[j]) + " must be finite, scale != 0");
      }
    }
    this.mean = mean.clone();
    this.scale = scale.clone();
  }

  /** Mean and population standard deviation of each feature of {@code train}, accumulated in double. */
  public static Standardizer fit(Dataset train) {
    if (train == null) throw new IllegalArgumentException("train must not be null");
    int f = train.featureCount();
    int n = train.rows();
    if (n == 0) throw new IllegalArgumentException("cannot fit a standardizer on an empty dataset");
    float[] x = train.features();
    double[] sum = new double[f];
    for (int r = 0; r < n; r++) for (int j = 0; j < f; j++) sum[j] += x[r * f + j];
    float[] mean = new float[f];
    float[] scale = new float[f];
    double[] sq = new double[f];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < f; j++) {
        double d = x[r * f + j] - sum[j] / n;
        sq[j] += d * d;
      }
    }
    // Constant means every value equal, not a deviation below some size: an absolute threshold
    // (1e-12) left features of small units (farads) unscaled, and the double sums' rounding makes
    // a constant feature's deviation a little above 0 rather than 0.
    boolean[] varies = new boolean[f];
    for (int r = 1; r < n; r++) for (int j = 0; j < f; j++) varies[j] |= x[r * f + j] != x[j];
    for (int j = 0; j < f; j++) {
      mean[j] = (float) (sum[j] / n);
      double std = Math.sqrt(sq[j] / n);
      // A spread of subnormal values has a 1 / std past what a float holds.
      scale[j] = varies[j] ? (float) Math.min(1 / std, Float.MAX_VALUE) : 1f;
    }
    return new Standardizer(mean, scale);
  }

  public int featureCount() {
    return mean.length;
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] scale() {
    return scale.clone();
  }

  /**
   * A new dataset with standardized features.
   *
   * @throws NotFiniteException naming the row and feature, if a value standardizes to infinity
   */
  public Dataset apply(Dataset data) {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    if (data.featureCount() != mean.length) {
      throw new IllegalArgumentException("dataset has " + data.featureCount() + " features, standardizer " + mean.length);
    }
    float[] out = new float[data.features().length];
    transformFinite("features", data.features(), out, data.rows());
    return data.withFeatures(out);
  }

  /**
   * {@link #transform} into another array, then refuses a value that standardized to infinity,
   * naming it as the caller gave it ({@code name[i]}, its row and feature) with the feature's mean
   * and scale: finite data can standardize to infinity (a feature nearly constant in training has a
   * large scale), and a later check would call the caller's finite value infinite.
   */
  public void transformFinite(String name, float[] src, float[] dst, int rows) {
    transform(src, 0, dst, 0, rows);
    int f = mean.length;
    for (int i = 0; i < rows * f; i++) {
      if (!Float.isFinite(dst[i])) {
        throw new NotFiniteException(name + "[" + i + "] (row " + i / f + ", feature " + i % f + ") is " + Floats.text(src[i])
            + ", which standardizes to " + Floats.text(dst[i]) + " (mean " + Floats.text(mean[i % f]) + ", scale " + Floats.text(scale[i % f])
            + "): far outside the training data",
            i / f, i % f, src[i], dst[i]);
      }
    }
  }

  /**
   * A value that standardizes to infinity ({@link #transformFinite}, {@link #apply}), with where it
   * lies in the rows given, so that a caller can name it as its user knows it (a file's row and column).
   */
  public static final class NotFiniteException extends IllegalArgumentException {
    private final int row;
    private final int feature;
    private final float value;
    private final float standardized;

    NotFiniteException(String message, int row, int feature, float value, float standardized) {
      super(message);
      this.row = row;
      this.feature = feature;
      this.value = value;
      this.standardized = standardized;
    }

    /** The row, counted from 0 in the rows given. */
    public int row() {
      return row;
    }

    public int feature() {
      return feature;
    }

    /** The value as given. */
    public float value() {
      return value;
    }

    /** What it standardized to: an infinity. */
    public float standardized() {
      return standardized;
    }
  }

  /** Standardizes {@code rows} rows from {@code src} into {@code dst} (which may be {@code src}). */
  public void transform(float[] src, int srcOffset, float[] dst, int dstOffset, int rows) {
    int f = mean.length;
    long n = (long) rows * f;
    // Checked before any row is written: an index exception partway would leave half the rows transformed.
    if (rows < 0 || srcOffset < 0 || dstOffset < 0 || src == null || dst == null
        || srcOffset + n > src.length || dstOffset + n > dst.length) {
      throw new IllegalArgumentException(rows + " rows of " + f + " features do not fit src (" + (src == null ? "null" : src.length)
          + " values from " + srcOffset + ") and dst (" + (dst == null ? "null" : dst.length) + " values from " + dstOffset + ")");
    }
    for (int r = 0; r < rows; r++) {
      int s = srcOffset + r * f;
      int d = dstOffset + r * f;
      for (int j = 0; j < f; j++) dst[d + j] = (src[s + j] - mean[j]) * scale[j];
    }
  }
}
