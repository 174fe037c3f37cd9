package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassNamesTest {
  /**
   * The one definition of a number among class names. The command line's evaluate had its own
   * ("-?\\d+"): it disagreed on "+1" (a number here) and on numbers past a long (names here).
   */
  @Test
  void whichClassNamesAreIntegers() {
    for (String n : List.of("0", "7", "-1", "+1", "01", "9223372036854775807", "-9223372036854775808")) {
      assertEquals(true, ClassNames.isInteger(n), n);
    }
    for (String n : List.of("", " 1", "1 ", "1e0", "1.0", "0x1", "7d", "cat", "-", "+", "9223372036854775808",
        "10000000000000000000")) {
      assertEquals(false, ClassNames.isInteger(n), n);
    }
    assertEquals(false, ClassNames.isInteger(null));
  }

  /** The loader and Dataset.inClasses read the same names as numbers: "+1" and "1" are one number. */
  @Test
  void theLoaderAndInClassesUseIt() throws java.io.IOException {
    Dataset big = CsvLoader.defaults().load(new java.io.StringReader("1,20000000000000000000\n2,10000000000000000000\n"), "t");
    assertEquals(List.of("10000000000000000000", "20000000000000000000"), big.classNames(), "names, sorted as text");
    Dataset signed = CsvLoader.defaults().load(new java.io.StringReader("1,+2\n2,-1\n3,+10\n"), "t");
    assertEquals(List.of("-1", "+2", "+10"), signed.classNames(), "numbers, sorted by value");
    // Unnamed rows against numbered classes are names: class "0" is not the model's "+1".
    Dataset unnamed = Dataset.of(new float[] {1, 2}, new int[] {0, 1}, 1, 2);
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> unnamed.inClasses(List.of("+1", "+2"), "the data", "the model"));
    assertEquals("the data has class '0', which the model does not know [+1, +2]", e.getMessage());
  }

  /**
   * Labels written as floats ("0.0" to "2.0", as a data frame saves an integer column that had a
   * missing value) against a model of classes "0" to "2" are the same classes, as the loader takes
   * "1" and "1.0" for one number; they were refused ("has class '0.0', which the model does not
   * know"). Names that are not numbers still match only as written.
   */
  @Test
  void numbersWrittenAnotherWayAreTheSameClass() throws java.io.IOException {
    Dataset floats = CsvLoader.defaults().load(new java.io.StringReader("1,2.0\n2,0.0\n3,1.0\n"), "t");
    Dataset matched = floats.inClasses(List.of("0", "1", "2"), "the data", "the model");
    assertEquals(List.of("0", "1", "2"), matched.classNames());
    assertEquals(List.of(2, 0, 1), java.util.Arrays.stream(matched.labels()).boxed().toList());
    Dataset words = Dataset.of(new float[] {1, 2}, new int[] {0, 1}, 1, 2).inClasses(List.of("a", "b"), "t", "m");
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> words.inClasses(List.of("A", "b"), "the data", "the model"));
    assertEquals("the data has class 'a', which the model does not know [A, b]", e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> floats.inClasses(List.of("0", "1", "3"), "the data", "the model"));
    assertEquals("the data has class '2.0', which the model does not know [0, 1, 3]", e.getMessage());
  }
}
