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
    super(name, features, features);
    if (kernel == null) throw new IllegalArgumentException(name + ": kernel must not be null");
    this.kernel = kernel;
    this.gamma = new Parameter(name + ".gamma", 1, features, false);
    this.beta = new Parameter(name + ".beta", 1, features, false);
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
          name() + ": training needs a batch of at least 2 rows (a single row has no variance), got " + rows);
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
  public void referenceForward(double[] x, int rows, double[][] params, double[] y) {
    int f = outputSize();
    double[] g = params[0];
    double[] b = params[1];
    for (int j = 0; j < f; j++) {
      double s = 0;
      for (int r = 0; r < rows; r++) s += x[r * f + j];
      double mu = s / rows;
      double v = 0;
      for (int r = 0; r < rows; r++) {
        double d = x[r * f + j] - mu;
        v += d * d;
      }
      double inv = 1 / Math.sqrt(v / rows + EPS);
      for (int r = 0; r < rows; r++) y[r * f + j] = g[j] * (x[r * f + j] - mu) * inv + b[j];
    }
  }
}
