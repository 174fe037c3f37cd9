package org.caviar.search.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.caviar.model.data.Inputs;
import org.caviar.model.data.MalformedDataException;
import org.caviar.search.storage.StudyInfo;

/**
 * The options of {@code tune} and {@code worker} that define what a trial computes and how the
 * search proceeds, as they are stored with a study: option name to canonical text. A run on an
 * existing study takes the stored value of each of these options it was not given, and refuses
 * one given with another value, so that every trial of a study answers the same question.
 *
 * <p>A dataset file is stored as its absolute path and, under {@code NAME.fingerprint}, the size
 * and SHA-256 of its data (decompressed, for a gzip file): a worker on another machine may give
 * another path to the same file, the same data gzipped or not is the same data, and a file changed
 * in place under the stored path is noticed. Earlier versions stored a gzip file's fingerprint of
 * its bytes as they are on disk: that one is accepted too. An option not given when the study was
 * created is stored as the empty text. A sampler's or pruner's own option is stored only with a
 * study of that sampler or pruner (older versions stored them all: such a stored value is neither
 * taken nor compared).
 *
 * <p>The mode ({@code --mode}) is stored too, and taken when not given, but one given with another
 * value is allowed, for that run: it is how trials run (one per core, or one on all cores), not
 * what question they answer. It does set the threads a trial trains on, and so the last bits of its
 * sums, but each trial records its threads ({@code train --from-study} retraces it on them), and a
 * panda trial's threads differ from machine to machine anyway. A study stored without a mode (an
 * older version's) runs in the mode given, caviar by default, as it did.
 */
final class StudySettings {
  private static final String LABEL_COLUMN = "--label-column";

  private static final String IGNORE_COLUMNS = "--ignore-columns";

  /** The indexes of the columns that {@code list}, comma-separated, names in {@code table} (-1 for a name it has not). */
  private static java.util.Set<Integer> columns(org.caviar.model.data.CsvLoader.Table table, String list) {
    java.util.Set<Integer> indexes = new java.util.TreeSet<>();
    if (!list.isEmpty()) for (String c : list.split(",", -1)) indexes.add(table.indexOf(c));
    return indexes;
  }

  /** The key of a dataset file's fingerprint beside its path. */
  static final String FINGERPRINT = ".fingerprint";

  /**
   * An option stored as text: its canonical value in this run, how this run takes a stored one,
   * whether it applies (an option of one sampler or pruner, read after the study's is taken), and,
   * for an option that may differ from the study's for one run (the mode), why that is fine (null
   * for one that must not differ).
   */
  private record TextOption(String name, Supplier<String> value, Consumer<String> adopt, BooleanSupplier applies, String mayDiffer) {
    TextOption(String name, Supplier<String> value, Consumer<String> adopt, BooleanSupplier applies) {
      this(name, value, adopt, applies, null);
    }

    TextOption(String name, Supplier<String> value, Consumer<String> adopt) {
      this(name, value, adopt, () -> true, null);
    }
  }

  /**
   * What {@link #adopt} did: the options taken from the study whose value differs from this run's
   * ("--name value"), and those given with another value than the study's, which it allows (one
   * line each, saying so).
   */
  record Adopted(List<String> taken, List<String> differing) {}

  /** A dataset file option; null when not given. */
  private record FileOption(String name, Supplier<Path> value, Consumer<Path> adopt) {}

  private final DataOptions data;
  private final List<FileOption> files;
  private final List<TextOption> texts;
  /** Hashing a large dataset takes a moment: once per file and run. */
  private final Map<Path, Prints> fingerprints = new HashMap<>();
  /** The checks of files that are not regular (a pipe), made on the fingerprint the load computes. */
  private final Map<Path, Consumer<Prints>> checksOnLoad = new HashMap<>();

