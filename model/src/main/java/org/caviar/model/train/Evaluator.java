package org.caviar.model.train;

import java.util.List;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Workers;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.StateTensor;

/**
 * Evaluates a network in inference mode, in chunks copied into buffers allocated once, so it can
 * run after every epoch without garbage.
 *
 * <p>On parallel kernels ({@code network.kernels().threads() > 1}, a network built from a spec) the
 * chunks are shared out between the threads, each running a replica of the network (the same
 * spec, the network's parameters and batch-norm statistics copied in at every evaluation) on
 * contiguous chunks. A replica is {@linkplain Network#createForInference inference-only}: it
 * holds no gradients, which it never uses, and which were as large as its weights. Splitting each
 * chunk's products instead, as the parallel GEMM does, evaluated 12,000 rows of 784-256-256-10
 * in 37-42 ms against 38-45 ms on one thread (two Zen 5 vCPUs). A chunk's rows go through the
 * same kernels in the same chunk either way and the chunks' losses are summed in chunk order, so
 * the result is the same to the bit as on one thread.
 */
public final class Evaluator {
  private final Network network;
  private final int chunk;
  /** One per thread: the network itself alone, or a replica on each thread. */
  private final Part[] parts;
  private final Workers team;
  private final Workers.Task task;
  /** Per chunk of the current evaluation: its rows' summed loss, and whether its logits were finite. */
  private double[] chunkLoss = new double[0];
  private boolean[] chunkFinite = new boolean[0];
  /** The predicted class of each row of the current evaluation. */
  private int[] predicted = new int[0];
  private Dataset data;
  private int chunks;

  /**
   * Rows per forward pass of {@link #Evaluator(Network)}, which the trainer (validation, {@link
   * Trainer#evaluate}) and {@link org.caviar.model.Model#evaluate} both use: large enough for
   * efficient products, small enough for cache, and one rule, so that a saved model reports the
   * loss its training printed to the bit. (Each chunk's mean loss is computed in float, so the same
   * rows in other chunks give a loss that differs in the last bits: the trainer once took chunks of
   * its batch size, and a batch size of 300 gave 2.5220250424 where the model gave 2.5220250561.)
   */
  public static final int CHUNK_ROWS = 256;

  /** An evaluator in chunks of {@link #CHUNK_ROWS} rows (or fewer, if a chunk of them would not fit one array). */
  public Evaluator(Network network) {
    this(network, CHUNK_ROWS);
  }

  /**
   * @param chunkRows examples per forward pass (larger chunks make GEMM more efficient). Losses of
   *     evaluators with different chunks differ in the last bits: see {@link #CHUNK_ROWS}.
   */
  public Evaluator(Network network, int chunkRows) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    if (chunkRows <= 0) throw new IllegalArgumentException("chunkRows must be > 0, got " + chunkRows);
    this.network = network;
    this.chunk = Math.min(chunkRows, network.maxBatchRows()); // chunk x inputs floats in one array
    int threads = network.spec() == null ? 1 : network.kernels().threads();
    this.parts = new Part[threads];
    if (threads == 1) {
      parts[0] = new Part(network);
      this.team = null;
    } else {
      // Each replica runs on one thread: its products stay on it. Its weights are copied in at each evaluation.
      var kernels = network.kernels().withGemm(Gemm.vector());
      for (int p = 0; p < threads; p++) parts[p] = new Part(Network.createForInference(network.spec(), 0, kernels));
      this.team = Workers.of(threads);
    }
    this.task = (p, n) -> parts[p].evaluate(data, first(p, n), first(p + 1, n));
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
   * Mean loss on {@code data} (NaN if a logit is not finite or the loss overflows a float, or if the data has no rows), adding
   * each example's (true, predicted) pair to {@code confusion} (sized for the network's classes)
   * if it is not null.
   */
  public double evaluate(Dataset data, ConfusionMatrix confusion) {
    network.checkFits(data, "data");
    // Checked before the work: a smaller matrix failed with an index error after the whole pass.
    if (confusion != null && confusion.classes() != network.classes()) {
      throw new IllegalArgumentException(
          "confusion has " + confusion.classes() + " classes, the network " + network.classes());
    }
    int n = (int) (((long) data.rows() + chunk - 1) / chunk); // in long: rows near 2^31 would wrap
    if (chunkLoss.length < n) {
      chunkLoss = new double[n];
      chunkFinite = new boolean[n];
    }
    if (predicted.length < data.rows()) predicted = new int[data.rows()];
    this.data = data;
    this.chunks = n;
    try {
      int threads = Math.min(parts.length, n);
      if (threads <= 1) {
        if (team != null) parts[0].copyFrom(network);
        parts[0].evaluate(data, 0, n);
      } else {
        for (int p = 0; p < threads; p++) parts[p].copyFrom(network);
        team.run(threads, task);
      }
    } finally {
      this.data = null;
    }
    // In chunk order, as one thread adds them.
    double totalLoss = 0;
    boolean finite = true;
    for (int c = 0; c < n; c++) {
      if (chunkFinite[c]) totalLoss += chunkLoss[c];
      finite &= chunkFinite[c];
    }
    if (confusion != null) {
      int[] labels = data.labels();
      for (int r = 0; r < data.rows(); r++) confusion.add(labels[r], predicted[r]);
    }
    double loss = totalLoss / data.rows();
    return finite && Double.isFinite(loss) ? loss : Double.NaN;
  }

  /** The first chunk of part {@code p} of {@code parts}: contiguous shares that differ by at most one chunk. */
  private int first(int p, int parts) {
    return Workers.boundary(chunks, 1, p, parts);
  }

  /** A network and its chunk buffers; on parallel kernels, one thread's replica. */
  private final class Part {
    private final Network net;
    private final float[] x;
    private final int[] y;

    Part(Network net) {
      this.net = net;
      this.x = new float[chunk * net.inputSize()];
      this.y = new int[chunk];
    }

    /** The network's parameters and state (batch-norm running statistics) into this replica. */
    void copyFrom(Network source) {
      copy(source.parameters(), net.parameters());
      List<StateTensor> from = source.state();
      List<StateTensor> to = net.state();
      for (int i = 0; i < from.size(); i++) {
        float[] v = from.get(i).values();
        System.arraycopy(v, 0, to.get(i).values(), 0, v.length);
      }
    }

    private static void copy(List<Parameter> from, List<Parameter> to) {
      for (int i = 0; i < from.size(); i++) {
        float[] v = from.get(i).values();
        System.arraycopy(v, 0, to.get(i).values(), 0, v.length);
      }
    }

    /** Chunks [from, to) of {@code data}: each row's prediction, each chunk's loss and finiteness. */
    void evaluate(Dataset data, int from, int to) {
      int f = net.inputSize();
      int classes = net.classes();
      for (int c = from; c < to; c++) {
        int start = c * chunk;
        int rows = Math.min(chunk, data.rows() - start);
        System.arraycopy(data.features(), start * f, x, 0, rows * f);
        System.arraycopy(data.labels(), start, y, 0, rows);
        float[] z = net.forward(x, rows, Mode.INFERENCE);
        boolean finite = true;
        for (int r = 0; r < rows; r++) {
          int o = r * classes;
          int best = 0;
          for (int j = 0; j < classes; j++) {
            float v = z[o + j];
            if (!Float.isFinite(v)) finite = false;
            if (v > z[o + best]) best = j;
          }
          predicted[start + r] = best;
        }
        chunkFinite[c] = finite;
        chunkLoss[c] = finite ? (double) net.loss(y, rows) * rows : 0;
      }
    }
  }
}
