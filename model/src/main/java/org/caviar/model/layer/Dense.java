package org.caviar.model.layer;

import java.util.List;
import java.util.Random;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Gemm.Op;
import org.caviar.model.Init;

/**
 * Fully connected layer {@code Y = X W + b}, with W stored {@code in x out} row-major so that
 * forward is a plain NN product; the weight gradient is {@code X^T dY} (TN), the bias gradient the
 * column sums of dY, and the input gradient {@code dY W^T} (NT). Without a bias when a batch norm
 * follows: its beta does the bias's job, and a bias before it would be subtracted out anyway.
 */
public final class Dense extends Layer {
  private final Gemm gemm;
  private final ArrayOps ops;
  private final Parameter weight;
  private final Parameter bias;
  private final List<Parameter> parameters;
  private float[] output = new float[0];
  private float[] gradInput = new float[0];
  private float[] input;

  /**
   * @param bias whether the layer has a bias (false when a batch norm follows)
   */
  public Dense(String name, int in, int out, boolean bias, Gemm gemm, ArrayOps ops) {
    this(name, in, out, bias, gemm, ops, true);
  }

  /**
   * @param bias whether the layer has a bias (false when a batch norm follows)
   * @param withGradients false for an inference-only layer: its parameters have no gradient arrays
   *     ({@link Parameter#withoutGradient}), and backward fails naming one
   */
  public Dense(String name, int in, int out, boolean bias, Gemm gemm, ArrayOps ops, boolean withGradients) {
    super(name, in, out);
    if (gemm == null || ops == null) throw new IllegalArgumentException(name + ": kernels must not be null");
    this.gemm = gemm;
    this.ops = ops;
    this.weight = new Parameter(name + ".weight", in, out, true, withGradients);
    this.bias = bias ? new Parameter(name + ".bias", 1, out, false, withGradients) : null;
    this.parameters = bias ? List.of(weight, this.bias) : List.of(weight);
  }

  /** Draws the weights from N(0, init.std(in, out)^2) and zeroes the bias. */
  public void initialize(Init init, Random random) {
    if (init == null) throw new IllegalArgumentException("init must not be null");
    if (random == null) throw new IllegalArgumentException("random must not be null");
    double std = init.std(inputSize(), outputSize());
    float[] w = weight.values();
    for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * std);
    if (bias != null) java.util.Arrays.fill(bias.values(), 0f);
  }

  public Parameter weight() {
    return weight;
  }

  /** The bias, or null when the layer has none. */
  public Parameter bias() {
    return bias;
  }

  public boolean hasBias() {
    return bias != null;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  protected void allocate(int rows) {
    output = new float[rows * outputSize()];
    gradInput = new float[rows * inputSize()];
  }

  @Override
  protected float[] forwardImpl(float[] x, int rows, Mode mode) {
    input = x;
    int in = inputSize();
    int out = outputSize();
    gemm.gemm(Op.N, Op.N, rows, out, in, 1f, x, 0, in, weight.values(), 0, out, 0f, output, 0, out);
    if (bias != null) ops.addBias(rows, out, bias.values(), output);
    return output;
  }

  @Override
  protected float[] backwardImpl(float[] dy, int rows) {
    int in = inputSize();
    int out = outputSize();
    gemm.gemm(Op.T, Op.N, in, out, rows, 1f, input, 0, in, dy, 0, out, 0f, weight.gradient(), 0, out);
    if (bias != null) ops.columnSums(rows, out, dy, bias.gradient());
    if (!inputGradientNeeded()) return null;
    gemm.gemm(Op.N, Op.T, rows, in, out, 1f, dy, 0, out, weight.values(), 0, out, 0f, gradInput, 0, in);
    return gradInput;
  }

  @Override
  protected void referenceForwardImpl(double[] x, int rows, double[][] params, double[] y) {
    int in = inputSize();
    int out = outputSize();
    double[] w = params[0];
    double[] b = bias != null ? params[1] : null;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < out; j++) {
        double s = b != null ? b[j] : 0;
        for (int p = 0; p < in; p++) s += x[r * in + p] * w[p * out + j];
        y[r * out + j] = s;
      }
    }
  }

  /**
   * Weight {@code sum_r x[r,p] dy[r,j]}, bias {@code sum_r dy[r,j]}, input {@code sum_j w[p,j] dy[r,j]};
   * each carries the incoming errors through the same products.
   */
  @Override
  protected void referenceBackwardErrorImpl(
      double[] x, double[] y, int rows, double[][] params, double[] dy, double[] e, double[][] paramErrors,
      double[] inputError) {
    int in = inputSize();
    int out = outputSize();
    double[] w = params[0];
    for (int p = 0; p < in; p++) {
      for (int j = 0; j < out; j++) {
        double own = 0;
        double carried = 0;
        for (int r = 0; r < rows; r++) {
          double xv = x[r * in + p];
          own += Math.abs(xv * dy[r * out + j]);
          carried += xv * xv * e[r * out + j] * e[r * out + j];
        }
        paramErrors[0][p * out + j] = Math.hypot(own, Math.sqrt(carried));
      }
    }
    if (bias != null) {
      for (int j = 0; j < out; j++) {
        double own = 0;
        double carried = 0;
        for (int r = 0; r < rows; r++) {
          own += Math.abs(dy[r * out + j]);
          carried += e[r * out + j] * e[r * out + j];
        }
        paramErrors[1][j] = Math.hypot(own, Math.sqrt(carried));
      }
    }
    if (inputError == null) return;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < in; p++) {
        double own = 0;
        double carried = 0;
        for (int j = 0; j < out; j++) {
          double wv = w[p * out + j];
          own += Math.abs(wv * dy[r * out + j]);
          carried += wv * wv * e[r * out + j] * e[r * out + j];
        }
        inputError[r * in + p] = Math.hypot(own, Math.sqrt(carried));
      }
    }
  }

  @Override
  public String toString() {
    return super.toString() + (bias == null ? " (no bias)" : "");
  }
}
