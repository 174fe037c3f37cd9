package org.caviar.search.cli;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.caviar.model.data.CsvLoader;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Datasets;
import org.caviar.model.data.IdxLoader;
import org.caviar.model.data.MalformedDataException;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.io.Provenance;
import org.caviar.model.optim.Counts;
import org.caviar.model.optim.Floats;
import picocli.CommandLine.Option;

/** Where the data comes from and how it is split; shared by the commands. */
public final class DataOptions {
  @Option(names = "--csv", paramLabel = "FILE",
      description = "A CSV file (may be gzipped): numeric feature columns and one label column. Default: the shipped digits set.")
  Path csv;

  @Option(names = "--label-column", paramLabel = "COLUMN",
      description = "The CSV's label column, by header name or 0-based index (negative counts from the end). Default: the last.")
  String labelColumn;

  @Option(names = "--ignore-columns", paramLabel = "COLUMN", split = ",",
      description = "CSV columns to leave out, neither features nor the label (an id, a name, a date), by header name or "
          + "0-based index, comma-separated or the option repeated. A column of the rows' numbers (such as an 'Id') is one: "
          + "as a feature it can tell the class of a file sorted by class.")
  List<String> ignoreColumns;

  @Option(names = "--csv-delimiter", paramLabel = "CHAR",
      description = "The CSV's field delimiter: one character, or 'tab'. Default: a comma.")
  String csvDelimiter;

  @Option(names = "--csv-header", paramLabel = "WHICH",
      description = "Whether the CSV's first line is a header: present, absent or detect. Detected, it is one when none of "
          + "its fields is a number, or it names --label-column, or its numbers are the columns' (0,1,...,target); a first "
          + "line that could be either is an error that asks for this option. Default: detect.")
  String csvHeader;

  @Option(names = "--idx-images", paramLabel = "FILE", description = "MNIST-style IDX images file (with --idx-labels).")
  Path idxImages;

  @Option(names = "--idx-labels", paramLabel = "FILE", description = "MNIST-style IDX labels file (with --idx-images).")
  Path idxLabels;

  static final String DEFAULT_SPLIT = "0.6,0.2";
  static final String DEFAULT_SPLIT_SEED = "42";

  @Option(names = "--split", paramLabel = "TRAIN,VALIDATION", defaultValue = DEFAULT_SPLIT,
      description = "Fractions for training and validation, stratified by class; the rest is the test set. A part given a "
          + "fraction gets a row if the data has one for each such part. Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--split-seed", paramLabel = "SEED", defaultValue = DEFAULT_SPLIT_SEED, description = "Seed of the split. Default: ${DEFAULT-VALUE}.")
  long splitSeed;

  /** The parts, standardized with the training part's statistics, a description, and the data as read. */
  public record Data(Dataset train, Dataset validation, Dataset test, Standardizer standardizer, String description, Raw raw) {
    public int inputs() {
      return train.featureCount();
    }

    public int classes() {
      return Math.max(train.classCount(), Math.max(validation.classCount(), test.classCount()));
    }
  }

  /** Whether the split is the default one (any spelling of its fractions), which a command given no --split uses. */
  boolean defaultSplit() {
    return defaultFractions() && splitSeed == Long.parseLong(DEFAULT_SPLIT_SEED);
  }

  /** Whether --split is the default's fractions (as numbers: 0.60,0.2 is 0.6,0.2). */
  private boolean defaultFractions() {
    return StudySettings.canonicalSplit(split).equals(StudySettings.canonicalSplit(DEFAULT_SPLIT));
  }

  /**
   * These options as arguments of another command on the same data and split (e.g. gradcheck after
   * train): the data options given (or taken from a study), and the split unless it is the default.
   */
  List<Object> arguments() {
    List<Object> args = dataArguments();
    if (!defaultSplit()) args.addAll(List.of("--split", split.strip(), "--split-seed", splitSeed));
    return args;
  }

  /** The data option given that names a pipe rather than a file ("--csv /dev/fd/63"), or null: its data is read once. */
  String piped() {
    String[] names = {"--csv", "--idx-images", "--idx-labels"};
    Path[] files = {csv, idxImages, idxLabels};
    for (int i = 0; i < names.length; i++) {
      if (files[i] != null && !Files.isRegularFile(files[i])) return names[i] + " " + files[i];
    }
    return null;
  }

