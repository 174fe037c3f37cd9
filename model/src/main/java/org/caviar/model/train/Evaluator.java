package org.caviar.model.train;

import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.Mode;

/**
 * Evaluates a network in inference mode, in chunks copied into buffers allocated once, so it can
 * run after every epoch without garbage.
 */
public final class Evaluator {
  private final Network network;
  private final int chunk;
  private final float[] x;
  private final int[] y;

  /** @param chunkRows examples per forward pass (larger chunks make GEMM more efficient) */
  public Evaluator(Network network, int chunkRows) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    if (chunkRows <= 0) throw new IllegalArgumentException("chunkRows must be > 0, got " + chunkRows);
    this.network = network;
    this.chunk = chunkRows;
    this.x = new float[chunkRows * network.inputSize()];
    this.y = new int[chunkRows];
  }

  /** Loss, accuracy and confusion matrix of the network on {@code data}. */
  public Evaluation evaluate(Dataset data) {
    network.checkFits(data, "data");
    ConfusionMatrix confusion = new ConfusionMatrix(
        data.classCount() == network.classes() ? data.classNames() : Dataset.numberedClasses(network.classes()));
    double loss = evaluate(data, confusion);
    return new Evaluation(loss, confusion.accuracy(), data.rows(), confusion);
  }

  /**
   * Mean loss on {@code data} (NaN if a logit is not finite), adding each example's (true,
   * predicted) pair to {@code confusion} (sized for the network's classes) if it is not null.
   */
  public double evaluate(Dataset data, ConfusionMatrix confusion) {
    network.checkFits(data, "data");
    int f = network.inputSize();
    int classes = network.classes();
    double totalLoss = 0;
    boolean finite = true;
    for (int start = 0; start < data.rows(); start += chunk) {
      int rows = Math.min(chunk, data.rows() - start);
      System.arraycopy(data.features(), start * f, x, 0, rows * f);
      System.arraycopy(data.labels(), start, y, 0, rows);
      float[] z = network.forward(x, rows, Mode.INFERENCE);
      boolean chunkFinite = true;
      for (int r = 0; r < rows; r++) {
        int o = r * classes;
        int best = 0;
        for (int j = 0; j < classes; j++) {
          float v = z[o + j];
          if (!Float.isFinite(v)) chunkFinite = false;
          if (v > z[o + best]) best = j;
        }
        if (confusion != null) confusion.add(y[r], best);
      }
      if (chunkFinite) totalLoss += (double) network.loss(y, rows) * rows;
      finite &= chunkFinite;
    }
    double loss = totalLoss / data.rows();
    return finite && Double.isFinite(loss) ? loss : Double.NaN;
  }
}
