package org.caviar.model.debug;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.SoftmaxCrossEntropy;

/**
 * Finds the examples a network gets most wrong: the highest cross-entropy, i.e. the least
 * probability on the true class.
 *
 * <p>The loss is computed from the logits in double, {@code logSumExp(z) - z[label]}, not from the
 * float32 softmax: the label's float probability underflows to 0 once its logit trails the largest
 * by about 104, and every such row would then tie at the same loss, however far behind its label is.
 * Ties (equal losses) go to the lower row index.
 */
public final class WorstExamples {
  /**
   * @param index row in the dataset
   * @param label true class
   * @param predicted most probable class (the lowest index among equal logits)
   * @param labelProbability probability the network gives the true class, {@code exp(-loss)} in
   *     double (0 only past a loss of about 745)
   * @param predictedProbability probability of the predicted class, in double
   * @param loss cross-entropy of this example, {@code logSumExp(z) - z[label]} in double
   */
  public record Example(int index, int label, int predicted, double labelProbability, double predictedProbability, double loss) {}

  /** Worst first: higher loss, then lower index. */
  private static final Comparator<Example> WORST_FIRST =
      Comparator.comparingDouble(Example::loss).reversed().thenComparingInt(Example::index);

  private WorstExamples() {}

  /**
   * The {@code k} examples of {@code raw} (unstandardized rows) a model gets most wrong, worst
   * first, in inference mode: its labels matched to the model's classes by name (see
   * {@link Dataset#inClasses}) and its features standardized, as {@link Model#evaluate} does. The
   * examples' {@code label} and {@code predicted} are indices of {@link Model#classNames()}, their
   * {@code index} a row of {@code raw}.
   *
   * @throws IllegalArgumentException if the data has a class the model does not know
   */
  public static List<Example> find(Model model, Dataset raw, int k) {
    if (model == null) throw new IllegalArgumentException("model must not be null");
    if (raw == null) throw new IllegalArgumentException("data must not be null");
    Dataset named = raw.inClasses(model.classNames(), "the data", "the model");
    return find(model.network(), model.standardizer() != null ? model.standardizer().apply(named) : named, k);
  }

  /**
   * The {@code k} examples of {@code data} with the highest loss, worst first, in inference mode.
   * The data is taken as the network sees it: standardized, and labelled by the network's output
   * indices. Rows from a file of their own number their own classes (a file without some class
   * numbers the others differently) and would be scored against other outputs: match them first
   * ({@link Dataset#inClasses}), or give the {@link Model} ({@link #find(Model, Dataset, int)}).
   */
  public static List<Example> find(Network network, Dataset data, int k) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
    network.checkFits(data, "data");
    int classes = network.classes();
    int f = data.featureCount();
    int chunk = Math.min(256, network.maxBatchRows()); // chunk x f floats in one array
    float[] x = new float[chunk * f];
    double[] z = new double[classes];
    // Head is the least bad of the k kept so far (lowest loss, then highest index).
    PriorityQueue<Example> kept = new PriorityQueue<>(WORST_FIRST.reversed());
    for (int start = 0; start < data.rows(); start += chunk) {
      int rows = Math.min(chunk, data.rows() - start);
      System.arraycopy(data.features(), start * f, x, 0, rows * f);
      float[] logits = network.forward(x, rows, Mode.INFERENCE);
      for (int r = 0; r < rows; r++) {
        int label = data.label(start + r);
        int best = 0;
        for (int j = 0; j < classes; j++) {
          z[j] = logits[r * classes + j];
          if (z[j] > z[best]) best = j;
        }
        double lse = SoftmaxCrossEntropy.logSumExp(z, 0, classes);
        double loss = lse - z[label];
        Example e = new Example(start + r, label, best, Math.exp(-loss), Math.exp(z[best] - lse), loss);
        if (kept.size() < k) {
          kept.add(e);
        } else if (k > 0 && WORST_FIRST.compare(e, kept.peek()) < 0) {
          kept.poll();
          kept.add(e);
        }
      }
    }
    List<Example> out = new ArrayList<>(kept);
    out.sort(WORST_FIRST);
    return out;
  }
}
