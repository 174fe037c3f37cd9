package org.caviar.model.layer;

import java.util.Arrays;
import java.util.List;
import org.caviar.kernels.BatchNorm;

/**
 * Batch normalization per feature, {@code y = gamma * (x - mean) / sqrt(var + eps) + beta}. In
 * {@link Mode#TRAIN} the mean and (biased) variance are the batch's and the running averages are
 * updated ({@code running = momentum * running + (1 - momentum) * batch}, unbiased variance); in
 * {@link Mode#INFERENCE} the running averages are used, so one example can be classified alone;
 * {@link Mode#PROBE} computes as TRAIN but leaves the running averages untouched. Training needs
 * at least two rows per batch.
 */
public final class BatchNormLayer extends Layer {
  /** Added to the variance; the common default, small against unit-scale features. */
  public static final float EPS = 1e-5f;
  /** Weight of the old running average per batch: about the last 10 batches count. */
  public static final float MOMENTUM = 0.9f;

  private final BatchNorm kernel;
  private final Parameter gamma;
  private final Parameter beta;
  private final List<Parameter> parameters;
  private final float[] runningMean;
  private final float[] runningVar;
  private final float[] mean;
  private final float[] invStd;
  // PROBE mode hands these to the kernel in place of the running averages, which stay untouched.
  private final float[] scratchMean;
  private final float[] scratchVar;
  private float[] output = new float[0];
  private float[] xhat = new float[0];
  private float[] gradInput = new float[0];

  public BatchNormLayer(String name, int features, BatchNorm kernel) {
    this(name, features, kernel, true);
  }

  /**
   * @param withGradients false for an inference-only layer: gamma and beta have no gradient arrays
   *     ({@link Parameter#withoutGradient}), and backward fails naming one
   */
  public BatchNormLayer(String name, int features, BatchNorm kernel, boolean withGradients) {
    super(name, features, features);
    if (kernel == null) throw new IllegalArgumentException(name + ": kernel must not be null");
    this.kernel = kernel;
    this.gamma = new Parameter(name + ".gamma", 1, features, false, withGradients);
    this.beta = new Parameter(name + ".beta", 1, features, false, withGradients);
    this.parameters = List.of(gamma, beta);
    Arrays.fill(gamma.values(), 1f);
    this.runningMean = new float[features];
    this.runningVar = new float[features];
    Arrays.fill(runningVar, 1f);
    this.mean = new float[features];
    this.invStd = new float[features];
    this.scratchMean = new float[features];
    this.scratchVar = new float[features];
  }

  public Parameter gamma() {
    return gamma;
  }

  public Parameter beta() {
    return beta;
  }

  /** Live running mean (length = features). */
  public float[] runningMean() {
    return runningMean;
  }

