package org.caviar.model.layer;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.caviar.model.Activation;
import org.caviar.model.Kernels;
import org.caviar.model.TestShapes;

/**
 * {@link Layer#referenceBackwardError}, the rounding estimate the gradient check scales its
 * allowance by, held to its three claims for every kind of layer:
 * <ul>
 *   <li>the error carried is the backward's linear map in quadrature: with no gradient of its own,
 *       the estimate squared is the sum of the squares of the float backward applied to each
 *       incoming error alone (to within the float backward's rounding of each);
 *   <li>the layer's own part covers its rounding: the float backward of one layer differs from the
 *       exact gradient (central differences of the double reference forward) by less than 64 u
 *       times it, the check's allowance;
 *   <li>the own part is the terms' magnitudes, not more: where no term is negative nothing cancels,
 *       and it equals the gradient (plus tanh and sigmoid's 4 u |dy| for their approximated output;
 *       dropout rounds nothing, so 0).
 * </ul>
 * Batch norm always cancels (its input gradient sums to zero over the batch), so the third holds
 * for it only as the first two and GradientCheckProperties' broken batch norm show.
 */
class BackwardErrorProperties {
  private static final Kernels K = Kernels.vector();

  enum Kind { DENSE, DENSE_WITHOUT_BIAS, BATCH_NORM, RELU, LEAKY_RELU, TANH, SIGMOID, DROPOUT }

  @Provide
  Arbitrary<Integer> sizes() {
    return TestShapes.sizes(2, 13);
  }

  /** {@code in} is the input width of the dense kinds; the others are {@code out} wide on both sides. */
  private static Layer layer(Kind kind, int in, int out, Random rnd, boolean nonNegative) {
    Layer layer = switch (kind) {
      case DENSE -> new Dense("d", in, out, true, K.gemm(), K.arrayOps());
      case DENSE_WITHOUT_BIAS -> new Dense("d", in, out, false, K.gemm(), K.arrayOps());
      case BATCH_NORM -> new BatchNormLayer("bn", out, K.batchNorm());
      case RELU -> new ActivationLayer("a", out, Activation.RELU, 0f, K.activations());
      case LEAKY_RELU -> new ActivationLayer("a", out, Activation.LEAKY_RELU, 0.1f, K.activations());
      case TANH -> new ActivationLayer("a", out, Activation.TANH, 0f, K.activations());
      case SIGMOID -> new ActivationLayer("a", out, Activation.SIGMOID, 0f, K.activations());
      case DROPOUT -> new Dropout("dr", out, 0.5f, 1L);
    };
    for (Parameter p : layer.parameters()) {
      float[] v = TestShapes.uniform(rnd, p.size(), 1f);
      for (int i = 0; i < v.length; i++) {
        if (nonNegative) v[i] = Math.abs(v[i]);
        if (p.name().endsWith(".gamma")) v[i] += 0.5f;
      }
      System.arraycopy(v, 0, p.values(), 0, v.length);
    }
    return layer;
  }

  private static double[][] params(Layer layer) {
    List<Parameter> ps = layer.parameters();
    double[][] p = new double[ps.size()][];
    for (int t = 0; t < p.length; t++) p[t] = TestShapes.toDouble(ps.get(t).values(), ps.get(t).size());
    return p;
  }

  /** Input error first, then each parameter's; {@code dy} and {@code e} as the output's gradient and error. */
  private static List<double[]> estimate(Layer layer, float[] x, int rows, float[] dy, double[] e) {
    double[][] p = params(layer);
    double[] xd = TestShapes.toDouble(x, rows * layer.inputSize());
    double[] yd = new double[rows * layer.outputSize()];
    layer.referenceForward(xd, rows, p, yd);
    double[][] paramErrors = new double[p.length][];
    for (int t = 0; t < p.length; t++) paramErrors[t] = new double[p[t].length];
    double[] inputError = new double[rows * layer.inputSize()];
    layer.referenceBackwardError(xd, yd, rows, p, TestShapes.toDouble(dy, dy.length), e, paramErrors, inputError);
    List<double[]> out = new ArrayList<>(List.of(inputError));
    out.addAll(List.of(paramErrors));
    return out;
  }

  /** The float backward's gradients, input first, copied. */
  private static List<float[]> backward(Layer layer, float[] x, int rows, float[] dy) {
    layer.forward(x, rows, Mode.PROBE);
    List<float[]> out = new ArrayList<>(List.of(layer.backward(dy, rows).clone()));
    for (Parameter p : layer.parameters()) out.add(p.gradient().clone());
    return out;
  }

  @Property(tries = 80)
  void theErrorCarriedIsTheBackwardMapInQuadrature(
      @ForAll Kind kind, @ForAll("sizes") int rows, @ForAll("sizes") int in, @ForAll("sizes") int out, @ForAll long seed) {
    Random rnd = new Random(seed);
    Layer layer = layer(kind, in, out, rnd, false);
    float[] x = TestShapes.uniform(rnd, rows * layer.inputSize(), 2f);
    int n = rows * layer.outputSize();
    double[] e = new double[n];
    for (int i = 0; i < n; i++) e[i] = (float) (1 + 3 * rnd.nextDouble()); // exact in float, as the backward takes it
    List<double[]> estimated = estimate(layer, x, rows, new float[n], e);
    List<double[]> squares = new ArrayList<>();
    List<double[]> roundings = new ArrayList<>();
    for (double[] a : estimated) {
      squares.add(new double[a.length]);
      roundings.add(new double[a.length]);
    }
    for (int q = 0; q < n; q++) {
      float[] unit = new float[n];
      unit[q] = (float) e[q];
      List<float[]> g = backward(layer, x, rows, unit);
      // How far float32 may round this column of the map: the layer's own error for it, times the
      // check's 64 (the next property holds the own error to that).
      List<double[]> own = estimate(layer, x, rows, unit, new double[n]);
      for (int k = 0; k < g.size(); k++) {
        for (int i = 0; i < squares.get(k).length; i++) {
          squares.get(k)[i] += (double) g.get(k)[i] * g.get(k)[i];
          roundings.get(k)[i] += Math.pow(64 * U * own.get(k)[i], 2);
        }
      }
    }
    for (int k = 0; k < estimated.size(); k++) {
      for (int i = 0; i < estimated.get(k).length; i++) {
        double actual = Math.sqrt(squares.get(k)[i]);
        double est = estimated.get(k)[i];
        assertTrue(Math.abs(est - actual) <= Math.sqrt(roundings.get(k)[i]) + 1e-12 * est,
            kind + " gradient " + k + " [" + i + "]: estimated " + est + ", backward map " + actual);
      }
    }
  }