  /** The data options alone, as {@link #arguments()} gives them: for evaluate, which takes the split from the model. */
  List<Object> dataArguments() {
    List<Object> args = new ArrayList<>();
    if (csv != null) args.addAll(List.of("--csv", csv));
    if (labelColumn != null) args.addAll(List.of("--label-column", labelColumn));
    if (ignoreColumns != null && !ignoreColumns.isEmpty()) args.addAll(List.of("--ignore-columns", canonicalIgnored(ignoreColumns)));
    if (csvDelimiter != null && !canonicalDelimiter(csvDelimiter).isEmpty()) {
      args.addAll(List.of("--csv-delimiter", canonicalDelimiter(csvDelimiter)));
    }
    if (csvHeader != null && !canonicalHeader(csvHeader).isEmpty()) args.addAll(List.of("--csv-header", canonicalHeader(csvHeader)));
    if (idxImages != null) args.addAll(List.of("--idx-images", idxImages));
    if (idxLabels != null) args.addAll(List.of("--idx-labels", idxLabels));
    return args;
  }

  /** The parts, standardized with the training part's statistics. */
  public Data load() throws IOException {
    return load(true);
  }

  /**
   * The same; {@code scored} false for a command that uses the training part only (gradcheck),
   * which then takes a split without validation rows.
   */
  Data load(boolean scored) throws IOException {
    Raw raw = loadRaw();
    // Else the network's own check says "classes must be >= 2", and tune only after failing every trial.
    if (raw.all().classCount() < 2) {
      throw new IllegalArgumentException(raw.name() + " has " + raw.all().classCount() + " class" + (raw.all().classCount() == 1
          ? " ('" + raw.all().classNames().get(0) + "')" : "es") + " in its label column: a classifier needs at least 2");
    }
    // Training fits on the train part and picks its epochs (early stopping, pruning, tune's value) on validation.
    requireRows(raw, TRAIN);
    if (scored) requireRows(raw, VALIDATION);
    Split parts = raw.parts();
    Standardizer standardizer = Standardizer.fit(parts.train());
    // A label left to the default is named when the header names it: a feature of a few integer
    // values taken for a label that sits elsewhere reads as classes, and would train unnoticed.
    String label = defaultLabelName == null ? ""
        : " in column '" + defaultLabelName + "' (the last; --label-column chooses another)";
    // Counts grouped from 1,000 on, as the lines below it write theirs ("612 epochs trained of 1,800").
    String description = String.format(Locale.ROOT, "%s: %s rows, %s features, %s classes%s; train %s / validation %s / test %s",
        raw.name(), Counts.grouped(raw.all().rows()), Counts.grouped(raw.all().featureCount()),
        Counts.grouped(raw.all().classCount()), label, Counts.grouped(parts.train().rows()),
        Counts.grouped(parts.validation().rows()), Counts.grouped(parts.test().rows()));
    // Left to right: a training row's value is named before a validation row's, a validation row's before a test row's.
    return new Data(standardize(standardizer, parts.train(), raw, raw.rows().train(), "a training row; ", "the training rows'"),
        standardize(standardizer, parts.validation(), raw, raw.rows().validation(), "a validation row; ", "the training rows'"),
        standardize(standardizer, parts.test(), raw, raw.rows().test(), "a test row; ", "the training rows'"),
        standardizer, description, raw);
  }

  /** {@code standardizer.apply(data)}, a value it takes to Infinity named by {@link #notStandardizable}. */
  private Dataset standardize(Standardizer standardizer, Dataset data, Raw raw, int[] rows, String part, String whose) {
    try {
      return standardizer.apply(data);
    } catch (Standardizer.NotFiniteException e) {
      throw notStandardizable(e, standardizer, raw, rows, part, whose);
    }
  }

  /**
   * The value {@code e} found (in rows of {@code raw}: its {@code rows}, or all of them when null),
   * named by its row and column in the file: the standardizer's own message named the row of the
   * part and an index into the program's array ("features[10] (row 5, feature 0)"). {@code part}
   * says which part the row is in ("a test row; ", or empty), {@code whose} whose statistics these are.
   */
  IllegalArgumentException notStandardizable(Standardizer.NotFiniteException e, Standardizer standardizer, Raw raw, int[] rows,
      String part, String whose) {
    int j = e.feature();
    int row = rows == null ? e.row() : rows[e.row()];
    String counted = csv != null ? "data rows counted from 0" : idxImages != null ? "images counted from 0" : "rows counted from 0";
    String feature = featureNames != null && j < featureNames.size() ? featureNames.get(j)
        : (idxImages != null ? "value " : "feature ") + j;
    IllegalArgumentException named = new IllegalArgumentException(raw.name() + " row " + row + " (" + part + counted + "), " + feature
        + ": " + Floats.text(e.value()) + " standardizes to " + e.standardized() + " with " + whose + " mean "
        + Floats.text(standardizer.mean()[j]) + " and scale " + Floats.text(standardizer.scale()[j])
        + ": far outside the training data; leave the row out, or scale the column down");
    named.initCause(e);
    return named;
  }