  /**
   * A data file's fingerprint, "SIZE bytes, sha256 HEX" of its data (decompressed), and for a gzip
   * file that of its bytes on disk (null for another), which earlier versions stored.
   */
  record Prints(String data, String file) {
    /** Whether {@code stored} is this file's fingerprint, in either form. */
    boolean match(String stored) {
      return data.equals(stored) || file != null && file.equals(stored);
    }
  }

  /**
   * The data options of {@code data} and the other {@code texts}. The load of {@code data} tells
   * this the fingerprints of the files it reads: a file is read once, which a pipe (--csv
   * <(zcat data.csv.gz), a named pipe) requires: read again to hash it, it waited for a new writer.
   */
  private StudySettings(DataOptions data, List<TextOption> texts) {
    this.data = data;
    this.files = dataFiles(data);
    this.texts = concat(dataTexts(data), texts);
    data.fingerprints = new DataOptions.Fingerprints() {
      @Override
      public boolean known(Path file) {
        return fingerprints.containsKey(file);
      }

      @Override
      public void read(Path file, Prints print) {
        loaded(file, print);
      }
    };
  }

  /** Everything {@code tune} and {@code worker} store and compare. */
  StudySettings(TuneCommand t) {
    this(t.data, List.of(
        // --epochs before --asha-min-epochs, whose default depends on it.
        new TextOption("--epochs", () -> Integer.toString(t.epochs), v -> t.epochs = Integer.parseInt(v)),
        // Each sampler's and pruner's own options after it, so that they apply to the one the study has.
        new TextOption("--sampler", () -> t.sampler.toLowerCase(Locale.ROOT), v -> t.sampler = v),
        new TextOption("--startup-trials", () -> Integer.toString(t.startupTrials), v -> t.startupTrials = Integer.parseInt(v),
            t::usesStartupTrials),
        new TextOption("--grid-resolution", () -> Integer.toString(t.gridResolution), v -> t.gridResolution = Integer.parseInt(v),
            t::usesGrid),
        // Stored empty for every sampler by versions that stored options of samplers other than the study's.
        new TextOption("--round-size", () -> Integer.toString(t.roundSize()), v -> t.roundSize = v.isEmpty() ? null : Integer.parseInt(v),
            t::usesRounds),
        new TextOption("--pruner", () -> t.pruner.toLowerCase(Locale.ROOT), v -> t.pruner = v),
        new TextOption("--asha-min-epochs",
            () -> Integer.toString(t.ashaMinEpochs != null ? t.ashaMinEpochs : TuneCommand.defaultAshaMinEpochs(t.epochs)),
            v -> t.ashaMinEpochs = Integer.parseInt(v), t::usesAsha),
        new TextOption("--asha-eta", () -> Integer.toString(t.ashaEta), v -> t.ashaEta = Integer.parseInt(v), t::usesAsha),
        // Not stored by older versions: such a study runs in this run's mode (caviar unless given).
        new TextOption("--mode", () -> t.mode.toLowerCase(Locale.ROOT), v -> t.mode = TuneCommand.modeName(v), () -> true,
            "the mode sets the threads a trial trains on, which each trial records: train --from-study retraces it on them")));
  }

  /**
   * What {@code train --from-study} takes from a study: its data (file, label column, split), so
   * that the best trial is trained again on the data it was found on. Its epochs are only a
   * default there (training a found configuration longer than the search did is a fair thing to
   * ask): see {@code TrainCommand}.
   */
  static StudySettings forTraining(TrainCommand t) {
    return new StudySettings(t.data, List.of());
  }

  private static List<FileOption> dataFiles(DataOptions d) {
    return List.of(
        new FileOption("--csv", () -> d.csv, p -> d.csv = p),
        new FileOption("--idx-images", () -> d.idxImages, p -> d.idxImages = p),
        new FileOption("--idx-labels", () -> d.idxLabels, p -> d.idxLabels = p));
  }