  /** Live running variance (length = features). */
  public float[] runningVar() {
    return runningVar;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public List<StateTensor> state() {
    return List.of(new StateTensor(name() + ".runningMean", runningMean), new StateTensor(name() + ".runningVar", runningVar));
  }

  @Override
  protected void allocate(int rows) {
    output = new float[rows * outputSize()];
    xhat = new float[rows * outputSize()];
    gradInput = new float[rows * outputSize()];
  }

  @Override
  protected float[] forwardImpl(float[] x, int rows, Mode mode) {
    int f = outputSize();
    if (mode == Mode.INFERENCE) {
      kernel.forwardInference(rows, f, x, gamma.values(), beta.values(), runningMean, runningVar, EPS, output);
      return output;
    }
    if (rows < 2) {
      throw new IllegalArgumentException(
          name() + ": " + (mode == Mode.TRAIN ? "training" : "a probe") + " uses the batch's statistics and needs at least 2 rows"
              + " (a single row has no variance), got " + rows);
    }
    boolean update = mode == Mode.TRAIN;
    kernel.forwardTraining(
        rows, f, x, gamma.values(), beta.values(), EPS, MOMENTUM,
        update ? runningMean : scratchMean, update ? runningVar : scratchVar,
        output, xhat, mean, invStd);
    return output;
  }

  @Override
  protected float[] backwardImpl(float[] dy, int rows) {
    // The kernel always writes dx; the layer's gradient buffer is there for it either way.
    kernel.backward(rows, outputSize(), dy, xhat, gamma.values(), invStd, gradInput, gamma.gradient(), beta.gradient());
    return inputGradientNeeded() ? gradInput : null;
  }

  @Override
  protected void referenceForwardImpl(double[] x, int rows, double[][] params, double[] y) {
    int f = outputSize();
    double[] g = params[0];
    double[] b = params[1];
    double[] stats = new double[2];
    for (int j = 0; j < f; j++) {
      batchStatistics(x, rows, f, j, stats);
      double mu = stats[0];
      double inv = stats[1];
      for (int r = 0; r < rows; r++) y[r * f + j] = g[j] * (x[r * f + j] - mu) * inv + b[j];
    }
  }

  /**
   * Per feature, with {@code n} rows: {@code dx_r = gamma / std * (dy_r - mean(dy) - xhat_r mean(dy xhat))},
   * {@code dgamma = sum_r dy_r xhat_r}, {@code dbeta = sum_r dy_r}. The error carried into
   * {@code dx_r} goes through the exact map, {@code J_rq = gamma / std * ([r = q] - 1 / n - xhat_r
   * xhat_q / n)}. The own error counts the magnitudes of the three terms and the forward's rounding
   * of {@code xhat} and {@code 1 / std}: {@code x_r - mean} is rounded relative to
   * {@code a_r = (|x_r| + |mean|) / std}, the variance relative to {@code mean(a |xhat|)}.
   */
  @Override
  protected void referenceBackwardErrorImpl(
      double[] x, double[] y, int rows, double[][] params, double[] dy, double[] e, double[][] paramErrors,
      double[] inputError) {
    int f = outputSize();
    double[] g = params[0];
    double[] xhat = new double[rows];
    double[] a = new double[rows];
    double[] stats = new double[2];
    for (int j = 0; j < f; j++) {
      batchStatistics(x, rows, f, j, stats);
      double mu = stats[0];
      double inv = stats[1];
      double meanDy = 0;
      double meanDyXhat = 0;
      double meanAbsDy = 0;
      double meanAbsDyXhat = 0;
      double meanAAbsDy = 0;
      double meanAXhat = 0;
      double ownGamma = 0;
      double carriedGamma = 0;
      double carriedBeta = 0;
      for (int r = 0; r < rows; r++) {
        xhat[r] = (x[r * f + j] - mu) * inv;
        a[r] = (Math.abs(x[r * f + j]) + Math.abs(mu)) * inv;
        double d = dy[r * f + j];
        double er = e[r * f + j];
        meanDy += d / rows;
        meanDyXhat += d * xhat[r] / rows;
        meanAbsDy += Math.abs(d) / rows;
        meanAbsDyXhat += Math.abs(d * xhat[r]) / rows;
        meanAAbsDy += a[r] * Math.abs(d) / rows;
        meanAXhat += a[r] * Math.abs(xhat[r]) / rows;
        ownGamma += Math.abs(d) * (Math.abs(xhat[r]) + a[r]);
        carriedGamma += xhat[r] * xhat[r] * er * er;
        carriedBeta += er * er;
      }
      paramErrors[0][j] = Math.hypot(ownGamma, Math.sqrt(carriedGamma));
      paramErrors[1][j] = Math.hypot(rows * meanAbsDy, Math.sqrt(carriedBeta));
      if (inputError == null) continue;
      double scale = Math.abs(g[j]) * inv;
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      for (int q = 0; q < rows; q++) {
        double eq2 = e[q * f + j] * e[q * f + j];
        s0 += eq2;
        s1 += xhat[q] * eq2;
        s2 += xhat[q] * xhat[q] * eq2;
      }
      for (int r = 0; r < rows; r++) {
        double dx = scale * Math.abs(dy[r * f + j] - meanDy - xhat[r] * meanDyXhat);
        double own = scale * (Math.abs(dy[r * f + j]) + meanAbsDy + a[r] * meanAbsDyXhat + Math.abs(xhat[r]) * meanAAbsDy)
            + dx * meanAXhat;
        // sum_q (J_rq e_q)^2 / scale^2 with c_q = (1 + xhat_r xhat_q) / n: e_r^2 (1 - 2 c_r) +
        // sum_q c_q^2 e_q^2, the last (S0 + 2 xhat_r S1 + xhat_r^2 S2) / n^2; O(n) a row, not O(n^2).
        double er = e[r * f + j];
        double cr = (1 + xhat[r] * xhat[r]) / rows;
        double sums = (s0 + 2 * xhat[r] * s1 + xhat[r] * xhat[r] * s2) / ((double) rows * rows);
        double carried = Math.max(0, er * er * (1 - 2 * cr) + sums);
        inputError[r * f + j] = Math.hypot(own, scale * Math.sqrt(carried));
      }
    }
  }

  /** Feature j's batch mean and {@code 1 / sqrt(biased variance + EPS)} in double, into {@code out[0]} and {@code out[1]}. */
  private static void batchStatistics(double[] x, int rows, int f, int j, double[] out) {
    double sum = 0;
    for (int r = 0; r < rows; r++) sum += x[r * f + j];
    double mu = sum / rows;
    double v = 0;
    for (int r = 0; r < rows; r++) {
      double d = x[r * f + j] - mu;
      v += d * d;
    }
    out[0] = mu;
    out[1] = 1 / Math.sqrt(v / rows + EPS);
  }
}
