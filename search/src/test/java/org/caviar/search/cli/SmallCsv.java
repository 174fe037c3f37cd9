package org.caviar.search.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Small CSV files for the CLI tests. */
final class SmallCsv {
  private SmallCsv() {}

  /**
   * Writes a CSV of 90 rows, 4 features (a-d) and a label of 3 classes to {@code file}, its values
   * drawn with {@code seed}, so that two seeds give two files of other data and the same shape.
   */
  static Path threeClasses(Path file, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder("a,b,c,d,label\n");
    for (int i = 0; i < 90; i++) {
      int label = i % 3;
      for (int f = 0; f < 4; f++) sb.append(String.format(Locale.ROOT, "%.4f,", label + random.nextGaussian()));
      sb.append(label).append('\n');
    }
    return Files.writeString(file, sb);
  }
}
