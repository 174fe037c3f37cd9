package org.caviar.model.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Datasets that ship with Caviar, so that examples and tests run offline. */
public final class Datasets {
  private static final String DIGITS = "digits.csv.gz";

  private Datasets() {}

  /**
   * The UCI optical recognition of handwritten digits set (Alpaydin and Kaynak 1998, CC BY 4.0;
   * see {@code ATTRIBUTION.md} beside the resource): 1797 examples of 8 x 8 images with pixel
   * counts 0..16 as 64 features, 10 classes "0".."9", in the file's order.
   */
  public static Dataset digits() {
    try (InputStream in = Datasets.class.getResourceAsStream(DIGITS)) {
      if (in == null) throw new IllegalStateException("resource " + DIGITS + " is missing from the classpath");
      return CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT).load(in, DIGITS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled " + DIGITS, e);
    }
  }
}
