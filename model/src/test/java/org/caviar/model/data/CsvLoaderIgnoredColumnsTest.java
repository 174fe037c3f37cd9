package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Columns left out of a CSV ({@link CsvLoader#withIgnoredColumns}) and the row-number columns a
 * table reports ({@link CsvLoader.Table#rowNumberColumns}). Kaggle's Iris.csv starts with a named
 * "Id" column, 1 to 150 down a file sorted by class: loaded as a feature, it tells the class, and
 * a model on noise plus that column scored 1.00 on its test rows.
 */
class CsvLoaderIgnoredColumnsTest {
  private static CsvLoader.Table table(CsvLoader loader, String text) throws IOException {
    return loader.loadTable(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.csv");
  }

  /** Iris.csv's shape: Id (1..rows, sorted by class), two measurements, the species. */
  private static String idFile(int rows, boolean shuffled, int firstId) {
    List<Integer> order = new ArrayList<>();
    for (int r = 0; r < rows; r++) order.add(r);
    if (shuffled) Collections.shuffle(order, new Random(7));
    StringBuilder b = new StringBuilder("Id,SepalLengthCm,Name,Species\n");
    for (int r : order) {
      b.append(r + firstId).append(',').append(4 + r % 7 * 0.5).append(",plant ").append(r).append(',')
          .append(r < rows / 2 ? "setosa" : "virginica").append('\n');
    }
    return b.toString();
  }

  @Test
  void ignoredColumnsAreNeitherFeaturesNorReadByNameOrIndex() throws IOException {
    String text = idFile(30, false, 1);
    // "Name" holds text: read as a feature it is an error, left out it is not read at all.
    var e = assertThrows(MalformedDataException.class, () -> table(CsvLoader.defaults(), text));
    assertTrue(e.getMessage().contains("column 3 (index 2) 'Name': 'plant 0' is not a number"), e.getMessage());
    for (List<String> ignored : List.of(List.of("Id", "Name"), List.of("0", "2"), List.of("-4", " Name "), List.of("Name", "Id", "0"))) {
      CsvLoader.Table t = table(CsvLoader.defaults().withIgnoredColumns(ignored), text);
      assertEquals(1, t.data().featureCount(), ignored.toString());
      assertEquals(30, t.data().rows());
      assertEquals(4.0f, t.data().features()[0]);
      assertEquals(4.5f, t.data().features()[1]);
      assertEquals("Species", t.labelName());
      assertEquals(List.of("setosa", "virginica"), t.data().classNames());
      assertEquals(List.of(), t.rowNumberColumns(), "Id is left out");
    }
    // A name given to leave out makes the first line a header, as a label column's name does.
    String numbers = "Id,x,y\n1,0.5,0\n2,0.25,1\n";
    CsvLoader.Table t = table(CsvLoader.defaults().withIgnoredColumns(List.of("Id")), numbers.replace("Id,x,y", "Id,1,y"));
    assertEquals(2, t.data().rows());
    assertArrayEquals(new float[] {0.5f, 0.25f}, t.data().features());
  }

  @Test
  void aColumnLeftOutThatIsNotThereOrIsTheLabelIsAnErrorThatSaysSo() {
    String text = "Id,x,label\n1,0.5,a\n2,0.25,b\n";
    assertMalformed(List.of("id"), text, "no column named 'id' in header [Id, x, label]");
    assertMalformed(List.of("3"), text, "ignored column index 3 is outside the 3 columns (indexes 0 to 2, or -1 to -3 from the end)");
    assertMalformed(List.of("label"), text, "ignored column 'label' is the label, column 3 (index 2) 'label': a label column cannot be left out");
    assertMalformed(List.of("-1"), text, "ignored column '-1' is the label");
    assertMalformed(List.of("Id", "x"), text, "the ignored columns [Id, x] leave no feature column beside the label");
    assertMalformed(List.of("Id"), "1,0.5,a\n2,0.25,b\n", "ignored column 'Id' is named but the file has no header");
    assertMalformed(List.of("Id"), "Id,Id,x,label\n1,1,0.5,a\n", "the header names 'Id' twice, column 1 (index 0) and column 2 (index 1)");
    var blank = assertThrows(IllegalArgumentException.class, () -> CsvLoader.defaults().withIgnoredColumns(List.of("Id", " ")));
    assertEquals("an ignored column must not be blank, got [Id,  ]", blank.getMessage());
  }

  /** pandas' unnamed row numbers are refused unless that column is left out. */
  @Test
  void anUnnamedFirstColumnLeftOutLoads() throws IOException {
    String pandas = ",a,b,species\n0,5.1,3.5,setosa\n1,4.9,3.0,setosa\n2,6.3,3.3,virginica\n";
    CsvLoader.Table t = table(CsvLoader.defaults().withIgnoredColumns(List.of("0")), pandas);
    assertArrayEquals(new float[] {5.1f, 3.5f, 4.9f, 3.0f, 6.3f, 3.3f}, t.data().features());
  }

  @Test
  void rowNumberColumnsAreReportedFromZeroOrOneInAnyOrder() throws IOException {
    for (int first : new int[] {0, 1}) {
      for (boolean shuffled : new boolean[] {false, true}) {
        String text = idFile(CsvLoader.ROW_NUMBER_MIN_ROWS, shuffled, first);
        CsvLoader.Table t = table(CsvLoader.defaults().withIgnoredColumns(List.of("Name")), text);
        assertEquals(List.of(0), t.rowNumberColumns(), "from " + first + (shuffled ? ", shuffled" : ""));
        assertEquals("column 1 (index 0) 'Id'", t.describe(0));
        assertEquals(2, t.data().featureCount(), "reported, still loaded");
      }
    }
    // Not row numbers: from 2, a gap, a repeat, a fraction, fewer rows than the threshold.
    int n = CsvLoader.ROW_NUMBER_MIN_ROWS;
    assertEquals(List.of(), rowNumbersOf(idFile(n, true, 2)));
    assertEquals(List.of(), rowNumbersOf(idFile(n, false, 1).replace("\n7,", "\n77,")));
    assertEquals(List.of(), rowNumbersOf(idFile(n, false, 1).replace("\n7,", "\n8,")));
    assertEquals(List.of(), rowNumbersOf(idFile(n, false, 1).replace("\n7,", "\n7.5,")));
    assertEquals(List.of(), rowNumbersOf(idFile(n - 1, false, 1)));
    // Without a header it is named by its column alone; the shipped digits have none (pixels repeat).
    String noHeader = idFile(n, false, 0).substring(idFile(n, false, 0).indexOf('\n') + 1);
    CsvLoader.Table t = table(CsvLoader.defaults().withIgnoredColumns(List.of("2")), noHeader);
    assertEquals(List.of(0), t.rowNumberColumns());
    assertEquals("column 1 (index 0)", t.describe(0));
  }

  private static List<Integer> rowNumbersOf(String text) throws IOException {
    return table(CsvLoader.defaults().withIgnoredColumns(List.of("Name")), text).rowNumberColumns();
  }

  private static void assertMalformed(List<String> ignored, String text, String problem) {
    var e = assertThrows(MalformedDataException.class, () -> table(CsvLoader.defaults().withIgnoredColumns(ignored), text));
    assertTrue(e.getMessage().startsWith("test.csv line 1: "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }
}
