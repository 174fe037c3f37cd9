package org.caviar.model.debug;

import java.util.List;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.StateTensor;

/** Layers with deliberately wrong backward passes, for showing that the gradient check can fail. */
final class BrokenLayers {
  private BrokenLayers() {}

  /** Delegates everything to a sound layer; subclasses spoil backward. */
  abstract static class Wrapper extends Layer {
    final Layer inner;

    Wrapper(Layer inner) {
      super(inner.name(), inner.inputSize(), inner.outputSize());
      this.inner = inner;
    }

    @Override
    public List<Parameter> parameters() {
      return inner.parameters();
    }

    @Override
    public List<StateTensor> state() {
      return inner.state();
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
      super.setInputGradientNeeded(needed);
      inner.setInputGradientNeeded(needed);
    }

    @Override
    protected void referenceForwardImpl(double[] input, int rows, double[][] params, double[] output) {
      inner.referenceForward(input, rows, params, output);
    }

    @Override
    protected void referenceBackwardErrorImpl(
        double[] input, double[] output, int rows, double[][] params, double[] gradOutput, double[] errorOutput,
        double[][] paramErrors, double[] errorInput) {
      inner.referenceBackwardError(input, output, rows, params, gradOutput, errorOutput, paramErrors, errorInput);
    }

    @Override
    protected void allocate(int rows) {
      inner.ensureCapacity(rows);
    }

    @Override
    protected float[] forwardImpl(float[] input, int rows, Mode mode) {
      return inner.forward(input, rows, mode);
    }

    @Override
    protected float[] backwardImpl(float[] gradOutput, int rows) {
      return inner.backward(gradOutput, rows);
    }
  }

  /** Multiplies every parameter gradient by a factor. */
  static final class ScaledParameterGradient extends Wrapper {
    private final float factor;

    ScaledParameterGradient(Layer inner, float factor) {
      super(inner);
      this.factor = factor;
    }

    @Override
    protected float[] backwardImpl(float[] gradOutput, int rows) {
      float[] dx = inner.backward(gradOutput, rows);
      for (Parameter p : inner.parameters()) {
        float[] g = p.gradient();
        for (int i = 0; i < g.length; i++) g[i] *= factor;
      }
      return dx;
    }
  }

  /** Multiplies one parameter tensor's gradient by a factor, leaving the others right. */
  static final class ScaledTensorGradient extends Wrapper {
    private final int tensor;
    private final float factor;

    ScaledTensorGradient(Layer inner, int tensor, float factor) {
      super(inner);
      this.tensor = tensor;
      this.factor = factor;
    }

    @Override
    protected float[] backwardImpl(float[] gradOutput, int rows) {
      float[] dx = inner.backward(gradOutput, rows);
      float[] g = inner.parameters().get(tensor).gradient();
      for (int i = 0; i < g.length; i++) g[i] *= factor;
      return dx;
    }
  }

  /** Subtracts {@code decay * w} from the first parameter's gradient (as if decay were forgotten). */
  static final class SubtractedDecay extends Wrapper {
    private final float decay;

    SubtractedDecay(Layer inner, float decay) {
      super(inner);
      this.decay = decay;
    }

    @Override
    protected float[] backwardImpl(float[] gradOutput, int rows) {
      float[] dx = inner.backward(gradOutput, rows);
      Parameter p = inner.parameters().get(0);
      for (int i = 0; i < p.size(); i++) p.gradient()[i] -= decay * p.values()[i];
      return dx;
    }
  }

  /** Batch norm whose input gradient ignores that the mean and variance depend on the input. */
  static final class BatchNormWithoutStatisticsGradient extends Wrapper {
    private final BatchNormLayer bn;
    private float[] dx = new float[0];
    private float[] input;

    BatchNormWithoutStatisticsGradient(BatchNormLayer bn) {
      super(bn);
      this.bn = bn;
    }

    @Override
    protected float[] forwardImpl(float[] x, int rows, Mode mode) {
      input = x;
      return bn.forward(x, rows, mode);
    }

    @Override
    protected float[] backwardImpl(float[] dy, int rows) {
      bn.backward(dy, rows); // parameter gradients stay right
      int f = outputSize();
      if (dx.length < rows * f) dx = new float[rows * f];
      for (int j = 0; j < f; j++) {
        double mean = 0;
        for (int i = 0; i < rows; i++) mean += input[i * f + j];
        mean /= rows;
        double var = 0;
        for (int i = 0; i < rows; i++) var += (input[i * f + j] - mean) * (input[i * f + j] - mean);
        double invStd = 1 / Math.sqrt(var / rows + BatchNormLayer.EPS);
        for (int i = 0; i < rows; i++) dx[i * f + j] = (float) (dy[i * f + j] * bn.gamma().values()[j] * invStd);
      }
      return inputGradientNeeded() ? dx : null;
    }
  }
}