  /** The last CSV load's feature columns as its messages name them ("column 2 (index 1) 'b'"), or null. */
  private List<String> featureNames;

  /** The whole dataset as read, which of its rows each part of the split holds, and where it came from. */
  public record Raw(Dataset all, Split.Rows rows, String name) {
    /** The parts of the split, not standardized. */
    public Split parts() {
      return Split.of(all, rows);
    }
  }

  /** Refuses a CSV's own option (label, ignored columns, delimiter, header) without a --csv, naming it. */
  void checkCsvOptions() {
    if (labelColumn != null && csv == null) throw new IllegalArgumentException("--label-column goes with --csv");
    if (ignoreColumns != null && csv == null) throw new IllegalArgumentException("--ignore-columns goes with --csv");
    if (csvDelimiter != null && csv == null) throw new IllegalArgumentException("--csv-delimiter goes with --csv");
    if (csvHeader != null && csv == null) throw new IllegalArgumentException("--csv-header goes with --csv");
  }

  /** The data and its split as read, before any standardization. */
  public Raw loadRaw() throws IOException {
    notes.clear();
    featureNames = null;
    Dataset all;
    String name;
    double[] fractions = fractions();
    if (csv != null && (idxImages != null || idxLabels != null)) {
      throw new IllegalArgumentException("give either --csv or --idx-images with --idx-labels, not both");
    }
    checkCsvOptions();
    char delimiter = delimiter(csvDelimiter);
    CsvLoader.Header header = header(csvHeader);
    PathChecks.existingFile("--csv", csv);
    PathChecks.existingFile("--idx-images", idxImages);
    PathChecks.existingFile("--idx-labels", idxLabels);
    if (csv != null) {
      CsvLoader loader = CsvLoader.defaults().withDelimiter(delimiter).withHeader(header);
      if (labelColumn != null) {
        try {
          loader = loader.withLabelColumn(Integer.parseInt(labelColumn.trim()));
        } catch (NumberFormatException byName) {
          loader = loader.withLabelColumn(labelColumn);
        }
      }
      if (ignoreColumns != null) {
        for (String c : ignoreColumns) {
          if (c.isBlank()) throw new IllegalArgumentException("--ignore-columns has an empty column name: '" + canonicalIgnored(ignoreColumns) + "'");
        }
        loader = loader.withIgnoredColumns(ignoreColumns);
      }
      CsvLoader.Table table;
      try (InputStream in = open(csv)) {
        table = loader.loadTable(in, csv.toString());
        read(csv, in);
      } catch (MalformedDataException e) {
        // Read with another column than the study's (as the label, or left out): the likely cause.
        if (!csvChecks.isEmpty()) throw csvChecks.getFirst().refused();
        throw labelHint(e);
      }
      for (CsvCheck check : csvChecks) {
        if (!check.same().test(table)) throw check.refused();
      }
      all = table.data();
      name = dataName(csv);
      // The features are the columns but the label and the ignored ones, in order.
      java.util.Set<Integer> left = new java.util.HashSet<>();
      if (ignoreColumns != null) for (String c : ignoreColumns) left.add(table.indexOf(c));
      List<String> features = new ArrayList<>();
      for (int c = 0; c < table.columns(); c++) if (c != table.labelColumn() && !left.contains(c)) features.add(table.describe(c));
      featureNames = features.size() == all.featureCount() ? features : null;
      for (int column : table.rowNumberColumns()) {
        // By name where a name can be given (no comma in it, and not an integer, which would read as an index).
        String byName = column < table.columnNames().size() ? table.columnNames().get(column) : null;
        String option = byName != null && !byName.isEmpty() && !byName.contains(",") && !CsvLoader.isIndex(byName.strip())
            ? byName.strip() : Integer.toString(column);
        notes.add(table.describe(column) + " holds the rows' numbers (each once): as a feature it can tell the class of a file "
            + "sorted by class; --ignore-columns " + option + " leaves it out");
      }
      defaultLabelName = labelColumn == null ? table.labelName() : null;
      // A feature taken for the label (the last column by default) makes nearly every row a class
      // of its own, and the split then fails for a reason that does not point here. A column the
      // user chose is the label, however many classes it has.
      if (labelColumn == null && all.rows() >= 20 && all.classCount() > all.rows() / 2) {
        throw new IllegalArgumentException("the label column of " + csv + " (the last) has " + Counts.grouped(all.classCount())
            + " distinct values in " + Counts.grouped(all.rows())
            + " rows; is it the label? Choose it with --label-column (a name, or an index from 0)");
      }
    } else if (idxImages != null || idxLabels != null) {
      if (idxImages == null || idxLabels == null) throw new IllegalArgumentException("--idx-images and --idx-labels go together");
      try (InputStream images = open(idxImages); InputStream labels = open(idxLabels)) {
        all = IdxLoader.load(images, idxImages.toString(), labels, idxLabels.toString());
        read(idxImages, images);
        read(idxLabels, labels);
      }
      name = dataName(idxImages);
    } else {
      all = Datasets.digits();
      name = "digits";
    }
    return new Raw(all, Split.stratifiedRows(all, fractions[0], fractions[1], splitSeed), name);
  }

