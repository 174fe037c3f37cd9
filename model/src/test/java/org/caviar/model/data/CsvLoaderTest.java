package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLoaderTest {
  private static Dataset load(CsvLoader loader, String text) throws IOException {
    return loader.load(new StringReader(text), "test.csv");
  }

  @Test
  void noHeaderLabelLast() throws IOException {
    Dataset d = load(CsvLoader.defaults(), "1,2,0\n3,4.5,1\n\n-1e-3,6,1\n");
    assertEquals(3, d.rows(), "blank lines are skipped");
    assertEquals(2, d.featureCount());
    assertArrayEquals(new float[] {1, 2, 3, 4.5f, -1e-3f, 6}, d.features());
    assertArrayEquals(new int[] {0, 1, 1}, d.labels());
    assertEquals(List.of("0", "1"), d.classNames());
  }

  @Test
  void headerLabelColumnNotLastAndStringClasses() throws IOException {
    String csv = """
        species, sepal_length ,sepal_width
        setosa,5.1,3.5
        virginica,6.3,3.3
        "versicolor",5.9,3.0
        setosa,4.9,3.0
        """;
    Dataset byName = load(CsvLoader.defaults().withLabelColumn("species"), csv);
    Dataset byIndex = load(CsvLoader.defaults().withHeader(CsvLoader.Header.PRESENT).withLabelColumn(0), csv);
    for (Dataset d : List.of(byName, byIndex)) {
      assertEquals(4, d.rows());
      assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames(), "string classes sort as strings");
      assertArrayEquals(new int[] {0, 2, 1, 0}, d.labels());
      assertArrayEquals(new float[] {5.1f, 3.5f, 6.3f, 3.3f, 5.9f, 3.0f, 4.9f, 3.0f}, d.features());
    }
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstField() throws IOException {
    // Excel's "CSV UTF-8" starts the file with U+FEFF, read as a character of the first field.
    Dataset plain = load(CsvLoader.defaults().withLabelColumn(0), "3,1.5\n10,2\n");
    Dataset marked = load(CsvLoader.defaults().withLabelColumn(0), "\uFEFF3,1.5\n10,2\n");
    assertEquals(List.of("3", "10"), marked.classNames());
    assertArrayEquals(plain.labels(), marked.labels());
    Dataset header = load(CsvLoader.defaults().withLabelColumn("id"), "\uFEFFid,x\n1,0.5\n2,0.25\n");
    assertEquals(List.of("1", "2"), header.classNames());
  }

  @Test
  void integerClassesSortNumerically() throws IOException {
    Dataset d = load(CsvLoader.defaults(), "0.5,10\n0.25,9\n0.125,2\n");
    assertEquals(List.of("2", "9", "10"), d.classNames());
    assertArrayEquals(new int[] {2, 1, 0}, d.labels());
  }

  /** A header name that is a number reads as an index: out of range, the error gives that name's index. */
  @Test
  void anIndexOutOfRangeThatIsAColumnsNameSaysItsIndex() {
    for (CsvLoader.Header h : new CsvLoader.Header[] {CsvLoader.Header.DETECT, CsvLoader.Header.PRESENT}) {
      MalformedDataException e = assertThrows(MalformedDataException.class,
          () -> load(CsvLoader.defaults().withHeader(h).withLabelColumn(2019), "a,b,2019\n0.5,1,3\n0.25,2,4\n"));
      assertTrue(e.getMessage().endsWith("the column named '2019' on line 1 is index 2"), h + ": " + e.getMessage());
    }
  }

  /** Decimal labels (grades, doses) sort by value too: as text 10.5 came between 1.5 and 2.5. */
  @Test
  void decimalClassesSortNumerically() throws IOException {
    Dataset d = load(CsvLoader.defaults(), "1,10.5\n2,2.5\n3,1.5\n4,-0.5\n5,2\n");
    assertEquals(List.of("-0.5", "1.5", "2", "2.5", "10.5"), d.classNames());
    assertArrayEquals(new int[] {4, 3, 1, 0, 2}, d.labels());
  }

  @Test
  void quotedFieldsAndOtherDelimiters() throws IOException {
    Dataset d = load(CsvLoader.defaults().withDelimiter(';').withLabelColumn(0), "\"a;b\";1.5\n\"say \"\"hi\"\"\";2\n");
    assertEquals(List.of("a;b", "say \"hi\""), d.classNames().stream().sorted().toList());
    assertEquals(1, d.featureCount());
    assertArrayEquals(new float[] {1.5f, 2}, d.features());
  }

  /**
   * The loader closes the gzip stream it made (freeing the decompressor's native memory at once)
   * but not the caller's stream: whoever opened it closes it.
   */
  @Test
  void theCallersStreamStaysOpen() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("a,b,label\n1,2,x\n3,4,y\n".getBytes(StandardCharsets.UTF_8));
    }
    for (byte[] content : List.of(bytes.toByteArray(), "a,b,label\n1,2,x\n".getBytes(StandardCharsets.UTF_8))) {
      boolean[] closed = {false};
      java.io.InputStream in = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(content)) {
        @Override
        public void close() {
          closed[0] = true;
        }
      };
      CsvLoader.defaults().load(in, "caller's stream");
      assertTrue(!closed[0], "the loader closed the caller's stream");
    }
  }

  @Test
  void gzipIsRecognizedByItsBytes(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("a,b,label\n1,2,x\n3,4,y\n".getBytes(StandardCharsets.UTF_8));
    }
    Path file = dir.resolve("data.csv"); // no .gz in the name on purpose
    Files.write(file, bytes.toByteArray());
    Dataset d = CsvLoader.defaults().load(file);
    assertEquals(2, d.rows());
    assertEquals(List.of("x", "y"), d.classNames());
    // Cut short (a copy that stopped early): named as damaged gzip with the file, not the JDK's bare message.
    Path cut = dir.resolve("cut.csv.gz");
    Files.write(cut, java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() - 12));
    MalformedDataException e = assertThrows(MalformedDataException.class,
        () -> CsvLoader.defaults().load(cut));
    assertEquals(cut.toString(), e.source());
    assertTrue(e.getMessage().contains("truncated or damaged gzip data"), e.getMessage());
    // Cut inside the gzip header, where the JDK's exception has no message: none is made up.
    Files.write(cut, java.util.Arrays.copyOf(bytes.toByteArray(), 5));
    e = assertThrows(MalformedDataException.class, () -> CsvLoader.defaults().load(cut));
    assertTrue(e.getMessage().endsWith("truncated or damaged gzip data"), e.getMessage());
  }

  @Test
  void malformedFilesNameTheLine() {
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,4,1\n5,6\n", 3, "expected 3 fields, found 2");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n\n3,4,1,7\n", 3, "expected 3 fields, found 4");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,x,1\n", 2, "column 2 (index 1): 'x' is not a number");
    assertMalformed(CsvLoader.defaults(), "a,b,c\n1,2,0\n3,,1\n", 3, "column 2 (index 1) 'b' is empty");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,NaN,1\n", 2, "'NaN' is not a finite number");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,4,\n", 2, "the label, column 3 (index 2), is empty");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n\"3,4,1\n", 2, "unterminated quoted field in column 1 (index 0)");
    assertMalformed(CsvLoader.defaults().withLabelColumn("kind"), "a,b,c\n1,2,0\n", 1, "no column named 'kind'");
    assertMalformed(CsvLoader.defaults().withLabelColumn("kind"), "1,2,0\n", 1, "has no header");
    // A label chosen by index is named with that index, beside the count from 1 an editor shows.
    assertMalformed(CsvLoader.defaults().withLabelColumn(0), "0,1,2\n,3,4\n", 2, "the label, column 1 (index 0), is empty");
    assertMalformed(CsvLoader.defaults().withLabelColumn(5), "1,2,0\n", 1, "label column index 5 is outside the 3 columns (indexes 0 to 2, or -1 to -3 from the end)");
  }

  /**
   * A file that Excel saved where the decimal separator is a comma ("5,1;3,5;setosa") cut apart by
   * the default comma into fields such as "1;3", or read with ';' into fields such as "5,1": the error
   * said only that the field is not a number. It now says what the field has.
   */
  @Test
  void aNumberWithADecimalCommaOrAnotherDelimiterSaysSo() {
    assertMalformed(CsvLoader.defaults(), "5,1;3,5;setosa\n4,9;3,0;setosa\n", 1,
        "column 2 (index 1): '1;3' is not a number (the delimiter is ','; this field has ';')");
    assertMalformed(CsvLoader.defaults().withDelimiter(';'), "sl;sw;species\n5,1;3,5;setosa\n4,9;3,0;setosa\n", 2,
        "column 1 (index 0) 'sl': '5,1' is not a number (a decimal comma? numbers are read with a decimal point)");
    assertMalformed(CsvLoader.defaults().withDelimiter('\t'), "1\t2,5\t0\n", 1, "'2,5' is not a number (a decimal comma?");
    // A comma that is no decimal comma ("1,000,000", "a,b") is not called one.
    var e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults().withDelimiter(';'), "1,000,000;2;0\n"));
    assertTrue(e.getMessage().endsWith("'1,000,000' is not a number"), e.getMessage());
  }

  /**
   * Fields are trimmed, and a no-break space (U+00A0, as a spreadsheet or a web page pasted into
   * one leaves after a word) is space too: "setosa\u00a0" and "setosa" were two classes of one name
   * to the eye, and "5.1\u00a0" not a number.
   */
  @Test
  void spacesOtherThanAsciiAreTrimmedToo() throws IOException {
    for (String space : List.of("\u00a0", "\u2003", "\u3000", "\u202f")) {
      Dataset d = load(CsvLoader.defaults(), "5.1" + space + ",setosa" + space + "\n" + space + "6.3,setosa\n4.9,\"" + space + "virginica\"\n");
      assertEquals(List.of("setosa", "virginica"), d.classNames(), "U+" + Integer.toHexString(space.charAt(0)));
      assertArrayEquals(new float[] {5.1f, 6.3f, 4.9f}, d.features());
    }
  }

  @Test
  void aFileOfAnotherDelimiterSaysWhichItHas() {
    assertMalformed(CsvLoader.defaults(), "a;b;label\n1;2;x\n", 1, "needs at least 2 columns (features and a label), found 1 (the delimiter is ','; this line has ';')");
    assertMalformed(CsvLoader.defaults(), "1\t2\t0\n", 1, "found 1 (the delimiter is ','; this line has tabs)");
    assertMalformed(CsvLoader.defaults().withDelimiter(';'), "1,2,0\n", 1, "found 1 (the delimiter is ';'; this line has ',')");
    assertMalformed(CsvLoader.defaults().withDelimiter('\t'), "1;2;0\n", 1, "found 1 (the delimiter is a tab; this line has ';')");
    // A delimiter that numbers are written with cut them apart ('-' made "-1-2-a" an empty field, "1", "2", "a").
    for (char c : "0123456789.-+eE".toCharArray()) {
      var e = assertThrows(IllegalArgumentException.class, () -> CsvLoader.defaults().withDelimiter(c));
      assertEquals("delimiter cannot be '" + c + "': numbers are written with it", e.getMessage());
    }
    // One column and nothing else to point at: no hint.
    var e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "1\n2\n"));
    assertTrue(e.getMessage().endsWith("found 1"), e.getMessage());
  }

  @Test
  void aHeaderOfNumberedColumnsIsAHeader() throws IOException {
    // pandas writes integer column names as numbers: the first line is a header all the same, not a
    // row of a class "target" beside the integer classes.
    Dataset d = load(CsvLoader.defaults(), "0,1,target\n1,2,3\n4,5,6\n7,8,3\n");
    assertEquals(List.of("3", "6"), d.classNames());
    assertArrayEquals(new float[] {1, 2, 4, 5, 7, 8}, d.features());
    assertArrayEquals(new int[] {0, 1, 0}, d.labels());
    // Named, the label column says the first line is the header.
    Dataset named = load(CsvLoader.defaults().withLabelColumn("target"), "target,0,1\ncat,1,2\ndog,3,4\n");
    assertEquals(List.of("cat", "dog"), named.classNames());
    assertArrayEquals(new float[] {1, 2, 3, 4}, named.features());
    // Word labels throughout: the first line is data, as it always was.
    Dataset words = load(CsvLoader.defaults(), "1,2,cat\n3,4,dog\n5,6,cat\n");
    assertEquals(3, words.rows());
    assertEquals(List.of("cat", "dog"), words.classNames());
    // Said to be absent, it is absent.
    Dataset absent = load(CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT), "0,1,x\n1,2,3\n");
    assertEquals(2, absent.rows());
  }

  /**
   * A first line whose only word is its label, among rows of integer labels, is a header or a data
   * row of its own class: its features are numbers like every row's. It used to be taken for a
   * header of numbered columns without a word, and the row was gone. A header of numbered columns
   * is recognized by its numbers (each feature field its column's number, from 0 or 1); any other
   * such first line is an error naming it and how to say which it is.
   */
  @Test
  void aFirstRowWhoseOnlyWordIsItsLabelIsNotSilentlyAHeader() throws IOException {
    String text = "7,2,cat\n3,4,1\n5,6,2\n";
    assertMalformed(CsvLoader.defaults(), text, 1, "label 'cat' is the only one that is not an integer, and its other fields are "
        + "numbers: is line 1 a header or a data row? Say which: " + CsvLoader.HEADER_HINT);
    // Blank lines before it: the line is named as an editor counts it.
    assertMalformed(CsvLoader.defaults(), "\n" + text, 2, "is line 2 a header or a data row?");
    Dataset absent = load(CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT), text);
    assertEquals(3, absent.rows());
    assertEquals(List.of("1", "2", "cat"), absent.classNames());
    Dataset present = load(CsvLoader.defaults().withHeader(CsvLoader.Header.PRESENT), text);
    assertEquals(2, present.rows());
    assertEquals(List.of("1", "2"), present.classNames());
    // Numbered columns, from 0 or from 1, the label anywhere: a header, as pandas and others write them.
    for (String header : new String[] {"0,1,target", "1,2,target", "target,0,1", "target,1,2", "0,target,2"}) {
      boolean labelFirst = header.startsWith("target");
      CsvLoader loader = labelFirst ? CsvLoader.defaults().withLabelColumn(0)
          : header.startsWith("0,target") ? CsvLoader.defaults().withLabelColumn(1) : CsvLoader.defaults();
      String rows = labelFirst ? "3,1,2\n6,4,5\n" : header.startsWith("0,target") ? "1,3,2\n4,6,5\n" : "1,2,3\n4,5,6\n";
      Dataset d = load(loader, header + "\n" + rows);
      assertEquals(2, d.rows(), header);
      assertEquals(List.of("3", "6"), d.classNames(), header);
    }
    // Numbers that are not the columns' ("5,7", "0.0,1", "0,0"): the same question.
    for (String first : new String[] {"5,7,target", "0.0,1,target", "0,0,target", "1,3,target"}) {
      assertMalformed(CsvLoader.defaults(), first + "\n1,2,3\n4,5,6\n", 1, "label 'target' is the only one");
    }
  }

  /**
   * A header of numbered columns over classes that are words ("0,1,2,3,species" as pandas writes a
   * frame of sklearn's iris data): it was read as a data row of a class "species" of its own, its
   * features the column numbers, and trained on.
   */
  @Test
  void aHeaderOfNumberedColumnsOverWordClassesIsAHeader(@TempDir Path dir) throws IOException {
    String last = "0,1,2,species\n5.1,3.5,1.4,setosa\n6.3,3.3,6.0,virginica\n4.9,3.0,1.4,setosa\n";
    Dataset d = load(CsvLoader.defaults(), last);
    assertEquals(List.of("setosa", "virginica"), d.classNames());
    assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 6.3f, 3.3f, 6.0f, 4.9f, 3.0f, 1.4f}, d.features());
    Path file = Files.writeString(dir.resolve("iris.csv"), last);
    assertEquals("species", CsvLoader.defaults().loadTable(file).labelName());
    // The label first, the columns from 1.
    Dataset first = load(CsvLoader.defaults().withLabelColumn(0), "species,1,2,3\nsetosa,5.1,3.5,1.4\nvirginica,6.3,3.3,6.0\n");
    assertEquals(List.of("setosa", "virginica"), first.classNames());
    assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 6.3f, 3.3f, 6.0f}, first.features());
    // A first row of a class of its own whose features are not the columns' numbers is data, as before.
    Dataset rare = load(CsvLoader.defaults(), "5,7,rare\n1,2,cat\n3,4,cat\n");
    assertEquals(3, rare.rows());
    assertEquals(List.of("cat", "rare"), rare.classNames());
    // A first row whose word label other rows share is data, whatever its numbers.
    Dataset shared = load(CsvLoader.defaults(), "0,1,2,cat\n1,2,3,cat\n3,4,5,dog\n");
    assertEquals(3, shared.rows());
    // Fewer than 3 features are the columns' numbers by chance (binary features): data.
    assertEquals(3, load(CsvLoader.defaults(), "0,1,rare\n1,1,cat\n0,0,cat\n").rows());
    assertEquals(3, load(CsvLoader.defaults(), "1,rare\n1,cat\n0,cat\n").rows());
    // A label that is a number is no header's name.
    assertEquals(3, load(CsvLoader.defaults(), "0,1,2,0.5\n1,2,3,low\n3,4,5,low\n").rows());
  }

  /**
   * A header whose every name is its column's number, the label's too: pandas writes one for a frame
   * of a numpy array with the labels as its last column (pd.DataFrame(np.c_[X, y])), "0,1,...,64".
   * It was read as a data row of a class "64" of its own, its features the column numbers.
   */
  @Test
  void aHeaderOfNumberedColumnsWithANumberedLabelIsAHeader() throws IOException {
    Dataset d = load(CsvLoader.defaults(), "0,1,2,3\n5,6,7,0\n8,9,1,1\n2,3,4,0\n");
    assertEquals(List.of("0", "1"), d.classNames());
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 1, 2, 3, 4}, d.features());
    // From 1, the label first.
    Dataset first = load(CsvLoader.defaults().withLabelColumn(0), "1,2,3,4\n0,5,6,7\n2,8,9,1\n");
    assertEquals(List.of("0", "2"), first.classNames());
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 1}, first.features());
    // A class other rows have: a data row, as before (its numbers may be data's own).
    assertEquals(3, load(CsvLoader.defaults(), "0,1,2,3\n5,6,7,3\n8,9,1,1\n").rows());
    // Fewer than 3 features: data.
    assertEquals(3, load(CsvLoader.defaults(), "0,1,2\n5,6,0\n8,9,1\n").rows());
    // Numbers that are not every column's: data.
    assertEquals(3, load(CsvLoader.defaults(), "0,1,2,4\n5,6,7,0\n8,9,1,1\n").rows());
  }

  /** The label column's header name, as the header detection decided, for callers that name it. */
  @Test
  void theTableNamesTheLabelColumnAsTheHeaderSaid(@TempDir Path dir) throws IOException {
    String[][] cases = {
        {"a,b,digit\n1,2,3\n4,5,6\n", "digit"},
        {"0,1,target\n1,2,3\n4,5,6\n7,8,3\n", "target"}, // numbered columns
        {"1,2,3\n4,5,6\n", null}, // no header
        {"7d,2F,label\n1,2,3\n4,5,6\n", "label"}, // no field is a number to the loader
    };
    for (String[] c : cases) {
      Path file = dir.resolve("t.csv");
      Files.writeString(file, c[0]);
      assertEquals(c[1], CsvLoader.defaults().loadTable(file).labelName(), c[0]);
    }
    Path file = dir.resolve("first.csv");
    Files.writeString(file, "digit,a,b\n3,1,2\n6,4,5\n");
    assertEquals("digit", CsvLoader.defaults().withLabelColumn(0).loadTable(file).labelName());
  }

  @Test
  void bytesThatAreNotUtf8NameTheLine() {
    // Latin-1 "café" and "cafè" would both decode to "caf\uFFFD": one class where the file has two.
    byte[] latin1 = "1,2,ok\n3,4,caf\u00e9\n5,6,caf\u00e8\n".getBytes(StandardCharsets.ISO_8859_1);
    var e = assertThrows(MalformedDataException.class,
        () -> CsvLoader.defaults().load(new java.io.ByteArrayInputStream(latin1), "test.csv"));
    assertEquals(2, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains("character 8 is not UTF-8 text"), e.getMessage());
  }

  @Test
  void oneNumberWrittenTwoWaysIsNotTwoClasses() {
    assertMalformed(CsvLoader.defaults(), "1,1\n2,2\n3,01\n", 3, "label '01' is the number of label '1' (line 1) written another way");
    assertMalformed(CsvLoader.defaults(), "1,+2\n2,0\n3,2\n", 3, "label '2' is the number of label '+2' (line 1) written another way");
    // Not only integers: "1" and "1.0" (a column pandas wrote as floats) were two classes, as were "0.5" and ".5".
    assertMalformed(CsvLoader.defaults(), "1,1\n2,2\n3,1.0\n", 3, "label '1.0' is the number of label '1' (line 1) written another way");
    assertMalformed(CsvLoader.defaults(), "1,0.5\n2,low\n3,.5\n", 3, "label '.5' is the number of label '0.5' (line 1) written another way");
  }

  /**
   * A first line whose label is a number that is not an integer ("2.0", "0.5", "1e3") among integer
   * labels is data, as it is on any other line: it was asked whether it is a header ("label '0.5'
   * is the only one that is not an integer ... a header or a data row?"), as a word label is, and
   * "2.0" beside "2" was that question rather than the error of one number written two ways.
   */
  @Test
  void aFirstRowWhoseLabelIsADecimalNumberIsData() throws IOException {
    Dataset d = load(CsvLoader.defaults(), "5,7,0.5\n3,4,1\n6,6,2\n");
    assertEquals(3, d.rows());
    assertEquals(List.of("0.5", "1", "2"), d.classNames());
    assertEquals(List.of("1", "2", "1e3"), load(CsvLoader.defaults(), "5,7,1e3\n3,4,1\n6,6,2\n").classNames());
    assertMalformed(CsvLoader.defaults(), "5,7,2.0\n3,4,1\n6,6,2\n", 3, "label '2' is the number of label '2.0' (line 1) written another way");
    // Its features its columns' numbers: data all the same, not a header of numbered columns.
    assertEquals(3, load(CsvLoader.defaults(), "1,2,0.5\n3,4,1\n6,6,2\n").rows());
  }

  @Test
  void javasOwnNumberSyntaxIsNoNumber() throws IOException {
    // Float.parseFloat reads "7d" as 7 and "0x1p3" as 8: in a CSV they are a unit or a code.
    assertMalformed(CsvLoader.defaults(), "1,2,0\n7d,2,1\n", 2, "column 1 (index 0): '7d' is not a number");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,2F,1\n", 2, "column 2 (index 1): '2F' is not a number");
    assertMalformed(CsvLoader.defaults(), "1,2,0\n3,0x1p3,1\n", 2, "column 2 (index 1): '0x1p3' is not a number");
    // Exponents and signs are decimal numbers still.
    assertArrayEquals(new float[] {1e3f, -2.5e-1f}, load(CsvLoader.defaults(), "1E3,-2.5e-1,x\n").features());
    // A header of such names is a header.
    assertEquals(1, load(CsvLoader.defaults(), "1d,7d,label\n1,2,x\n").rows());
  }

  @Test
  void aQuotedLineBreakIsSaidToBeUnsupported() {
    assertMalformed(CsvLoader.defaults(), "a,b\n\"x\ny\",1\n", 2, "line breaks inside quotes are not read");
  }

  @Test
  void aDelimiterAfterTheLastFieldIsNamed() {
    assertMalformed(CsvLoader.defaults(), "1,2,0,\n3,4,1,\n", 1,
        "the label, column 4 (index 3), is empty (the line ends with ',': a delimiter after the last field makes an empty last column)");
    assertMalformed(CsvLoader.defaults().withLabelColumn(0), "a,b,\nx,2,\n", 2,
        "column 3 (index 2) '' is empty (the line ends with ',': a delimiter after the last field makes an empty last column)");
    // Class names in the label column: the empty column after them is the (default, last) label,
    // and the names were said first, a feature that is not a number ("choose it with --label-column").
    assertMalformed(CsvLoader.defaults(), "a,b,label,\n1,2,x,\n3,4,y,\n", 2,
        "the label, column 4 (index 3), is empty (the line ends with ',': a delimiter after the last field makes an empty last column)");
    // An empty field elsewhere has no such hint.
    var e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "1,,0\n"));
    assertTrue(e.getMessage().endsWith("column 2 (index 1) is empty"), e.getMessage());
  }

  /**
   * A header that names the label column twice ("y" over two columns, as a merge of two tables
   * writes it) does not say which is the label: the first was taken, and the other silently
   * trained on as a feature (here the other's classes, a perfect and useless feature).
   */
  @Test
  void aLabelNameTheHeaderGivesTwiceIsAnError() throws IOException {
    assertMalformed(CsvLoader.defaults().withLabelColumn("y"), "a,y,y\n1,2,0\n3,4,1\n", 1,
        "the header names 'y' twice, column 2 (index 1) and column 3 (index 2): give the label column by its index");
    // A name given twice that is not the label's is a feature's: the columns stay apart, as before.
    Dataset d = load(CsvLoader.defaults().withLabelColumn("y"), "a,a,y\n1,2,0\n3,4,1\n");
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
    // By its index, either column is the label.
    Dataset byIndex = load(CsvLoader.defaults().withHeader(CsvLoader.Header.PRESENT).withLabelColumn(2), "a,y,y\n1,2,0\n3,4,1\n");
    assertEquals(List.of("0", "1"), byIndex.classNames());
    assertArrayEquals(new float[] {1, 2, 3, 4}, byIndex.features());
  }

  /**
   * A header with a number among its names ("x,2019,y": years, sizes) is read as data, as the class
   * doc says; the error on its first word said only that it is not a number, and a command line
   * took it for a label column to choose. It now asks whether the line is a header, and how to say so.
   */
  @Test
  void aHeaderWithANumberAmongItsNamesAsksWhetherItIsOne() throws IOException {
    String text = "\nx,2019,y\n1,2,0\n3,4,1\n";
    assertMalformed(CsvLoader.defaults(), text, 2, "column 1 (index 0): 'x' is not a number; line 2 has a number too (column 2 (index 1) "
        + "'2019'), so it was read as data: is it a header? Say which: " + CsvLoader.HEADER_HINT);
    Dataset d = load(CsvLoader.defaults().withHeader(CsvLoader.Header.PRESENT), text);
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
    // A label that is a number: a data row with a word where a number goes (the label in another
    // column, say), not a header; no question.
    var e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "setosa,5.1,1.4\nvirginica,6.3,3.3\n"));
    assertTrue(e.getMessage().endsWith("column 1 (index 0): 'setosa' is not a number"), e.getMessage());
    // A missing value in a data row ("?" as UCI writes it, "NA" as R does) is no header's name: no question.
    for (String missing : List.of("?", "NA", "n/a", "null", "None", "-")) {
      e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "5.1," + missing + ",1.4,setosa\n4.9,3.0,1.4,setosa\n"));
      assertTrue(e.getMessage().endsWith("column 2 (index 1): '" + missing + "' is not a number"), e.getMessage());
    }
    // Nor on a later line, nor with the header said to be absent.
    e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "1,2,a\nx,4,b\n"));
    assertTrue(e.getMessage().endsWith("'x' is not a number"), e.getMessage());
    e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT), text));
    assertTrue(e.getMessage().endsWith("'x' is not a number"), e.getMessage());
  }

  /**
   * pandas' to_csv (unless index=False) and R's write.csv (unless row.names=FALSE) write the row
   * numbers as a first column with no name in the header. It was loaded as a feature: on a file
   * sorted by class, as iris is, the row number alone tells the class, and the model learns it.
   */
  @Test
  void aFirstColumnWithoutANameIsRowNumbersNotAFeature() throws IOException {
    String pandas = ",a,b,species\n0,5.1,3.5,setosa\n1,4.9,3.0,setosa\n2,6.3,3.3,virginica\n";
    String r = "\"\",\"a\",\"b\",\"species\"\n\"1\",5.1,3.5,\"setosa\"\n\"2\",6.3,3.3,\"virginica\"\n";
    for (String text : List.of(pandas, r)) {
      for (CsvLoader loader : List.of(CsvLoader.defaults(), CsvLoader.defaults().withHeader(CsvLoader.Header.PRESENT),
          CsvLoader.defaults().withLabelColumn("species"))) {
        assertMalformed(loader, text, 1, "column 1 (index 0) has no name in the header: the row numbers that pandas (to_csv without "
            + "index=False) and R (write.csv without row.names=FALSE) write there? They would be a feature: write the file without them, "
            + "leave the column out (index 0), or name it");
      }
    }
    // Named, it is a feature as any other.
    Dataset named = load(CsvLoader.defaults(), "id,a,b,species\n0,5.1,3.5,setosa\n1,6.3,3.3,virginica\n");
    assertArrayEquals(new float[] {0, 5.1f, 3.5f, 1, 6.3f, 3.3f}, named.features());
    // The header said to be absent, there is no name to miss: an empty first field is an empty field.
    assertMalformed(CsvLoader.defaults().withHeader(CsvLoader.Header.ABSENT), ",1,2\n", 1, "column 1 (index 0) is empty");
  }

  /**
   * A spreadsheet saved as CSV writes the rows it formatted but left empty as delimiters alone
   * (",,"), often at the end: they hold nothing, as a blank line does, and are skipped as one. They
   * were an error ("column 1 (index 0) 'a' is empty") that only editing the file got past.
   */
  @Test
  void aLineOfDelimitersAloneIsBlank() throws IOException {
    Dataset d = load(CsvLoader.defaults(), ",,\na,b,y\n1,2,0\n , ,\n3,4,1\n,,\n\"\",,\n,,,\n");
    assertEquals(2, d.rows());
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
    assertEquals(List.of("0", "1"), d.classNames());
    // A line with something in it is a row: its empty fields are errors as before.
    assertMalformed(CsvLoader.defaults(), "a,b,y\n1,2,0\n,,1\n", 3, "column 1 (index 0) 'a' is empty");
  }

  @Test
  void anEmptyFileIsAnError() {
    var e = assertThrows(MalformedDataException.class, () -> load(CsvLoader.defaults(), "a,b\n\n"));
    assertTrue(e.getMessage().contains("no data rows"), e.getMessage());
  }

  private static void assertMalformed(CsvLoader loader, String text, long line, String problem) {
    var e = assertThrows(MalformedDataException.class, () -> load(loader, text));
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith("test.csv line " + line + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }
}
