package org.caviar.model.debug;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;

/** Finds the examples a network gets most wrong: the highest loss, i.e. the least probability on the true class. */
public final class WorstExamples {
  /**
   * @param index row in the dataset
   * @param label true class
   * @param predicted most probable class
   * @param labelProbability probability the network gives the true class
   * @param predictedProbability probability of the predicted class
   */
  public record Example(int index, int label, int predicted, double labelProbability, double predictedProbability) {
    /** Cross-entropy of this example. */
    public double loss() {
      return -Math.log(Math.max(labelProbability, Double.MIN_VALUE));
    }
  }

  private WorstExamples() {}

  /** The {@code k} examples of {@code data} with the highest loss, worst first, in inference mode. */
  public static List<Example> find(Network network, Dataset data, int k) {
    if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
    network.checkFits(data, "data");
    int classes = network.classes();
    int f = data.featureCount();
    int chunk = 256;
    float[] x = new float[chunk * f];
    float[] p = new float[chunk * classes];
    Comparator<Example> byProbability = Comparator.comparingDouble(Example::labelProbability);
    // Max-heap on the label's probability: the head is the best of the k worst kept so far.
    PriorityQueue<Example> kept = new PriorityQueue<>(byProbability.reversed());
    for (int start = 0; start < data.rows(); start += chunk) {
      int rows = Math.min(chunk, data.rows() - start);
      System.arraycopy(data.features(), start * f, x, 0, rows * f);
      network.probabilities(x, rows, p);
      for (int r = 0; r < rows; r++) {
        int label = data.label(start + r);
        int best = 0;
        for (int j = 1; j < classes; j++) if (p[r * classes + j] > p[r * classes + best]) best = j;
        Example e = new Example(start + r, label, best, p[r * classes + label], p[r * classes + best]);
        if (kept.size() < k) {
          kept.add(e);
        } else if (k > 0 && e.labelProbability() < kept.peek().labelProbability()) {
          kept.poll();
          kept.add(e);
        }
      }
    }
    List<Example> out = new ArrayList<>(kept);
    out.sort(byProbability);
    return out;
  }
}