  /** The provenance of a model trained on {@code raw}'s split: the data's fingerprint, and this split. */
  Provenance provenance(Raw raw) {
    double[] f = fractions();
    return Provenance.of(raw.name(), raw.all(), f[0], f[1], splitSeed);
  }

  /** Whether the split is {@code p}'s: the same fractions, as numbers (0.50 is 0.5), and seed. */
  boolean isSplitOf(Provenance p) {
    double[] f = fractions();
    return f[0] == p.trainFraction() && f[1] == p.validationFraction() && splitSeed == p.splitSeed();
  }

  /** The split as the output says it: "0.6,0.2, seed 42", its fractions as numbers. */
  String splitText() {
    double[] f = fractions();
    return plain(BigDecimal.valueOf(f[0])) + "," + plain(BigDecimal.valueOf(f[1])) + ", seed " + splitSeed;
  }

  /** {@code raw} split as {@code p} records (these options then say that split, as requireRows's messages do). */
  Raw splitAs(Raw raw, Provenance p) {
    split = p.split();
    splitSeed = p.splitSeed();
    return new Raw(raw.all(), Split.stratifiedRows(raw.all(), p.trainFraction(), p.validationFraction(), p.splitSeed()), raw.name());
  }

  /**
   * A data file's name in the output: its file name, or its whole path when it is not a regular
   * file (a pipe such as {@code --csv <(zcat data.csv.gz)} is /dev/fd/63, whose name, 63, says nothing).
   */
  static String dataName(Path file) {
    Path name = file.getFileName();
    return name == null || !Files.isRegularFile(file) ? file.toString() : name.toString();
  }

  /**
   * Where the load tells the fingerprint of each data file it reads ({@link StudySettings}, whose
   * format it is), or null: computed from the bytes the load reads, as a pipe can be read only once.
   */
  interface Fingerprints {
    /** Whether {@code file}'s fingerprint is known already (a resumed study checks a regular file first): not hashed again. */
    boolean known(Path file);

    /** The fingerprints of {@code file}, whose load has read it whole. */
    void read(Path file, StudySettings.Prints print);
  }

  Fingerprints fingerprints;

  /**
   * A check of the CSV once read: whether an option spelled otherwise than a study stored it names
   * the same columns ({@code same}), and the refusal when it does not, or when the CSV does not
   * load (read with other columns than the study's, the likely reason).
   */
  record CsvCheck(java.util.function.Predicate<CsvLoader.Table> same, IllegalArgumentException refused) {}

  /** The checks of the next load of a CSV. */
  final List<CsvCheck> csvChecks = new ArrayList<>();

