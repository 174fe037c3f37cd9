package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The loader's fast path for short integers against the JDK's parser it stands in for. */
class CsvNumbersProperties {
  /** Every integer of up to 7 digits, written plain or with leading zeros: the same bits as Float.parseFloat. */
  @Property
  void shortIntegersReadAsTheJdkReadsThem(@ForAll @IntRange(min = -9_999_999, max = 9_999_999) int value,
      @ForAll @IntRange(min = 0, max = 6) int zeros) {
    String digits = Integer.toString(Math.abs(value));
    String padded = "0".repeat(Math.max(0, Math.min(zeros, 7 - digits.length()))) + digits;
    for (String v : new String[] {Integer.toString(value), (value < 0 ? "-" : "") + padded}) {
      assertEquals(Float.floatToRawIntBits(Float.parseFloat(v)), Float.floatToRawIntBits(CsvLoader.shortInteger(v)), v);
    }
  }

  /** What the fast path leaves to the JDK's parser (and to the loader's checks): NaN for each. */
  @Example
  void anythingElseIsLeftToTheParser() {
    for (String v : new String[] {"", "-", "+5", "1.5", "1e3", "12345678", "-12345678", " 1", "1 ", "7d", "0x1", "--1", "1-", "NaN", "٣"}) {
      assertTrue(Float.isNaN(CsvLoader.shortInteger(v)), v);
    }
  }

  /**
   * Whole files of numbers written every way a CSV holds them (padded with spaces or tabs, quoted,
   * with leading zeros, signs, decimals, exponents, integers past the fast path's 7 digits) load to
   * the values Float.parseFloat gives each trimmed field: the fields kept as bounds in the line read
   * as the Strings they were cut into before.
   */
  @Property(tries = 200)
  void everyFieldLoadsAsTheJdkParsesIt(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    int columns = 1 + r.nextInt(6);
    int rows = 1 + r.nextInt(5);
    StringBuilder csv = new StringBuilder();
    float[] expected = new float[rows * columns];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < columns; c++) {
        String v = switch (r.nextInt(7)) {
          case 0 -> Integer.toString(r.nextInt(256));
          case 1 -> Integer.toString(r.nextInt(20_000_001) - 10_000_000);
          case 2 -> "0".repeat(1 + r.nextInt(3)) + r.nextInt(1000);
          case 3 -> "-0";
          case 4 -> Float.toString((float) r.nextGaussian());
          case 5 -> r.nextInt(100) + "." + r.nextInt(100);
          default -> (r.nextBoolean() ? "+" : "") + r.nextInt(10) + "e" + (r.nextInt(5) - 2);
        };
        expected[i * columns + c] = Float.parseFloat(v);
        String pad = r.nextBoolean() ? "" : r.nextBoolean() ? " " : "\t ";
        csv.append(r.nextInt(4) == 0 ? pad + '"' + pad + v + pad + '"' + pad : pad + v + pad).append(',');
      }
      csv.append(i % 2).append('\n');
    }
    Dataset d = CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT).load(new StringReader(csv.toString()), "generated");
    float[] got = d.features();
    assertEquals(expected.length, got.length, csv.toString());
    for (int k = 0; k < got.length; k++) {
      assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(got[k]), "field " + k + " of\n" + csv);
    }
  }

  @Example
  void minusZeroIsNegativeZero() {
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CsvLoader.shortInteger("-0")));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CsvLoader.shortInteger("-0000000")));
  }
}
