package org.caviar.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Split;
import org.caviar.model.optim.Counts;
import org.caviar.model.optim.Floats;

/**
 * Where a model's training data came from: the dataset it was split from, by a fingerprint, and
 * the split ({@link Split#stratifiedRows} of these fractions and seed). With the same data, that
 * split gives the rows the model trained on, validated on and was tested on, so that the test rows
 * can be scored again without being told the split.
 *
 * @param data a short description for messages (e.g. "digits", a CSV's file name); not compared
 * @param rows the dataset's rows, before the split
 * @param features its feature count
 * @param classes its class count
 * @param checksum {@link #checksum} of the dataset
 * @param trainFraction the split's training fraction
 * @param validationFraction the split's validation fraction (the rest is the test part)
 * @param splitSeed the split's seed
 */
public record Provenance(String data, int rows, int features, int classes, long checksum, double trainFraction,
    double validationFraction, long splitSeed) {
  /** The longest description kept (the file stores it as one writeUTF string; a file name is far shorter). */
  static final int MAX_DATA_CHARS = 1000;

  public Provenance {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    if (data.length() > MAX_DATA_CHARS) data = data.substring(0, MAX_DATA_CHARS);
    if (rows < 0 || features <= 0 || classes <= 0) {
      throw new IllegalArgumentException("need rows >= 0, features > 0 and classes > 0, got " + rows + ", " + features + ", " + classes);
    }
    if (!(trainFraction > 0) || !(validationFraction >= 0) || !(trainFraction + validationFraction <= 1)) {
      throw new IllegalArgumentException(
          "need trainFraction > 0, validationFraction >= 0 and their sum <= 1, got " + Floats.text(trainFraction) + " and " + Floats.text(validationFraction));
    }
  }

  /** The provenance of a model trained on the split of {@code all} by these fractions and seed. */
  public static Provenance of(String data, Dataset all, double trainFraction, double validationFraction, long splitSeed) {
    if (all == null) throw new IllegalArgumentException("all must not be null");
    return new Provenance(data, all.rows(), all.featureCount(), all.classCount(), checksum(all), trainFraction, validationFraction,
        splitSeed);
  }

  /** Whether {@code dataset} is the dataset this provenance fingerprints: the same shape and checksum. */
  public boolean sameData(Dataset dataset) {
    if (dataset == null) throw new IllegalArgumentException("dataset must not be null");
    return dataset.rows() == rows && dataset.featureCount() == features && dataset.classCount() == classes
        && checksum(dataset) == checksum;
  }

  /** The split's fractions as --split takes them, e.g. "0.5,0.3". */
  public String split() {
    return plain(trainFraction) + "," + plain(validationFraction);
  }

  /** The dataset's shape, e.g. "1,797 rows, 64 features, 10 classes". */
  public String shape() {
    return shape(rows, features, classes);
  }

  /** A dataset's shape as {@link #shape()} says it. */
  public static String shape(int rows, int features, int classes) {
    return Counts.of(rows, "row") + ", " + Counts.of(features, "feature") + ", " + Counts.of(classes, "class");
  }

  /**
   * A fingerprint of a dataset: its shape, the raw bits of its features, its labels and its class
   * names, through CRC-32 (high 32 bits) and CRC-32C (low 32 bits), two different polynomials: a
   * dataset that differs in any value is told apart but for a chance of about 2^-64. Both run on
   * the processor's CRC instructions (about a tenth of a second for MNIST's 47 million values).
   */
  public static long checksum(Dataset dataset) {
    if (dataset == null) throw new IllegalArgumentException("dataset must not be null");
    CRC32 a = new CRC32();
    CRC32C b = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
    buffer.putInt(dataset.rows()).putInt(dataset.featureCount()).putInt(dataset.classCount());
    for (String name : dataset.classNames()) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      flushIfFull(buffer, 4, a, b);
      buffer.putInt(utf8.length);
      for (int i = 0; i < utf8.length; i++) {
        flushIfFull(buffer, 1, a, b);
        buffer.put(utf8[i]);
      }
    }
    for (float v : dataset.features()) {
      flushIfFull(buffer, 4, a, b);
      buffer.putInt(Float.floatToRawIntBits(v));
    }
    for (int label : dataset.labels()) {
      flushIfFull(buffer, 4, a, b);
      buffer.putInt(label);
    }
    flush(buffer, a, b);
    return a.getValue() << 32 | b.getValue();
  }

  private static void flushIfFull(ByteBuffer buffer, int need, Checksum a, Checksum b) {
    if (buffer.remaining() < need) flush(buffer, a, b);
  }

  private static void flush(ByteBuffer buffer, Checksum a, Checksum b) {
    a.update(buffer.array(), 0, buffer.position());
    b.update(buffer.array(), 0, buffer.position());
    buffer.clear();
  }

  /** A fraction as written: 0.5, not 0.50 nor 5.0E-1. */
  private static String plain(double x) {
    return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
  }
}
