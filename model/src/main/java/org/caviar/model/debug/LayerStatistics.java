package org.caviar.model.debug;

import java.util.ArrayList;
import java.util.List;
import org.caviar.model.Activation;
import org.caviar.model.Network;
import org.caviar.model.layer.ActivationLayer;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.train.Figures;

/**
 * One layer's outputs and output gradients on a probe batch.
 *
 * @param layer the layer's name
 * @param activations histogram of its outputs
 * @param gradients histogram of the loss gradient with respect to its outputs; empty (no value,
 *     a NaN range) when the probe's logits were not finite, since no gradient was computed then
 * @param mean mean output
 * @param std standard deviation of the outputs
 * @param saturatedFraction tanh: fraction of outputs with {@code |y| > 0.99}; sigmoid: with
 *     {@code y < 0.01} or {@code y > 0.99} (their derivative is then below 0.02, so little gradient
 *     passes); NaN for other layers
 * @param deadFraction ReLU: fraction of units that are {@code <= 0} for every example of the batch
 *     (a dead ReLU passes no gradient and never learns again; a unit whose output is NaN is not
 *     dead, but not finite, as the histogram counts it); NaN for other layers, leaky ReLU
 *     included: a leaky unit below 0 still passes {@code slope} times its gradient, so it is not dead
 * @param gradientNorm L2 norm of the output gradient; NaN when no gradient was computed (the probe's
 *     logits were not finite: a diverged network), not 0, which would read as a vanished gradient
 * @param parameterNorm L2 norm of the layer's parameters (0 if none)
 * @param parameterGradientNorm L2 norm of their gradient (0 if none; NaN when no gradient was computed)
 * @param activation whether the layer is an activation (ReLU, leaky ReLU, tanh, sigmoid): what the
 *     next layer sees, whose histograms a report draws (a leaky ReLU has neither fraction above)
 */
public record LayerStatistics(
    String layer, Histogram activations, Histogram gradients, double mean, double std, double saturatedFraction,
    double deadFraction, double gradientNorm, double parameterNorm, double parameterGradientNorm, boolean activation) {

  /** Tanh units beyond this magnitude pass less than 2% of the gradient ({@code 1 - y^2 < 0.02}). */
  public static final double TANH_SATURATION = 0.99;
  /** Sigmoid units beyond this distance from 0 or 1 pass less than 1% ({@code y (1 - y) < 0.0099}). */
  public static final double SIGMOID_SATURATION = 0.01;

  /**
   * Runs {@code rows} examples forward and backward in {@link Mode#PROBE} (nothing random, batch
   * norm statistics untouched, weights unchanged) and describes every layer.
   */
  public static List<LayerStatistics> probe(Network network, float[] x, int[] labels, int rows, int bins) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    // A NaN feature described a sound network as a diverged one ("no gradient (logits not finite)").
    GradientCheck.requireBatch(network, x, labels, rows, "the probe");
    network.forward(x, rows, Mode.PROBE);
    boolean finite = network.countCorrect(labels, rows) >= 0;
    if (finite) {
      network.loss(labels, rows);
      network.backward();
    }
    List<Layer> layers = network.layers();
    List<LayerStatistics> out = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      int width = layer.outputSize();
      int len = rows * width;
      float[] y = network.layerOutput(i);
      float[] g = finite ? network.layerOutputGradient(i) : null;
      double sum = 0;
      double sq = 0;
      for (int k = 0; k < len; k++) {
        sum += y[k];
        sq += (double) y[k] * y[k];
      }
      double mean = sum / len;
      double std = Math.sqrt(Math.max(0, sq / len - mean * mean));
      double saturated = Double.NaN;
      double dead = Double.NaN;
      if (layer instanceof ActivationLayer a) {
        Activation kind = a.activation();
        if (kind == Activation.TANH || kind == Activation.SIGMOID) saturated = saturatedFraction(kind, y, len);
        else if (kind == Activation.RELU) dead = deadFraction(y, rows, width);
      }
      double pn = 0;
      double pg = 0;
      for (Parameter p : layer.parameters()) {
        for (int k = 0; k < p.size(); k++) {
          pn += (double) p.values()[k] * p.values()[k];
          pg += finite ? (double) p.gradient()[k] * p.gradient()[k] : Double.NaN;
        }
      }
      double gn = finite ? 0 : Double.NaN;
      for (int k = 0; finite && k < len; k++) gn += (double) g[k] * g[k];
      Histogram gradients = finite ? Histogram.of(g, len, bins) : Histogram.none(bins);
      out.add(new LayerStatistics(
          layer.name(), Histogram.of(y, len, bins), gradients, mean, std, saturated, dead,
          Math.sqrt(gn), Math.sqrt(pn), Math.sqrt(pg), layer instanceof ActivationLayer));
    }
    return out;
  }

  private static double saturatedFraction(Activation kind, float[] y, int len) {
    int n = 0;
    for (int k = 0; k < len; k++) {
      boolean s = kind == Activation.TANH
          ? Math.abs(y[k]) > TANH_SATURATION
          : y[k] < SIGMOID_SATURATION || y[k] > 1 - SIGMOID_SATURATION;
      if (s) n++;
    }
    return (double) n / len;
  }

  private static double deadFraction(float[] y, int rows, int width) {
    int dead = 0;
    for (int j = 0; j < width; j++) {
      boolean alive = false;
      // Not y > 0: a NaN output (a diverging network) is not <= 0, and counted a dead unit that was never there.
      for (int r = 0; r < rows && !alive; r++) alive = !(y[r * width + j] <= 0);
      if (!alive) dead++;
    }
    return (double) dead / width;
  }

  @Override
  public String toString() {
    // Through Figures: a diverging network's outputs of 1e20 took 25 digits in %.3f. The mean keeps
    // % .3f's room for a sign.
    StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%-12s mean %s%s std %s", layer,
        !Double.isNaN(mean) && Math.copySign(1.0, mean) > 0 ? " " : "", Figures.fixed(mean, 3), Figures.fixed(std, 3)));
    if (!Double.isNaN(saturatedFraction)) b.append(String.format(java.util.Locale.ROOT, "  saturated %.1f%%", 100 * saturatedFraction));
    if (!Double.isNaN(deadFraction)) b.append(String.format(java.util.Locale.ROOT, "  dead %.1f%%", 100 * deadFraction));
    b.append(Double.isNaN(gradientNorm) ? "  no gradient (logits not finite)" : String.format(java.util.Locale.ROOT, "  |grad| %.3e", gradientNorm));
    if (parameterNorm > 0) b.append(String.format(java.util.Locale.ROOT, "  |W| %.3e |dW| %.3e", parameterNorm, parameterGradientNorm));
    b.append("\n    act  ").append(activations).append("\n    grad ").append(gradients);
    return b.toString();
  }
}
