package org.caviar.model.layer;

import org.caviar.kernels.Activations;
import org.caviar.model.Activation;

/**
 * An element-wise non-linearity. Backward keeps what the kernel needs: the input for ReLU and
 * leaky ReLU, its own output for tanh and sigmoid.
 */
public final class ActivationLayer extends Layer {
  private final Activation activation;
  private final float slope;
  private final Activations kernel;
  private float[] output = new float[0];
  private float[] gradInput = new float[0];
  private float[] input;

  /**
   * @param slope leaky ReLU's slope for negative inputs, in [0, 1); ignored by the others
   */
  public ActivationLayer(String name, int size, Activation activation, float slope, Activations kernel) {
    super(name, size, size);
    if (activation == null || kernel == null) {
      throw new IllegalArgumentException(name + ": activation and kernel must not be null");
    }
    if (activation == Activation.LEAKY_RELU && !(slope >= 0 && slope < 1)) {
      throw new IllegalArgumentException(name + ": leaky ReLU slope must be in [0, 1), got " + slope);
    }
    this.activation = activation;
    this.slope = slope + 0f; // -0 as +0: the layer's description said "leaky_relu(-0.0)"
    this.kernel = kernel;
  }

  public Activation activation() {
    return activation;
  }

  public float slope() {
    return slope;
  }

  @Override
  protected void allocate(int rows) {
    output = new float[rows * outputSize()];
    gradInput = new float[rows * outputSize()];
  }

  @Override
  protected float[] forwardImpl(float[] x, int rows, Mode mode) {
    input = x;
    int len = rows * outputSize();
    switch (activation) {
      case RELU -> kernel.relu(len, x, output);
      case LEAKY_RELU -> kernel.leakyRelu(len, slope, x, output);
      case TANH -> kernel.tanh(len, x, output);
      case SIGMOID -> kernel.sigmoid(len, x, output);
    }
    return output;
  }

  @Override
  protected float[] backwardImpl(float[] dy, int rows) {
    if (!inputGradientNeeded()) return null;
    int len = rows * outputSize();
    switch (activation) {
      case RELU -> kernel.reluBackward(len, input, dy, gradInput);
      case LEAKY_RELU -> kernel.leakyReluBackward(len, slope, input, dy, gradInput);
      case TANH -> kernel.tanhBackward(len, output, dy, gradInput);
      case SIGMOID -> kernel.sigmoidBackward(len, output, dy, gradInput);
    }
    return gradInput;
  }

  @Override
  protected void referenceForwardImpl(double[] x, int rows, double[][] params, double[] y) {
    int len = rows * outputSize();
    for (int i = 0; i < len; i++) y[i] = apply(activation, slope, x[i]);
  }

  /**
   * {@code dx = f'(x) dy}: the error carried is {@code |f'| e}; its own, one product, plus for tanh
   * and sigmoid the slope computed from an output within 2 ulp (see Activations), off by up to 4 u.
   */
  @Override
  protected void referenceBackwardErrorImpl(
      double[] x, double[] y, int rows, double[][] params, double[] dy, double[] e, double[][] paramErrors,
      double[] inputError) {
    if (inputError == null) return;
    int len = rows * outputSize();
    for (int i = 0; i < len; i++) {
      double slopeHere = switch (activation) {
        case RELU -> x[i] > 0 ? 1 : 0;
        case LEAKY_RELU -> x[i] > 0 ? 1 : slope;
        case TANH -> 1 - y[i] * y[i];
        case SIGMOID -> y[i] * (1 - y[i]);
      };
      double approximated = activation == Activation.TANH || activation == Activation.SIGMOID ? 4 : 0;
      inputError[i] = Math.hypot((Math.abs(slopeHere) + approximated) * Math.abs(dy[i]), slopeHere * e[i]);
    }
  }

  /**
   * The activation in double precision ({@code slope} is leaky ReLU's).
   *
   * @throws IllegalArgumentException if {@code activation} is null
   */
  public static double apply(Activation activation, double slope, double x) {
    // A bare NullPointerException from the switch otherwise.
    if (activation == null) throw new IllegalArgumentException("activation must not be null");
    return switch (activation) {
      case RELU -> Math.max(x, 0);
      case LEAKY_RELU -> x > 0 ? x : slope * x;
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
    };
  }

  @Override
  public String toString() {
    return name() + " " + (activation == Activation.LEAKY_RELU ? activation.label() + "(" + slope + ")" : activation.label());
  }
}