  /**
   * A data file opened to load it: when {@link #fingerprints} wants it, decompressed here (the
   * fingerprint is of the data, gzipped or not) and hashed as it is read.
   */
  private InputStream open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    return fingerprints == null || fingerprints.known(file) ? in : StudySettings.Reading.of(in, file.toString());
  }

  /** Once {@code in}, opened by {@link #open}, has loaded {@code file}: tells {@link #fingerprints} its fingerprint. */
  private void read(Path file, InputStream in) throws IOException {
    if (in instanceof StudySettings.Reading reading) fingerprints.read(file, reading.prints());
  }

  /** What the last load found worth saying of the data, each a line after "note: ". */
  final List<String> notes = new ArrayList<>();

  /** Prints the notes of the last load, each a line "note: ...". */
  void printNotes(java.io.PrintWriter out) {
    for (String n : notes) out.println("note: " + n);
  }

  /** The ignored columns as one option value: trimmed, comma-separated, in the order given. */
  static String canonicalIgnored(List<String> columns) {
    return String.join(",", columns.stream().map(String::strip).toList());
  }

  /** The header's name of the label column when --label-column is not given (the last), once loadRaw has read a CSV with a header. */
  private String defaultLabelName;

  /** CsvLoader's note of another delimiter in a line or field: "(the delimiter is ','; this line has ';')", or tabs. */
  private static final Pattern OTHER_DELIMITER = Pattern.compile("\\(the delimiter is (?:'.'|a tab); this (?:line|field) has ('.'|tabs|a tab)\\)$");

  /** A feature column's problem as CsvLoader says it: "column 1 (index 0) 'digit': 'zero' is not a number". */
  private static final Pattern NOT_A_NUMBER = Pattern.compile("column \\d+ \\(index (\\d+)\\)(?: '(.*)')?: '.*' is not a number");

  /**
   * The loader's error, with the --label-column to give when a word in a feature column is a class
   * name: with the label not last (the default) and no --label-column, a column of names reads as
   * a feature that is not a number, and the error alone does not point at the option.
   */
  private MalformedDataException labelHint(MalformedDataException e) {
    String prefix = e.source() + " line " + e.line() + ": ";
    if (e.line() < 0 || e.getMessage() == null || !e.getMessage().startsWith(prefix)) return e;
    String problem = e.getMessage().substring(prefix.length());
    Matcher other = OTHER_DELIMITER.matcher(problem);
    if (other.find()) {
      // The loader names the delimiter the data seems to have: the option that reads it.
      String c = other.group(1);
      MalformedDataException hinted = new MalformedDataException(e.source(), e.line(), problem.substring(0, problem.length() - 1)
          + ": give --csv-delimiter " + (c.startsWith("'") ? c : "tab") + ")");
      hinted.initCause(e);
      return hinted;
    }
    if (problem.endsWith(CsvLoader.HEADER_HINT)) {
      // The loader's way to say whether the first line is a header, as this command line says it.
      MalformedDataException hinted = new MalformedDataException(e.source(), e.line(),
          problem.substring(0, problem.length() - CsvLoader.HEADER_HINT.length())
              + "--csv-header present for a header, --csv-header absent for a data row");
      hinted.initCause(e);
      return hinted;
    }
    Matcher m = NOT_A_NUMBER.matcher(problem);
    if (!m.matches()) return e;
    // Line 1 read as data because --csv-header absent said so: a header is as likely as a label elsewhere.
    String header = e.line() == 1 && "absent".equals(canonicalHeader(csvHeader))
        ? "; if line 1 is a header, give --csv-header present (not absent)" : "";
    if (labelColumn != null) {
      if (header.isEmpty()) return e;
      MalformedDataException hinted = new MalformedDataException(e.source(), e.line(), problem + header);
      hinted.initCause(e);
      return hinted;
    }
    String column = m.group(2) == null ? m.group(1)
        : m.group(2).matches("[A-Za-z0-9_.:+-]+") ? m.group(2) : "'" + m.group(2).replace("'", "'\\''") + "'";
    MalformedDataException hinted = new MalformedDataException(e.source(), e.line(), problem + header
        + "; if this column is the label, choose it with --label-column " + column + " (the label is the last column by default)");
    hinted.initCause(e);
    return hinted;
  }

  /** The --split's train and validation fractions, checked. */
  private double[] fractions() {
    String[] f = split.split(",");
    if (f.length != 2) throw new IllegalArgumentException("--split needs TRAIN,VALIDATION fractions, got '" + split + "'");
    double trainFraction;
    double validationFraction;
    try {
      trainFraction = Double.parseDouble(f[0].trim());
      validationFraction = Double.parseDouble(f[1].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--split needs two numbers, got '" + split + "'", e);
    }
    // The split's own check would name its Java parameters, and only after the data had loaded.
    if (!(trainFraction > 0) || !(validationFraction >= 0) || !(trainFraction + validationFraction <= 1)) {
      throw new IllegalArgumentException("--split needs TRAIN > 0, VALIDATION >= 0 and TRAIN + VALIDATION <= 1, got '" + split + "'");
    }
    return new double[] {trainFraction, validationFraction};
  }

  static final int TRAIN = 0;
  static final int VALIDATION = 1;
  static final int TEST = 2;
  private static final String[] PART_NAMES = {"train", "validation", "test"};

  /**
   * Refuses a split that leaves {@code part} (TRAIN, VALIDATION or TEST) without a row, in one line
   * that names the parts' sizes and fractions. Split leaves a part empty only when its fraction is 0
   * or the data has fewer rows than parts asked for.
   */
  void requireRows(Raw raw, int part) {
    int[] sizes = {raw.rows().train().length, raw.rows().validation().length, raw.rows().test().length};
    if (sizes[part] > 0) return;
    double[] f = fractions();
    // BigDecimal: the test fraction as given (0.1 of 0.8,0.1), not as doubles subtract (0.09999999999999998).
    BigDecimal train = BigDecimal.valueOf(f[0]);
    BigDecimal validation = BigDecimal.valueOf(f[1]);
    BigDecimal[] fraction = {train, validation, BigDecimal.ONE.subtract(train).subtract(validation)};
    int asked = 0;
    for (BigDecimal x : fraction) asked += askedFor(x) ? 1 : 0;
    String why;
    if (askedFor(fraction[part])) {
      why = asked + " parts need at least " + asked + " rows";
    } else if (part == VALIDATION) {
      why = "training and tuning are scored on validation rows: give VALIDATION a fraction > 0";
    } else {
      why = "TRAIN + VALIDATION is 1";
    }
    if (part == TEST) why += "; use --all to evaluate on every row";
    // Not given (the default): said so, or the user looks for a --split in a command that has none.
    throw new IllegalArgumentException(String.format(Locale.ROOT, "%s--split %s of %s leaves no %s row "
        + "(train %s, validation %s, test %s for fractions %s, %s, %s): %s", defaultFractions() ? "the default " : "",
        split.strip(), Counts.of(raw.all().rows(), "row"), PART_NAMES[part],
        Counts.grouped(sizes[0]), Counts.grouped(sizes[1]), Counts.grouped(sizes[2]),
        plain(fraction[0]), plain(fraction[1]), plain(fraction[2]), why));
  }

  /** Whether a part of this fraction is asked for, as Split counts it (not a test fraction rounded from a sum meant to be 1). */
  private static boolean askedFor(BigDecimal fraction) {
    return fraction.compareTo(BigDecimal.valueOf(Split.NEGLIGIBLE_FRACTION)) > 0;
  }

  private static String plain(BigDecimal x) {
    return x.signum() == 0 ? "0" : x.stripTrailingZeros().toPlainString();
  }

  /** The --csv-delimiter as a study stores it: empty for the comma, "tab", or the character. */
  static String canonicalDelimiter(String given) {
    char c = delimiter(given);
    return c == ',' ? "" : c == '\t' ? "tab" : String.valueOf(c);
  }

  /** The --csv-header as a study stores it: empty when detected (not given, or "detect"), else "present" or "absent". */
  static String canonicalHeader(String given) {
    CsvLoader.Header h = header(given);
    return h == CsvLoader.Header.DETECT ? "" : h.name().toLowerCase(Locale.ROOT);
  }

  /** The --csv-header's loader setting (detected when not given). */
  private static CsvLoader.Header header(String given) {
    if (given == null) return CsvLoader.Header.DETECT;
    return switch (given.strip().toLowerCase(Locale.ROOT)) {
      case "present" -> CsvLoader.Header.PRESENT;
      case "absent" -> CsvLoader.Header.ABSENT;
      case "detect" -> CsvLoader.Header.DETECT;
      default -> throw new IllegalArgumentException("--csv-header must be present, absent or detect, got '" + given + "'");
    };
  }

  /** The --csv-delimiter character (a comma when not given). */
  private static char delimiter(String given) {
    if (given == null) return ',';
    if (given.equalsIgnoreCase("tab") || given.equals("\\t") || given.equals("\t")) return '\t';
    String refused = "--csv-delimiter must be one character other than a quote or one of a number (a digit, '.', '-', '+', 'e'), "
        + "or 'tab', got '" + given + "'";
    if (given.length() != 1) throw new IllegalArgumentException(refused);
    try {
      CsvLoader.defaults().withDelimiter(given.charAt(0)); // the loader's rule, said with the option's name
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(refused, e);
    }
    return given.charAt(0);
  }
}