  private static List<TextOption> dataTexts(DataOptions d) {
    return List.of(
        new TextOption(LABEL_COLUMN, () -> d.labelColumn == null ? "" : d.labelColumn.trim(),
            v -> d.labelColumn = v.isEmpty() ? null : v),
        // Not stored by older versions: such a study keeps this run's (none unless given).
        new TextOption(IGNORE_COLUMNS, () -> d.ignoreColumns == null ? "" : DataOptions.canonicalIgnored(d.ignoreColumns),
            v -> d.ignoreColumns = v.isEmpty() ? null : List.of(v.split(",", -1))),
        new TextOption("--csv-delimiter", () -> DataOptions.canonicalDelimiter(d.csvDelimiter),
            v -> d.csvDelimiter = v.isEmpty() ? null : v),
        // Not stored by older versions: such a study keeps this run's (detected unless given).
        new TextOption("--csv-header", () -> DataOptions.canonicalHeader(d.csvHeader),
            v -> d.csvHeader = v.isEmpty() ? null : v),
        new TextOption("--split", () -> canonicalSplit(d.split), v -> d.split = v),
        new TextOption("--split-seed", () -> Long.toString(d.splitSeed), v -> d.splitSeed = Long.parseLong(v)));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** This run's settings, to store with a new study: after the load, which hashed the dataset files. */
  Map<String, String> current() {
    Map<String, String> settings = new TreeMap<>();
    for (FileOption f : files) {
      Path p = f.value().get();
      settings.put(f.name(), p == null ? "" : p.toAbsolutePath().normalize().toString());
      if (p != null) settings.put(f.name() + FINGERPRINT, fingerprint(p).data());
    }
    for (TextOption o : texts) {
      if (o.applies().getAsBoolean()) settings.put(o.name(), o.value().get());
    }
    return settings;
  }

  /**
   * Makes this run use the settings stored with {@code stored}: each option not {@code given} on
   * the command line takes its stored value; one given with another value is an
   * {@link IllegalArgumentException} naming the option, both values and the study. Options the
   * study did not record (stored by an older version) keep this run's values, and those of another
   * sampler or pruner than the study's are skipped (the command refuses them given). An option that
   * may differ (the mode) is not refused: this run keeps the value given. Returns what was taken
   * and what differs, in option order.
   */
  Adopted adopt(StudyInfo stored, Predicate<String> given) {
    Map<String, String> s = stored.settings();
    String study = stored.name();
    List<String> taken = new ArrayList<>();
    List<String> differing = new ArrayList<>();
    for (FileOption f : files) {
      String storedPath = s.get(f.name());
      if (storedPath == null) continue;
      String storedPrint = s.getOrDefault(f.name() + FINGERPRINT, "");
      String was = storedPath.isEmpty() ? "without " + f.name() : "with " + f.name() + " " + storedPath + " (" + storedPrint + ")";
      if (given.test(f.name())) {
        Path p = f.value().get();
        PathChecks.existingFile(f.name(), p); // named, rather than found out while hashing it
        check(p, print -> {
          if (storedPath.isEmpty() || !print.match(storedPrint)) {
            throw new IllegalArgumentException("study '" + study + "' was created " + was + "; this run asks for " + f.name() + " " + p
                + " (" + print.data() + "), another file (leave it out to use the stored one, or start a new study)");
          }
        });
      } else if (!storedPath.isEmpty()) {
        Path p = Path.of(storedPath);
        if (!Files.isRegularFile(p)) {
          // A pipe is not the same data twice: it is read only when given, and then checked once loaded.
          throw new IllegalArgumentException("study '" + study + "' was created " + was + (Files.exists(p)
              ? ", which is not a regular file here (a pipe?): give " + f.name() + " " + storedPath + " to read it, or the path "
                  + "of a file of the same data"
              : ", which is not found here: give " + f.name() + " with the path of the same file on this machine"));
        }
        check(p, print -> {
          if (!print.match(storedPrint)) {
            throw new IllegalArgumentException("study '" + study + "' was created " + was + ", but that file now holds other data ("
                + print.data() + "): give " + f.name() + " with the path of the original, or start a new study");
          }
        });
        f.adopt().accept(p);
        taken.add(f.name() + " " + storedPath);
      }
    }
    // The data files are the run's now (given or stored): a CSV's option on a study of no CSV is
    // refused as on a new study, not as "created without" it (a new study would refuse it too).
    data.checkCsvOptions();
    for (TextOption o : texts) {
      // A split stored by earlier versions as Java wrote its numbers (0.9,5.0E-4): compared and said as this version writes them.
      String value = o.name().equals("--split") && s.get(o.name()) != null ? canonicalSplit(s.get(o.name())) : s.get(o.name());
      // Older versions stored every sampler's and pruner's options: one the study's does not use was never used.
      if (value == null || !o.applies().getAsBoolean()) continue;
      String now = o.value().get();
      if (given.test(o.name())) {
        if (!now.equals(value) && o.mayDiffer() != null) {
          differing.add("study '" + study + "' was created with " + o.name() + " " + value + "; this run uses " + o.name() + " " + now
              + ", as given (" + o.mayDiffer() + "); a resume without " + o.name() + " takes " + value + " again");
        } else if (!now.equals(value)) {
          IllegalArgumentException refused = new IllegalArgumentException("study '" + study + "' was created "
              + (value.isEmpty() ? "without " + o.name() : "with " + o.name() + " " + value) + "; this run asks for " + o.name() + " "
              + (now.isEmpty() ? "''" : now) + " (leave it out to use the stored value, or start a new study)");
          if (!(o.name().equals(LABEL_COLUMN) || o.name().equals(IGNORE_COLUMNS)) || data.csv == null) throw refused;
          // The same columns spelled otherwise (by name, by index, from the end, the default last
          // label, ignored ones in another order) are the same: compared once the CSV's header is read.
          data.csvChecks.add(new DataOptions.CsvCheck(table -> o.name().equals(LABEL_COLUMN)
              ? table.labelColumn() == (value.isEmpty() ? table.columns() - 1 : table.indexOf(value))
              : columns(table, value).equals(columns(table, now)) && !columns(table, value).contains(-1), refused));
        }
      } else {
        if (!now.equals(value)) taken.add(o.name() + (value.isEmpty() ? " (not given)" : " " + value));
        try {
          o.adopt().accept(value);
        } catch (IllegalArgumentException e) { // a number that does not parse, a name of none
          throw new IllegalArgumentException("study '" + study + "' has a bad stored value for " + o.name() + ": '" + value + "'", e);
        }
      }
    }
    return new Adopted(taken, differing);
  }

  /**
   * {@link #adopt}, then one line on {@code out} naming what was taken from the study, and one for
   * each option given with another value that is allowed; or one saying that the study recorded
   * nothing (created by an older version) and this run's {@code options} stand as given.
   */
  void useStored(StudyInfo stored, Predicate<String> given, java.io.PrintWriter out, String options) {
    if (!stored.settingsRecorded()) {
      out.println("study '" + stored.name() + "' was created before studies stored their settings: using this run's options "
          + "(" + options + ") as given");
      return;
    }
    Adopted adopted = adopt(stored, given);
    if (!adopted.taken().isEmpty()) out.println("study '" + stored.name() + "' uses its stored " + String.join(", ", adopted.taken()));
    adopted.differing().forEach(out::println);
  }

  /**
   * "0.6,0.2" for any spelling of the same two fractions, each as short as reads back to the same
   * double and without an exponent (0.0005 for 5e-4, not Java's 5.0E-4, which earlier versions
   * stored); the text itself when it is not two numbers (load() says why).
   */
  static String canonicalSplit(String split) {
    String[] f = split.split(",");
    if (f.length != 2) return split.trim();
    try {
      return plain(Double.parseDouble(f[0].trim())) + "," + plain(Double.parseDouble(f[1].trim()));
    } catch (NumberFormatException e) {
      return split.trim();
    }
  }

  private static String plain(double x) {
    if (!Double.isFinite(x)) return Double.toString(x);
    java.math.BigDecimal d = java.math.BigDecimal.valueOf(x).stripTrailingZeros();
    return d.signum() == 0 ? "0" : d.toPlainString();
  }

  /**
   * Runs {@code check} on the fingerprint of {@code file}: now for a regular file (a file of other
   * data is refused before it loads), or for one read already (a run that looks again for a study
   * another run created meanwhile does not read its data again unless it must); for another (a
   * pipe), which can be read only once, when the load has read it ({@link #loaded}).
   */
  private void check(Path file, Consumer<Prints> check) {
    if (Files.isRegularFile(file) || fingerprints.containsKey(file)) {
      check.accept(fingerprint(file));
    } else {
      checksOnLoad.put(file, check);
    }
  }

  /** Told by the load: the fingerprint of a file it has read whole. */
  private void loaded(Path file, Prints print) {
    fingerprints.put(file, print);
    Consumer<Prints> check = checksOnLoad.remove(file);
    if (check != null) check.accept(print);
  }

  /** The fingerprints of the file's data, whatever its path; the load's, if it has read the file. */
  private Prints fingerprint(Path file) {
    Prints known = fingerprints.get(file);
    if (known != null) return known;
    try (Reading in = Reading.of(Files.newInputStream(file), file.toString())) {
      Prints print = in.prints();
      fingerprints.put(file, print);
      return print;
    } catch (MalformedDataException e) {
      // Damaged gzip data: what the load would say of it, as bad usage (another file is needed).
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A data file's data as read to load it (decompressed, for gzip), hashed as it is read: its
   * {@link Prints}. A gzip file's bytes on disk are hashed too (they are fewer than its data's).
   */
  static final class Reading extends FilterInputStream {
    private final Hashing data;
    private final Hashing file;

    private Reading(Hashing data, Hashing file) {
      super(data);
      this.data = data;
      this.file = file;
    }

    /** {@code in} (closed with this), decompressed when it is gzip; {@code source} names it in errors. */
    static Reading of(InputStream in, String source) throws IOException {
      java.io.BufferedInputStream b = new java.io.BufferedInputStream(in, 1 << 16);
      b.mark(2);
      boolean gzip = b.read() == 0x1f && b.read() == 0x8b;
      b.reset();
      if (!gzip) return new Reading(new Hashing(b), null);
      Hashing file = new Hashing(b);
      return new Reading(new Hashing(Inputs.maybeGunzip(file, source)), file);
    }

    /** Read, not skipped below, as {@link Hashing#skip} does. */
    @Override
    public long skip(long n) throws IOException {
      return data.skip(n);
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      data.close();
      if (file != null) file.close(); // the gzip stream leaves the file's open
    }

    /** The fingerprints of the whole file: what is left (a loader may stop before the end) is read first. */
    Prints prints() throws IOException {
      String print = data.fingerprint();
      return new Prints(print, file == null ? null : file.fingerprint());
    }
  }

  /** A stream that hashes what is read through it: a file's fingerprint as it is read to load it. */
  static final class Hashing extends FilterInputStream {
    private final MessageDigest sha;
    private long size;

    Hashing(InputStream in) {
      super(in);
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no SHA-256", e); // every Java platform must have it
      }
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        sha.update((byte) b);
        size++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sha.update(b, off, n);
        size += n;
      }
      return n;
    }

    /** Read, not skipped below (FilterInputStream's skip): the bytes skipped are the file's too. */
    @Override
    public long skip(long n) throws IOException {
      byte[] buffer = new byte[Math.clamp(n, 0, 1 << 16)];
      long skipped = 0;
      for (int r; skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0; ) skipped += r;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    /** "SIZE bytes, sha256 HEX" of the whole stream: what is left (a loader may stop before the end) is read first. */
    String fingerprint() throws IOException {
      skip(Long.MAX_VALUE);
      return size + " bytes, sha256 " + HexFormat.of().formatHex(sha.digest());
    }
  }
}
