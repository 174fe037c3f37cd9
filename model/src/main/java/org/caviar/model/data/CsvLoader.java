package org.caviar.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a classification dataset from CSV: every column but one holds a number, the label column
 * holds a class (an integer or a name). Gzip input is recognized by its first bytes.
 *
 * <p>Rules: fields are separated by the delimiter (default {@code ,}) and trimmed (of control
 * characters and spaces, a no-break space too); a field may be quoted with {@code "} (a doubled
 * {@code ""} inside is a quote; no line breaks inside). Blank lines are skipped, and so are lines of
 * empty fields alone (",,", a spreadsheet's empty rows). Every line must have as many fields as the
 * first; a feature must be a finite decimal number (not Java's "7d", "2f" or hex "0x1p3"). Anything else is a {@link MalformedDataException} naming the line (1-based) and column,
 * never a silently shifted column. A column is named as an editor counts it, from 1, with the
 * 0-based index that {@link #withLabelColumn(int)} takes beside it: "column 3 (index 2)".
 *
 * <p>Classes: when every label is a number (2, 10, 2.5) they are ordered by value, otherwise as strings;
 * class {@code i} is the {@code i}-th label in that order (so labels 0..9 keep their values). One
 * number written two ways ("1" and "01", "1" and "1.0") is an error, not two classes.
 *
 * <p>Header: {@link Header#DETECT} (the default) takes the first line as a header when none of its
 * fields is a number, when one of its fields is the label column given by name, or when its label
 * is a word while every other row's label is an integer and its other fields are the columns'
 * numbers (a header of numbered columns such as pandas writes, "0,1,...,63,target": each field the
 * number of its column, or of its feature, from 0 or from 1). A first line whose label is such a
 * word and whose other fields are other numbers ("5,7,cat" above rows of classes 0 to 9) is a
 * header or a data row of a class of its own: a {@link MalformedDataException} naming the line
 * says so and how to say which ({@link #HEADER_HINT}), rather than either guess. Over classes that
 * are words, a first line of the columns' numbers (3 or more features) whose label, a word, no other
 * row has is a header too ("0,1,2,3,species"); one of other numbers is a data row. So is a first line
 * of 3 or more features whose every field, the label's too, is its column's number ("0,1,...,64") and
 * whose label no other row has.
 *
 * <p>A header whose first column has no name, unless that column is the label, is a
 * {@link MalformedDataException}: that is how pandas and R write a table's row numbers, which as a
 * feature tell the class of a file sorted by class. So is a label column given by a name that the
 * header gives twice.
 *
 * <p>Columns can be left out ({@link #withIgnoredColumns}: an id, a name, a date); their fields are
 * not read. A feature column that holds the rows' numbers (named, such as Kaggle's "Id") is loaded,
 * but the {@link Table} names it, for the caller to warn of it.
 *
 * <p>Text is UTF-8: a line with bytes that are not (a Latin-1 "café") is a {@link MalformedDataException}, not
 * class names silently merged at the undecodable character.
 */
public final class CsvLoader {
  /** Whether the first line names the columns. */
  public enum Header {
    PRESENT,
    ABSENT,
    /** A header if no field of the first line parses as a number, or as the class doc says. */
    DETECT
  }

  /**
   * How a message of this loader tells the caller to say whether the first line is a header (see
   * the class doc): a command line that has its own option for it puts that in its place.
   */
  public static final String HEADER_HINT = "withHeader(Header.PRESENT) for a header, withHeader(Header.ABSENT) for a data row";

  private final Header header;
  private final int labelIndex;
  private final String labelName;
  private final char delimiter;
  /** Columns read as neither feature nor label, as given: header names, or 0-based indexes written as integers. */
  private final List<String> ignored;

  private CsvLoader(Header header, int labelIndex, String labelName, char delimiter, List<String> ignored) {
    this.header = header;
    this.labelIndex = labelIndex;
    this.labelName = labelName;
    this.delimiter = delimiter;
    this.ignored = ignored;
  }

  /** Header detected, label in the last column, comma-separated, every other column a feature. */
  public static CsvLoader defaults() {
    return new CsvLoader(Header.DETECT, -1, null, ',', List.of());
  }

  public CsvLoader withHeader(Header h) {
    if (h == null) throw new IllegalArgumentException("header must not be null");
    return new CsvLoader(h, labelIndex, labelName, delimiter, ignored);
  }

  /** The label column by 0-based index; negative counts from the end (-1 is the last). */
  public CsvLoader withLabelColumn(int index) {
    return new CsvLoader(header, index, null, delimiter, ignored);
  }

  /** The label column by its header name (needs a header). */
  public CsvLoader withLabelColumn(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("label column name must not be blank");
    return new CsvLoader(header, 0, name.trim(), delimiter, ignored);
  }

  /**
   * Columns to leave out: neither features nor the label, their fields not read (so they may hold
   * text, such as an id or a name). Each is a header name, or a 0-based index written as an integer
   * (negative counts from the end), as {@code --label-column} takes it; they replace any given before.
   * A row-number column ({@link Table#rowNumberColumns}) is the usual one to leave out.
   */
  public CsvLoader withIgnoredColumns(List<String> columns) {
    if (columns == null) throw new IllegalArgumentException("ignored columns must not be null");
    List<String> trimmed = new ArrayList<>();
    for (String c : columns) {
      if (c == null || c.isBlank()) throw new IllegalArgumentException("an ignored column must not be blank, got " + columns);
      trimmed.add(c.trim());
    }
    return new CsvLoader(header, labelIndex, labelName, delimiter, List.copyOf(trimmed));
  }

  /**
   * The field delimiter: any character but a quote, a line end or one that numbers are written with
   * (a digit, '.', '-', '+', 'e', 'E'), which would cut numbers apart ('-' split "-1" into an empty
   * field and "1").
   */
  public CsvLoader withDelimiter(char d) {
    if (d == '"' || d == '\n' || d == '\r') throw new IllegalArgumentException("delimiter cannot be " + (int) d);
    if (NUMBER_CHARACTERS.indexOf(d) >= 0) {
      throw new IllegalArgumentException("delimiter cannot be '" + d + "': numbers are written with it");
    }
    return new CsvLoader(header, labelIndex, labelName, d, ignored);
  }

  private static final String NUMBER_CHARACTERS = "0123456789.-+eE";

  /**
   * A loaded file and what its header said of the label.
   *
   * @param labelName the label column's name in the header, or null when the file has none
   * @param columnNames the header's names of the file's columns, or an empty list when it has none
   * @param rowNumberColumns the 0-based indexes of the feature columns that hold the rows' numbers
   *     ({@link #describe} names one): each row's value an integer, every value from 0 (or 1)
   *     to the row count less 1 (or the row count) once, in any order, over at least
   *     {@link #ROW_NUMBER_MIN_ROWS} rows. Such a column is an id, not a measurement: as a feature
   *     it tells a model the class of a file sorted by class, even after the rows are shuffled (a
   *     model of noise and Kaggle's Iris.csv "Id" scored 1.00). Loaded as a feature all the same
   *     (a rank can be one); {@link #withIgnoredColumns} leaves it out.
   * @param columns the number of the file's columns, the label and ignored ones included
   * @param labelColumn the 0-based index of the label column
   */
  public record Table(Dataset data, String labelName, List<String> columnNames, List<Integer> rowNumberColumns, int columns,
      int labelColumn) {
    public Table {
      columnNames = List.copyOf(columnNames);
      rowNumberColumns = List.copyOf(rowNumberColumns);
    }

    /**
     * The 0-based index of the column that {@code column} names as {@link #withLabelColumn} and
     * {@link #withIgnoredColumns} take it (an integer is an index, negative from the end; anything
     * else a header name, trimmed), or -1 when it names none of this file's columns (or two).
     */
    public int indexOf(String column) {
      String c = column.strip();
      if (isIndex(c)) {
        int i = Integer.parseInt(c);
        int index = i < 0 ? columns + i : i;
        return index >= 0 && index < columns ? index : -1;
      }
      int index = columnNames.indexOf(c);
      return index >= 0 && columnNames.lastIndexOf(c) == index ? index : -1;
    }

    /** A column as this loader's messages name it: "column 1 (index 0) 'Id'" (without the name when there is no header). */
    public String describe(int column) {
      return column(column) + (column < columnNames.size() ? " '" + columnNames.get(column) + "'" : "");
    }
  }

  /** Below this many rows a column of the row numbers can be a coincidence of small files, and is not reported. */
  public static final int ROW_NUMBER_MIN_ROWS = 20;

  public Dataset load(Path path) throws IOException {
    return loadTable(path).data();
  }

  /** {@link #load(Path)}, with the label column's header name as the header detection found it. */
  public Table loadTable(Path path) throws IOException {
    // Named: a NullPointerException from java.nio otherwise.
    if (path == null) throw new IllegalArgumentException("path must not be null");
    try (InputStream in = Files.newInputStream(path)) {
      return loadTable(in, path.toString());
    }
  }

  /** Reads UTF-8 (gzip or not) from {@code in}; {@code source} names it in error messages. */
  public Dataset load(InputStream in, String source) throws IOException {
    return loadTable(in, source).data();
  }

  /** {@link #load(InputStream, String)}, with the label column's header name as the header detection found it. */
  public Table loadTable(InputStream in, String source) throws IOException {
    if (in == null) throw new IllegalArgumentException("stream must not be null");
    try (InputStream data = Inputs.maybeGunzip(in, source)) {
      return loadTable(new InputStreamReader(data, StandardCharsets.UTF_8), source);
    } catch (java.io.EOFException e) {
      // A text file does not end in an EOFException: gzip data cut short does (the JDK's "Unexpected
      // end of ZLIB input stream", or no message at all inside the header).
      throw Inputs.damagedGzip(source, e);
    }
  }

  public Dataset load(Reader reader, String source) throws IOException {
    if (reader == null) throw new IllegalArgumentException("reader must not be null");
    return loadTable(reader, source).data();
  }

  private Table loadTable(Reader reader, String source) throws IOException {
    BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    Fields fields = new Fields();
    String line;
    long lineNo = 0;
    int columns = -1;
    int label = -1;
    // The ignored columns, true at each (null when none is).
    boolean[] skip = null;
    String[] names = null;
    // The first line read as data, and its number: it may turn out to be a header of numbered columns.
    String[] first = null;
    long firstLineNo = -1;
    float[] features = new float[1024];
    int featureCount = 0;
    int[] provisional = new int[64];
    int rows = 0;
    Map<String, Integer> ids = new HashMap<>();
    List<String> distinct = new ArrayList<>();
    List<Long> firstLine = new ArrayList<>(); // of each distinct label
    while ((line = in.readLine()) != null) {
      lineNo++;
      // A UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) would stick to the first field.
      if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
      if (line.isBlank()) continue;
      // Bytes that are not UTF-8 (a Latin-1 "café") decode to U+FFFD: class names that differ only
      // there ("café", "cafè") would silently become one class.
      int bad = line.indexOf('\uFFFD');
      if (bad >= 0) {
        throw new MalformedDataException(source, lineNo, "character " + (bad + 1)
            + " is not UTF-8 text (read as U+FFFD); save the file as UTF-8");
      }
      split(line, source, lineNo, fields);
      // Delimiters alone (",,"): a row a spreadsheet formatted and left empty, blank as an empty line is.
      if (fields.allEmpty()) continue;
      if (columns < 0) {
        columns = fields.size;
        if (columns < 2) {
          throw new MalformedDataException(source, lineNo, "needs at least 2 columns (features and a label), found " + columns + separatorHint(line));
        }
        boolean isHeader = switch (header) {
          case PRESENT -> true;
          case ABSENT -> false;
          // A header of numbered columns ("0,1,label") still names the label column given by name.
          // So does one of the ignored columns given by name.
          case DETECT -> fields.list().stream().noneMatch(CsvLoader::isNumber) || labelName != null && fields.list().contains(labelName)
              || ignored.stream().anyMatch(c -> !isIndex(c) && fields.list().contains(c));
        };
        if (isHeader) names = fields.list().toArray(new String[0]);
        label = resolveLabel(names, fields.list(), columns, source, lineNo);
        skip = resolveIgnored(names, columns, label, source, lineNo);
        // pandas and R write the row numbers so; taken for a feature, on a file sorted by class they tell the class.
        if (names != null && label != 0 && names[0].isEmpty() && (skip == null || !skip[0])) {
          throw new MalformedDataException(source, lineNo, column(0) + " has no name in the header: the row numbers that pandas (to_csv "
              + "without index=False) and R (write.csv without row.names=FALSE) write there? They would be a feature: write the file "
              + "without them, leave the column out (index 0), or name it");
        }
        featureCount = columns - 1 - count(skip);
        if (isHeader) continue;
        first = fields.list().toArray(new String[0]);
        firstLineNo = lineNo;
      } else if (fields.size != columns) {
        throw new MalformedDataException(
            source, lineNo, "expected " + columns + " fields, found " + fields.size);
      }
      if ((long) (rows + 1) * featureCount > Dataset.MAX_VALUES) {
        throw new MalformedDataException(source, lineNo, (rows + 1) + " rows of " + featureCount + " features = "
            + (long) (rows + 1) * featureCount + " floats, more than a Java array holds (" + Dataset.MAX_VALUES + ")");
      }
      if ((rows + 1) * featureCount > features.length) {
        features = Arrays.copyOf(features, (int) Math.min(Dataset.MAX_VALUES, Math.max(2L * features.length, (long) (rows + 1) * featureCount)));
      }
      // In long: past 2^30 rows (of one feature, a 4 GB file) 2 * rows is negative.
      if (rows == provisional.length) provisional = Arrays.copyOf(provisional, (int) Math.min(Dataset.MAX_VALUES, 2L * rows));
      int f = rows * featureCount;
      String headerQuestion = rows == 0 && header == Header.DETECT && names == null ? headerQuestion(fields, label, lineNo) : null;
      // A delimiter after the last field (on every line of some exports) is said first: the empty
      // column it makes is the label by default, and the real label before it, read as a feature,
      // was said to be "not a number" instead.
      int last = columns - 1;
      if (rows == 0 && (skip == null || !skip[last]) && fields.get(last).isEmpty() && !trailingDelimiter(line, last, columns).isEmpty()) {
        throw new MalformedDataException(source, lineNo, (last == label ? "the label, " + column(last) + "," : where(last, names))
            + " is empty" + trailingDelimiter(line, last, columns));
      }
      for (int c = 0; c < columns; c++) {
        if (skip != null && skip[c]) continue;
        if (c != label) {
          // A short integer is read from the line itself: no String for it (most fields of large files).
          float small = fields.shortInteger(c);
          if (!Float.isNaN(small)) {
            features[f++] = small;
            continue;
          }
        }
        String v = fields.get(c);
        if (c == label) {
          if (v.isEmpty()) {
            throw new MalformedDataException(source, lineNo, "the label, " + column(c) + ", is empty" + trailingDelimiter(line, c, columns));
          }
          Integer id = ids.get(v);
          if (id == null) {
            id = distinct.size();
            ids.put(v, id);
            distinct.add(v);
            firstLine.add(lineNo);
          }
          provisional[rows] = id;
        } else {
          if (v.isEmpty()) throw new MalformedDataException(source, lineNo, where(c, names) + " is empty" + trailingDelimiter(line, c, columns));
          features[f++] = parseFeature(v, source, lineNo, c, names, headerQuestion, delimiter);
        }
      }
      rows++;
    }
    String labelHeader = names != null ? names[label] : null;
    if (header == Header.DETECT && names == null && (numberedHeader(distinct, provisional, rows)
        || onlyWordOfItsClass(distinct, provisional, rows, featureCount) && numberedColumns(first, label)
        || onlyRowOfItsClass(provisional, rows) && featureCount >= 3 && everyColumnNumbered(first))) {
      // Its features are numbers as every row's: a data row of a class of its own ("cat" among 0..9)
      // reads the same, unless they are its columns' numbers. Either guess loses a row or adds one.
      // Over classes that are words ("0,1,2,3,species" over iris), such a row of the columns' numbers
      // is a header; one of other numbers is a data row of a rare class, as it always was. So is a row
      // whose every field is its column's number, the label's too ("0,1,...,64", pandas' header of a
      // numpy array with the labels last), if no other row has its label.
      if (!numberedColumns(first, label)) {
        throw new MalformedDataException(source, firstLineNo, "label '" + first[label] + "' is the only one that is not an integer, "
            + "and its other fields are numbers: is line " + firstLineNo + " a header or a data row? Say which: " + HEADER_HINT);
      }
      // The first line was a header of numbered columns ("0,1,...,63,target"): drop its row and its "class".
      labelHeader = distinct.get(provisional[0]);
      distinct.set(provisional[0], null);
      features = Arrays.copyOfRange(features, featureCount, rows * featureCount);
      provisional = Arrays.copyOfRange(provisional, 1, rows);
      rows--;
    }
    if (rows == 0) throw new MalformedDataException(source, "no data rows");
    // Order the classes, then renumber the provisional (first-seen) ids.
    List<String> classes = new ArrayList<>(distinct);
    classes.removeIf(java.util.Objects::isNull);
    // One number written two ways ("1", "01" and "+1"; "1" and "1.0" from a column written as floats;
    // "0.5" and ".5") is an error: two names, two classes, each with a share of its rows.
    Map<BigDecimal, String> byValue = new HashMap<>();
    for (String name : classes) {
      BigDecimal value = decimal(name);
      String other = value == null ? null : byValue.putIfAbsent(value, name);
      if (other != null) {
        long la = firstLine.get(ids.get(other));
        long lb = firstLine.get(ids.get(name));
        throw new MalformedDataException(source, Math.max(la, lb), "label '" + (la > lb ? other : name) + "' is the number of label '"
            + (la > lb ? name : other) + "' (line " + Math.min(la, lb) + ") written another way: they would be two classes");
      }
    }
    // Numbers by value (2 before 10, 2.5 before 10.5), names as text.
    if (classes.stream().allMatch(name -> decimal(name) != null)) {
      classes.sort(java.util.Comparator.comparing(CsvLoader::decimal));
    } else {
      classes.sort(null);
    }
    int[] remap = new int[distinct.size()];
    for (int i = 0; i < classes.size(); i++) remap[ids.get(classes.get(i))] = i;
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) labels[r] = remap[provisional[r]];
    List<Integer> rowNumbers = new ArrayList<>();
    for (int c = 0, f = 0; c < columns; c++) {
      if (c == label || skip != null && skip[c]) continue;
      if (rowNumbers(features, rows, featureCount, f)) rowNumbers.add(c);
      f++;
    }
    return new Table(new Dataset(Arrays.copyOf(features, rows * featureCount), labels, featureCount, classes), labelHeader,
        names == null ? List.of() : Arrays.asList(names), rowNumbers, columns, label);
  }

  /** Whether feature {@code f} holds the rows' numbers, from 0 or from 1, in any order (see {@link Table#rowNumberColumns}). */
  private static boolean rowNumbers(float[] features, int rows, int featureCount, int f) {
    if (rows < ROW_NUMBER_MIN_ROWS) return false;
    // rows distinct integers in [0, rows]: every one of those rows + 1 values but one, which must be an end.
    java.util.BitSet seen = new java.util.BitSet(rows + 1);
    for (int r = 0, at = f; r < rows; r++, at += featureCount) {
      float v = features[at];
      if (!(v >= 0 && v <= rows) || v != (int) v || seen.get((int) v)) return false;
      seen.set((int) v);
    }
    return !seen.get(0) || !seen.get(rows);
  }

  private static int count(boolean[] flags) {
    int n = 0;
    if (flags != null) for (boolean b : flags) if (b) n++;
    return n;
  }

  /**
   * Whether {@link #withIgnoredColumns} reads {@code column} as an index rather than a header name:
   * an integer (as --label-column reads one); a caller that suggests a column by name checks here.
   */
  public static boolean isIndex(String column) {
    try {
      Integer.parseInt(column);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The ignored columns as flags over the columns (null when none is); an error names any that is not there or is the label. */
  private boolean[] resolveIgnored(String[] names, int columns, int label, String source, long lineNo)
      throws MalformedDataException {
    if (ignored.isEmpty()) return null;
    boolean[] skip = new boolean[columns];
    for (String given : ignored) {
      int c;
      if (isIndex(given)) {
        int index = Integer.parseInt(given);
        c = index < 0 ? columns + index : index;
        if (c < 0 || c >= columns) {
          throw new MalformedDataException(source, lineNo, "ignored column index " + index + " is outside the " + columns
              + " columns (indexes 0 to " + (columns - 1) + ", or -1 to -" + columns + " from the end)");
        }
      } else {
        c = columnNamed(names, given, "ignored", source, lineNo);
      }
      if (c == label) {
        throw new MalformedDataException(source, lineNo, "ignored column '" + given + "' is the label, " + where(c, names)
            + ": a label column cannot be left out");
      }
      skip[c] = true;
    }
    if (count(skip) == columns - 1) {
      throw new MalformedDataException(source, lineNo, "the ignored columns " + ignored + " leave no feature column beside the label");
    }
    return skip;
  }

  /**
   * Whether the first row, read as data, is a header of numbered columns: its label is a word that
   * no other row has, and every other row's label is an integer (a data row with the only word label
   * among integers is no class anyone trains on).
   */
  private static boolean numberedHeader(List<String> distinct, int[] provisional, int rows) {
    // A word, not a number that is no integer: "0.5" or "2.0" there is data, as on any other line.
    if (rows < 2 || decimal(distinct.get(provisional[0])) != null) return false;
    for (int r = 1; r < rows; r++) {
      if (provisional[r] == provisional[0] || !ClassNames.isInteger(distinct.get(provisional[r]))) return false;
    }
    return true;
  }

  /**
   * Whether the first row's label is a word (not a number) that no other row has, and the row has
   * features enough (3) that its being its columns' numbers is no coincidence: a row "1,rare" of
   * binary features is data.
   */
  private static boolean onlyWordOfItsClass(List<String> distinct, int[] provisional, int rows, int featureCount) {
    if (rows < 2 || featureCount < 3 || isNumber(distinct.get(provisional[0]))) return false;
    for (int r = 1; r < rows; r++) if (provisional[r] == provisional[0]) return false;
    return true;
  }

  /** Whether no row but the first has the first row's label. */
  private static boolean onlyRowOfItsClass(int[] provisional, int rows) {
    if (rows < 2) return false;
    for (int r = 1; r < rows; r++) if (provisional[r] == provisional[0]) return false;
    return true;
  }

  /** Whether every field of {@code first}, the label's too, is its column's number, all from 0 or all from 1, as an integer. */
  private static boolean everyColumnNumbered(String[] first) {
    boolean from0 = true;
    boolean from1 = true;
    for (int c = 0; c < first.length; c++) {
      String v = first[c];
      if (v.isEmpty() || !Character.isDigit(v.charAt(0)) || !ClassNames.isInteger(v)) return false;
      long n = Long.parseLong(v);
      from0 &= n == c;
      from1 &= n == c + 1;
    }
    return from0 || from1;
  }

  /**
   * Whether the fields of {@code first} but its label are column numbers: each the number of its
   * column, or of its feature (the columns without the label), counted from 0 or from 1, written
   * as an integer. Data has such a row hardly ever; a header that names columns by number always.
   */
  private static boolean numberedColumns(String[] first, int label) {
    boolean[] fits = {true, true, true, true}; // column from 0, column from 1, feature from 0, feature from 1
    for (int c = 0, j = 0; c < first.length; c++) {
      if (c == label) continue;
      String v = first[c];
      if (v.isEmpty() || !Character.isDigit(v.charAt(0)) || !ClassNames.isInteger(v)) return false;
      long n = Long.parseLong(v);
      fits[0] &= n == c;
      fits[1] &= n == c + 1;
      fits[2] &= n == j;
      fits[3] &= n == j + 1;
      j++;
    }
    return fits[0] || fits[1] || fits[2] || fits[3];
  }

  /**
   * The index of the column the header calls {@code name}; an error if there is no header, no such
   * column, or two of them (either may be the one meant, and the other would be read as a feature).
   * {@code role} is "label" or "ignored", as the messages name the column.
   */
  private static int columnNamed(String[] names, String name, String role, String source, long lineNo) throws MalformedDataException {
    if (names == null) {
      throw new MalformedDataException(source, lineNo, role + " column '" + name + "' is named but the file has no header"
          + (role.equals("label") ? "" : " (line " + lineNo + " is read as data); give its index"));
    }
    int found = -1;
    for (int i = 0; i < names.length; i++) {
      if (!names[i].equals(name)) continue;
      if (found >= 0) {
        throw new MalformedDataException(source, lineNo, "the header names '" + name + "' twice, " + column(found) + " and "
            + column(i) + ": give the " + role + " column by its index");
      }
      found = i;
    }
    if (found < 0) throw new MalformedDataException(source, lineNo, "no column named '" + name + "' in header " + Arrays.toString(names));
    return found;
  }

  /** @param first the first line's fields, header or not: where the error finds a number that is a column's name */
  private int resolveLabel(String[] names, List<String> first, int columns, String source, long lineNo) throws MalformedDataException {
    if (labelName != null) return columnNamed(names, labelName, "label", source, lineNo);
    int idx = labelIndex < 0 ? columns + labelIndex : labelIndex;
    if (idx < 0 || idx >= columns) {
      // A header name that is a number ("2019") reads as an index; the index of that name is the way to it.
      int named = first.indexOf(Integer.toString(labelIndex));
      throw new MalformedDataException(source, lineNo, "label column index " + labelIndex + " is outside the " + columns
          + " columns (indexes 0 to " + (columns - 1) + ", or -1 to -" + columns + " from the end)"
          + (named < 0 ? "" : "; the column named '" + labelIndex + "' on line " + lineNo + " is index " + named));
    }
    return idx;
  }

  /** A column as messages name it: counted from 1 as an editor does, with its 0-based index. */
  static String column(int index) {
    return "column " + (index + 1) + " (index " + index + ")";
  }

  /**
   * For the first line read as data when the header is detected, and only when its label is not a
   * number: what to add to a feature that is not a number and {@link #couldBeAName could be a name}.
   * Such a line may be a header with a number among its names ("x,2019,y"), which detection reads as
   * data; a data row whose label is a number and that has a word in a feature column has the label
   * elsewhere, and gets no question. Null otherwise.
   */
  private static String headerQuestion(Fields fields, int label, long lineNo) {
    if (isNumber(fields.get(label))) return null;
    for (int c = 0; c < fields.size; c++) {
      String v = fields.get(c);
      if (isNumber(v)) {
        return "; line " + lineNo + " has a number too (" + column(c) + " '" + v + "'), so it was read as data: is it a header? Say which: "
            + HEADER_HINT;
      }
    }
    return null;
  }

  /** A number written with a decimal comma, as where Excel saves "5,1;3,5": digits, one comma, digits. */
  private static final java.util.regex.Pattern DECIMAL_COMMA = java.util.regex.Pattern.compile("[+-]?[0-9]*,[0-9]+");

  /**
   * For a field that is not a number: a decimal comma ("5,1" in a file read with another delimiter
   * than ','), or another delimiter in the field ("1;3": a ';' file read with ','). Else "".
   */
  private static String numberHint(String v, char delimiter) {
    if (delimiter != ',' && DECIMAL_COMMA.matcher(v).matches()) return " (a decimal comma? numbers are read with a decimal point)";
    for (char c : new char[] {';', '\t', '|'}) {
      if (c != delimiter && v.indexOf(c) >= 0) {
        return " (the delimiter is " + describe(delimiter) + "; this field has " + (c == '\t' ? "a tab" : describe(c)) + ")";
      }
    }
    return "";
  }

  /** Missing values as data rows write them: no column's name. */
  private static final java.util.Set<String> MISSING = java.util.Set.of("na", "n/a", "nan", "null", "none", "missing");

  /** Whether a field that is not a number could be a column's name: it has a letter and is no missing-value marker ("?", "NA"). */
  private static boolean couldBeAName(String v) {
    return v.chars().anyMatch(Character::isLetter) && !MISSING.contains(v.toLowerCase(java.util.Locale.ROOT));
  }

  /** @param headerQuestion added to a "not a number" message, or null (see {@link #headerQuestion}) */
  private static float parseFeature(String v, String source, long lineNo, int column, String[] names, String headerQuestion,
      char delimiter) throws MalformedDataException {
    float x;
    try {
      if (javaSyntax(v)) throw new NumberFormatException(v);
      x = Float.parseFloat(v);
    } catch (NumberFormatException e) {
      // The message is built only here: built for every field, it took a quarter of the load.
      throw new MalformedDataException(source, lineNo, where(column, names) + ": '" + v + "' is not a number" + numberHint(v, delimiter)
          + (headerQuestion == null || !couldBeAName(v) ? "" : headerQuestion));
    }
    if (!Float.isFinite(x)) throw new MalformedDataException(source, lineNo, where(column, names) + ": '" + v + "' is not a finite number");
    return x;
  }

  /**
   * {@code v} as a float if it is an integer of at most 7 digits with an optional '-' (below 2^24,
   * so the float is exact and equals {@code Float.parseFloat(v)}, "-0" giving -0.0), else NaN.
   */
  static float shortInteger(String v) {
    return shortInteger(v, 0, v.length());
  }

  /** {@link #shortInteger(String)} of {@code s.substring(from, to)}, read in place. */
  static float shortInteger(String s, int from, int to) {
    boolean minus = from < to && s.charAt(from) == '-';
    int i = minus ? from + 1 : from;
    if (i == to || to - i > 7) return Float.NaN;
    int value = 0;
    for (; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) return Float.NaN;
      value = 10 * value + d;
    }
    return minus ? -(float) value : value;
  }

  private static String where(int column, String[] names) {
    return column(column) + (names != null ? " '" + names[column] + "'" : "");
  }

  /**
   * For an empty field: that the line ends with the delimiter, when it does and the field is the
   * last column (files written with a delimiter after every field have an empty column more).
   */
  private String trailingDelimiter(String line, int c, int columns) {
    if (c != columns - 1) return "";
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) != delimiter && space(line.charAt(end - 1))) end--;
    return end > 0 && line.charAt(end - 1) == delimiter
        ? " (the line ends with " + describe(delimiter) + ": a delimiter after the last field makes an empty last column)"
        : "";
  }

  /**
   * One line's fields: each a range of the line, or the text of a quoted field (its doubled quotes
   * undone). The loader made a String of every field, and those allocations and copies were two
   * fifths of a 784-column file's load; now only labels and fields that are not short integers get one.
   */
  private static final class Fields {
    private String line;
    int size;
    private int[] start = new int[16];
    private int[] end = new int[16];
    private String[] text = new String[16];

    void reset(String line) {
      this.line = line;
      size = 0;
    }

    void addBounds(int from, int to) {
      add(from, to, null);
    }

    void addText(String t) {
      add(0, 0, t);
    }

    private void add(int from, int to, String t) {
      if (size == start.length) {
        start = Arrays.copyOf(start, 2 * size);
        end = Arrays.copyOf(end, 2 * size);
        text = Arrays.copyOf(text, 2 * size);
      }
      start[size] = from;
      end[size] = to;
      text[size] = t;
      size++;
    }

    String get(int c) {
      return text[c] != null ? text[c] : line.substring(start[c], end[c]);
    }

    /** {@link CsvLoader#shortInteger(String)} of field {@code c}, without making its String. */
    float shortInteger(int c) {
      return text[c] != null ? CsvLoader.shortInteger(text[c]) : CsvLoader.shortInteger(line, start[c], end[c]);
    }

    /** Whether every field is empty (after trimming). */
    boolean allEmpty() {
      for (int c = 0; c < size; c++) if (text[c] != null ? !text[c].isEmpty() : end[c] > start[c]) return false;
      return true;
    }

    List<String> list() {
      List<String> all = new ArrayList<>(size);
      for (int c = 0; c < size; c++) all.add(get(c));
      return all;
    }
  }

  /** Splits one line into trimmed fields, honoring double quotes. */
  private void split(String line, String source, long lineNo, Fields out) throws MalformedDataException {
    out.reset(line);
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && line.charAt(i) != delimiter && space(line.charAt(i))) i++;
      if (i < n && line.charAt(i) == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) throw new MalformedDataException(source, lineNo, "unterminated quoted field in " + column(out.size)
              + " (a quoted field ends on its line: line breaks inside quotes are not read)");
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              b.append('"');
              i++;
            } else {
              break;
            }
          } else {
            b.append(c);
          }
        }
        while (i < n && line.charAt(i) != delimiter && space(line.charAt(i))) i++;
        if (i < n && line.charAt(i) != delimiter) {
          throw new MalformedDataException(source, lineNo, "text after the closing quote in " + column(out.size));
        }
        out.addText(strip(b.toString()));
      } else {
        int start = i;
        while (i < n && line.charAt(i) != delimiter) i++;
        // As strip(substring(start, i)), kept as bounds: a String is made only for a field that needs one.
        int end = i;
        while (start < end && space(line.charAt(start))) start++;
        while (end > start && space(line.charAt(end - 1))) end--;
        out.addBounds(start, end);
      }
      if (i >= n) return;
      i++; // skip the delimiter
    }
  }

  /**
   * Whether fields are trimmed of {@code c}: a control character or ASCII space, as {@link String#trim}
   * takes, or a Unicode space (a no-break space U+00A0 after a word pasted from a web page into a
   * spreadsheet), which left "setosa" and "setosa\u00a0" two classes and "5.1\u00a0" no number. ASCII
   * is told by two comparisons, without Character's tables.
   */
  static boolean space(char c) {
    return c <= ' ' || c >= '\u0080' && Character.isSpaceChar(c);
  }

  /** {@code s} without the {@link #space} characters at either end. */
  private static String strip(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && space(s.charAt(from))) from++;
    while (to > from && space(s.charAt(to - 1))) to--;
    return s.substring(from, to);
  }

  /** A file separated by another delimiter than this loader's, read as one column, says so. */
  private String separatorHint(String line) {
    for (char c : new char[] {',', ';', '\t', '|'}) {
      if (c != delimiter && line.indexOf(c) >= 0) {
        return " (the delimiter is " + describe(delimiter) + "; this line has " + (c == '\t' ? "tabs" : describe(c)) + ")";
      }
    }
    return "";
  }

  private static String describe(char c) {
    return c == '\t' ? "a tab" : "'" + c + "'";
  }

  /**
   * Whether {@code v} is a number only to Java, which no CSV means: a type suffix ("7d", "2f") is a
   * unit or a code, hex ("0x1p3") a string. {@link Float#parseFloat} takes both.
   */
  private static boolean javaSyntax(String v) {
    char last = v.charAt(v.length() - 1);
    return last == 'd' || last == 'D' || last == 'f' || last == 'F' || v.indexOf('x') >= 0 || v.indexOf('X') >= 0;
  }

  /** A label's value when it is a number (an integer as {@link ClassNames#isInteger} reads it, or a decimal), else null. */
  static BigDecimal decimal(String name) {
    try {
      BigDecimal value = ClassNames.isInteger(name) ? BigDecimal.valueOf(Long.parseLong(name)) : isNumber(name) ? new BigDecimal(name) : null;
      return value == null ? null : value.stripTrailingZeros(); // 1.0 and 1, 10 and 1E+1: one key
    } catch (NumberFormatException e) {
      return null; // a number to parseFloat only ("Infinity", "NaN"): a name
    }
  }

  private static boolean isNumber(String s) {
    try {
      if (!s.isEmpty() && javaSyntax(s)) return false;
      Float.parseFloat(s);
      return !s.isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

}