  @Property(tries = 80)
  void theOwnErrorCoversOneLayersRounding(
      @ForAll Kind kind, @ForAll("sizes") int rows, @ForAll("sizes") int in, @ForAll("sizes") int out, @ForAll long seed) {
    Random rnd = new Random(seed);
    Layer layer = layer(kind, in, out, rnd, false);
    float[] x = TestShapes.uniform(rnd, rows * layer.inputSize(), 2f);
    // The differences below step by h = 1e-6: an input nearer a ReLU's kink than that averages the
    // two slopes (about 5e-7 of the draws, so a failure in some 800 CI runs). Kept 1e-3 away.
    for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) < 1e-3f) x[i] = x[i] < 0 ? -1e-3f : 1e-3f;
    float[] dy = TestShapes.uniform(rnd, rows * layer.outputSize(), 1f);
    List<double[]> own = estimate(layer, x, rows, dy, new double[dy.length]);
    List<float[]> g = backward(layer, x, rows, dy);
    // Exact: central differences of <dy, f(x, params)> in double, h = 1e-6. It is bilinear for
    // dense, so exact up to double rounding, ~1e-16 * 10 / 1e-6 = 1e-9 of the terms; for the others
    // the truncation h^2 |f'''| / 6 adds ~1e-12.
    double[][] p = params(layer);
    double[] xd = TestShapes.toDouble(x, x.length);
    List<double[]> exact = new ArrayList<>();
    exact.add(differences(layer, xd, rows, p, dy, xd));
    for (double[] t : p) exact.add(differences(layer, xd, rows, p, dy, t));
    for (int k = 0; k < g.size(); k++) {
      for (int i = 0; i < own.get(k).length; i++) {
        double diff = Math.abs(g.get(k)[i] - exact.get(k)[i]);
        assertTrue(diff <= 64 * U * own.get(k)[i] + 1e-8,
            kind + " gradient " + k + " [" + i + "]: float " + g.get(k)[i] + ", exact " + exact.get(k)[i] + ", own error " + own.get(k)[i] + " u");
      }
    }
  }

  private static double[] differences(Layer layer, double[] x, int rows, double[][] p, float[] dy, double[] of) {
    double h = 1e-6;
    double[] y = new double[rows * layer.outputSize()];
    double[] d = new double[of.length];
    for (int i = 0; i < of.length; i++) {
      double v = of[i];
      of[i] = v + h;
      layer.referenceForward(x, rows, p, y);
      double plus = 0;
      for (int o = 0; o < y.length; o++) plus += dy[o] * y[o];
      of[i] = v - h;
      layer.referenceForward(x, rows, p, y);
      double minus = 0;
      for (int o = 0; o < y.length; o++) minus += dy[o] * y[o];
      of[i] = v;
      d[i] = (plus - minus) / (2 * h);
    }
    return d;
  }

  @Property(tries = 80)
  void withNothingToCancelTheOwnErrorIsTheGradient(
      @ForAll Kind kind, @ForAll("sizes") int rows, @ForAll("sizes") int in, @ForAll("sizes") int out, @ForAll long seed) {
    if (kind == Kind.BATCH_NORM) return; // always cancels; see the class comment
    Random rnd = new Random(seed);
    Layer layer = layer(kind, in, out, rnd, true);
    float[] x = TestShapes.uniform(rnd, rows * layer.inputSize(), 2f);
    float[] dy = TestShapes.uniform(rnd, rows * layer.outputSize(), 1f);
    for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]);
    for (int i = 0; i < dy.length; i++) dy[i] = Math.abs(dy[i]);
    List<double[]> own = estimate(layer, x, rows, dy, new double[dy.length]);
    List<float[]> g = backward(layer, x, rows, dy);
    boolean approximated = kind == Kind.TANH || kind == Kind.SIGMOID;
    for (int k = 0; k < g.size(); k++) {
      for (int i = 0; i < own.get(k).length; i++) {
        // Dropout rounds nothing (it passes the gradient on): its own error is 0.
        double expected = kind == Kind.DROPOUT ? 0 : Math.abs(g.get(k)[i]) + (approximated && k == 0 ? 4 * dy[i] : 0);
        // The float gradient is the same sum rounded (at most 13 terms: 16 u), and tanh and
        // sigmoid's slopes come from outputs within 2 ulp (4 u of |dy|).
        assertTrue(Math.abs(own.get(k)[i] - expected) <= 16 * U * own.get(k)[i] + (approximated ? 4 * U * dy[i] : 0),
            kind + " gradient " + k + " [" + i + "]: own error " + own.get(k)[i] + ", gradient " + g.get(k)[i]);
      }
    }
  }
}
