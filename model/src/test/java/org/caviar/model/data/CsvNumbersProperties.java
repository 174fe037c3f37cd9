package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Example
  void minusZeroIsNegativeZero() {
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CsvLoader.shortInteger("-0")));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CsvLoader.shortInteger("-0000000")));
  }
}
