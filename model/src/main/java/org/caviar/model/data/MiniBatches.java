package org.caviar.model.data;

import java.util.SplittableRandom;

/**
 * Mini-batches over a dataset, in a fresh random order each epoch. The batch buffers are allocated
 * once; {@link #load} copies a batch's rows into them, so iterating allocates nothing.
 *
 * <p>The last batch of an epoch holds the remainder. With {@code minBatch = 2} (batch norm cannot
 * train on one example) a remainder of one row is left out of that epoch; the shuffle makes it a
 * different row each time.
 */
public final class MiniBatches {
  private final Dataset data;
  private final int batchSize;
  private final int batchCount;
  private final int[] order;
  private final float[] features;
  private final int[] labels;
  private final SplittableRandom random;
  private int generation;

  /**
   * @param minBatch the smallest batch to emit (1, or 2 when the network has batch norm)
   */
  public MiniBatches(Dataset data, int batchSize, int minBatch, long seed) {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    if (minBatch < 1 || minBatch > batchSize) throw new IllegalArgumentException("minBatch must be in [1, batchSize], got " + minBatch);
    if (data.rows() < minBatch) {
      throw new IllegalArgumentException("dataset has " + data.rows() + " rows, fewer than a batch of " + minBatch);
    }
    this.data = data;
    this.batchSize = batchSize;
    int full = data.rows() / batchSize;
    int rest = data.rows() % batchSize;
    this.batchCount = full + (rest >= minBatch ? 1 : 0);
    this.order = new int[data.rows()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    // No batch has more rows than the data: a batch size beyond it needs no larger buffer.
    int capacity = Math.min(batchSize, data.rows());
    this.features = new float[capacity * data.featureCount()];
    this.labels = new int[capacity];
    this.random = new SplittableRandom(seed);
  }

  public Dataset data() {
    return data;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch. */
  public int batchCount() {
    return batchCount;
  }

  /** How many times {@link #shuffle} has run: a batch index means the same rows while it stays. */
  public int generation() {
    return generation;
  }

  /** Starts an epoch: a new random order (Fisher-Yates). */
  public void shuffle() {
    generation++;
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Copies batch {@code b} of the current order into {@link #features()} and {@link #labels()}; returns its rows. */
  public int load(int b) {
    return load(b, features, labels);
  }

  /** Rows of batch {@code b}. */
  public int rows(int b) {
    if (b < 0 || b >= batchCount) throw new IllegalArgumentException("batch " + b + " outside [0, " + batchCount + ")");
    return Math.min(batchSize, order.length - b * batchSize);
  }

  /**
   * Copies batch {@code b} of the current order into the caller's buffers (at least
   * {@code rows(b) x featureCount} and {@code rows(b)} long); returns its rows. Several
   * threads may load the same batch at once, each into its own buffers, between shuffles.
   */
  public int load(int b, float[] features, int[] labels) {
    int rows = rows(b);
    load(b, 0, rows, features, labels);
    return rows;
  }

  /**
   * Copies rows [from, to) of batch {@code b} into the same rows of the caller's buffers, so that
   * threads can each load a share of one batch.
   *
   * <p>A row at a time: the copy waits on memory (32 rows of 784 floats took 4.6 us from a
   * dataset of 512 rows, 10-14 us from 4096, 12-17 us from 16384), and ways to have more misses
   * in flight were no faster: rows copied in interleaved chunks (4 rows x 64 floats 13.0 us, 8 x 16
   * 17.7 us, against 12.3 for a row at a time) or touched line by line first (16.1 against 14.2).
   *
   * <p>What did pay: copying the first float of every row before the rest of any. A row's copy
   * streams and the hardware prefetcher follows it, but the next row starts at an address nothing
   * can predict, and the copy of a 3 KiB row fills the core's window before that row's first load
   * issues; the first floats' reads put all the rows' first misses in flight at once. 32 rows of
   * 784 floats from 4096 with 40 MB streamed between batches: 18.6-19.5 -> 12.2-12.9 us; from
   * 16384: 25.6-26.0 -> 17.6-18.4; from 4096 left in the caches: 3.8-5.4 -> 3.1-5.0 (Zen 5, scratch
   * loop). Reading every fourth line of every row first did about as well. Training 784-256-256-10
   * at batch 32, this load (or one that only reads the first floats first) and the plain one
   * alternating epoch by epoch (50 each, four runs): one thread 1.008-1.010 of the examples per
   * second (medians), two threads sharded 1.010-1.020 (totals 1.014-1.039); at batch 128 1.014 and
   * 1.016; the digits MLP within 1%. Details in bench/RESULTS.md.
   */
  public void load(int b, int from, int to, float[] features, int[] labels) {
    int rows = rows(b);
    if (from < 0 || from > to || to > rows) throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside [0, " + rows + ")");
    int start = b * batchSize;
    int f = data.featureCount();
    // Checked before any row is copied: an index exception from the copy would leave half a batch behind it.
    if (features == null || labels == null || features.length < (long) to * f || labels.length < to) {
      throw new IllegalArgumentException("buffers of " + (features == null ? "null" : features.length) + " features and "
          + (labels == null ? "null" : labels.length) + " labels cannot hold rows up to " + to + " (" + (long) to * f + " features)");
    }
    float[] src = data.features();
    int[] srcLabels = data.labels();
    // Every row's first feature first (see above), then the rest of each row.
    for (int i = from; i < to; i++) features[i * f] = src[order[start + i] * f];
    for (int i = from; i < to; i++) {
      int r = order[start + i];
      System.arraycopy(src, r * f + 1, features, i * f + 1, f - 1);
      labels[i] = srcLabels[r];
    }
  }

  /** The current batch's features, {@code rows x featureCount} (the buffer may be longer). */
  public float[] features() {
    return features;
  }

  /** The current batch's labels (the buffer may be longer). */
  public int[] labels() {
    return labels;
  }
}
