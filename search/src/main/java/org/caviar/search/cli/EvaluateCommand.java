package org.caviar.search.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.caviar.model.Model;
import org.caviar.model.data.ClassNames;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Standardizer;
import org.caviar.model.debug.WorstExamples;
import org.caviar.model.io.MalformedModelException;
import org.caviar.model.io.Provenance;
import org.caviar.model.optim.Counts;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Figures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caviar evaluate}: a saved model's accuracy, loss and confusion matrix on labelled data. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Evaluates a saved model on labelled data.",
      "",
      "Loads a model that 'caviar train' saved and prints its accuracy, loss and confusion matrix on the test part "
          + "of the data, split as 'caviar train' splits it, or with --all on every row (a file kept apart from training). "
          + "The model file records the split it was trained with and a fingerprint of its data: given the same data, "
          + "the test part is the rows training held out, without --split or --split-seed (given, they choose another "
          + "split; a model saved before it recorded them takes the same --split and --split-seed as training did). The "
          + "model applies its own standardization; the data's classes are matched to the model's by name.",
      ""})
public final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec commandSpec;

  @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by 'caviar train'.")
  Path modelFile;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--all", description = "Evaluate on every row of the data instead of the test part of its split.")
  boolean all;

  @Option(names = "--worst", paramLabel = "K", defaultValue = "0",
      description = "Also list the K examples the model gets most wrong (least probability on the true class), by their "
          + "row in the data: the data rows of a CSV counted from 0, the header not counted. Its heading says how many rows are "
          + "misclassified and how many of them are listed; beyond them (or ranked among them) come rows classified right "
          + "with a low probability. Default: none.")
  int worst;

  @Override
  public Integer call() throws Exception {
    var out = commandSpec.commandLine().getOut();
    if (worst < 0) throw new IllegalArgumentException("--worst must be >= 0, got " + worst);
    // --all takes every row: a split given with it chose nothing, without a word.
    var parsed = commandSpec.commandLine().getParseResult();
    for (String option : List.of("--split", "--split-seed")) {
      if (all && parsed.hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " chooses the test part, and --all evaluates every row: give one or the other");
      }
    }
    PathChecks.existingFile("--model", modelFile);
    Model model;
    try {
      model = Model.load(modelFile);
    } catch (MalformedModelException e) {
      // Its message names the file only: say which option gave it and what to give instead.
      String problem = e.getMessage() != null && e.getMessage().startsWith(modelFile + ": ")
          ? e.getMessage().substring((modelFile + ": ").length()) : e.getMessage();
      String remedy = problem != null && problem.startsWith("not a Caviar model file") ? "; give a file that 'caviar train' saved" : "";
      throw new IllegalArgumentException("--model " + modelFile + ": " + problem + remedy, e);
    }
    DataOptions.Raw raw = data.loadRaw();
    // Which split's test part, said on the data line; and a note when its rows may be training rows.
    String part = "the test part of the split " + data.splitText();
    String note = null;
    boolean ownSplit = false; // the split the model file records, taken for want of one given
    Provenance trained = model.provenance();
    boolean given = parsed.hasMatchedOption("--split") || parsed.hasMatchedOption("--split-seed");
    if (!all && trained == null && !given) {
      // evaluate's defaults, which are train's: right only if it trained on them.
      note = "the model does not record the split it was trained with (a file saved before models recorded it, or a model built "
          + "without it): if it was not " + data.splitText() + ", give its --split and --split-seed, or this test part may include "
          + "rows it trained on";
    }
    if (!all && trained != null) {
      String recorded = trained.split() + ", seed " + trained.splitSeed();
      boolean sameData = trained.sameData(raw.all());
      if (sameData && (!given || data.isSplitOf(trained))) {
        if (!given) raw = data.splitAs(raw, trained);
        ownSplit = !given;
        part = "the test part of the split the model was trained with (" + recorded + ")";
      } else {
        if (sameData) {
          note = "the model was trained on this data with the split " + recorded + ": the test part of another split may include rows it "
              + "trained on (leave out --split and --split-seed to score its own test rows)";
        } else {
          Dataset a = raw.all();
          String here = Provenance.shape(a.rows(), a.featureCount(), a.classCount());
          note = raw.name() + " is not the data the model was trained on (" + trained.data() + ": " + trained.shape() + "; here " + here
              + (here.equals(trained.shape()) ? ", other values" : "") + "), so the split it was trained with (" + recorded
              + ") does not apply; if the two share rows, this test part may include rows the model trained on (a file kept apart "
              + "from training is scored whole with --all)";
        }
      }
    }
    // Only the test part is needed: the other two are not built. --all needs no part, so a file of 2 rows does.
    if (ownSplit && raw.rows().test().length == 0) {
      // Not "--split ... leaves no test row": the split is the model's, not one given here.
      throw new IllegalArgumentException("the split the model was trained with (" + trained.split() + ", seed " + trained.splitSeed()
          + ") leaves no test row of " + raw.name() + ": use --all to evaluate on every row (which includes the rows it trained on)");
    }
    if (!all) data.requireRows(raw, DataOptions.TEST);
    Dataset rows = all ? raw.all() : raw.all().subset(raw.rows().test());
    if (rows.rows() == 0) throw new IllegalArgumentException(raw.name() + " has no rows");
    int inputs = model.network().inputSize();
    if (rows.featureCount() != inputs) {
      // A CSV's columns are the features but the label and those left out: the same options as train's give the same ones.
      // No data option: the shipped digits, which a model of other data was not meant to be scored on.
      boolean digits = data.csv == null && data.idxImages == null && data.idxLabels == null;
      String mismatch = "the model takes " + inputs + " features, " + raw.name() + " has " + rows.featureCount();
      // The data the model file records, when it is not this file: a model of the digits scored on
      // a CSV of 4 columns was told to pick other columns of it.
      String trainedOn = trained == null || trained.data().equals(raw.name()) ? null
          : "the model was trained on " + trained.data() + " (" + trained.shape() + ")";
      if (digits) {
        throw new IllegalArgumentException(mismatch + (trainedOn == null ? "" : "; " + trainedOn + ": give it with "
            + (trained.data().matches("(?i).*\\.(csv|tsv|txt)(\\.gz)?") ? "--csv" : "--csv, or --idx-images and --idx-labels")
            + " (no data option reads the shipped digits)"));
      }
      if (data.csv == null) throw new IllegalArgumentException(mismatch + (trainedOn == null ? "" : "; " + trainedOn + ": give that data"));
      String columns = "the --label-column and --ignore-columns it was trained with";
      throw new IllegalArgumentException(mismatch + " (the columns but the label" + (data.ignoreColumns == null ? "" : " and --ignore-columns")
          + ")" + (trainedOn == null ? ": give " + columns : "; " + trainedOn + ": give that data, or " + columns));
    }
    // A CSV's labels 0..k-1 against a model of named classes: the model takes numbers for its class
    // indices (as an IDX file's are), which for a CSV means another column or another coding, and
    // for the shipped digits (a CSV too; no data option given) a model trained on other data.
    List<String> mine = raw.all().classNames();
    boolean idx = data.idxImages != null;
    if (!idx && mine.equals(Dataset.numberedClasses(mine.size())) && model.classNames().stream().noneMatch(ClassNames::isInteger)) {
      String names = String.join(", ", model.classNames().subList(0, Math.min(8, model.classNames().size())))
          + (model.classNames().size() > 8 ? ", ..." : "");
      throw new IllegalArgumentException(data.csv == null
          ? "the shipped digits are labelled with numbers (0 to " + (mine.size() - 1) + "), the model's classes are names ("
              + names + "): give the data it was trained on with --csv"
          : "the label column of " + raw.name() + " holds numbers (0 to " + (mine.size() - 1) + "), the model's classes are names ("
              + names + "): give the column of these names with --label-column");
    }
    Dataset labelled = rows.inClasses(model.classNames(), raw.name(), "the model");
    Evaluation e;
    try {
      e = model.evaluate(labelled);
    } catch (Standardizer.NotFiniteException x) {
      // Named by its row and column in the file, not by the model's standardizer ("features[10] (row 5, feature 0)").
      throw data.notStandardizable(x, model.standardizer(), raw, all ? null : raw.rows().test(), all ? "" : "a test row; ", "the model's");
    }
    out.printf(Locale.ROOT, "model %s: %s%n", modelFile, model.network().spec());
    out.printf(Locale.ROOT, "data: %s, %s (%s)%n", raw.name(), all ? "every row" : part, Counts.of(rows.rows(), "row"));
    if (note != null) out.println("note: " + note);
    data.printNotes(out);
    out.printf(Locale.ROOT, "accuracy %.4f, loss %s%n", e.accuracy(), Figures.loss(e.loss()));
    Dataset input = worst > 0 || Double.isNaN(e.loss()) ? (model.standardizer() != null ? model.standardizer().apply(labelled) : labelled)
        : null;
    if (Double.isNaN(e.loss())) out.println("note: " + notFinite(model, input, all ? null : raw.rows().test()));
    out.print("confusion (true class down, predicted across):\n" + e.confusion());
    if (worst > 0) {
      List<WorstExamples.Example> found = WorstExamples.find(model.network(), input, worst);
      int shownWrong = (int) found.stream().filter(x -> x.predicted() != x.label()).count();
      out.println(worstHeading(worst, found.size(), shownWrong, e.confusion().total() - e.confusion().correct()));
      List<String> names = model.classNames();
      for (WorstExamples.Example x : found) {
        int row = all ? x.index() : raw.rows().test()[x.index()];
        // Ranked by their loss in double: a true class's p of 2e-9 printed "0.000" like one of 4e-4.
        out.printf(Locale.ROOT, "  row %d: true %s (p %s), predicted %s (p %s)%n", row, names.get(x.label()),
            probability(x.labelProbability()), names.get(x.predicted()), probability(x.predictedProbability()));
      }
    }
    return 0;
  }

  /**
   * The heading of --worst: how many rows are misclassified, and how many of them are shown. The
   * rows are ranked by the probability of their true class, so past the misclassified ones (or
   * among them) come rows classified right; it said "worst 12:" over 9 misclassified rows and 3
   * right ones, and "worst 3:" over 3 right rows when none was wrong.
   *
   * @param asked K of --worst
   * @param shown rows listed (fewer than asked when the data has fewer)
   * @param shownWrong misclassified rows among those listed
   * @param wrong misclassified rows in the data evaluated
   */
  static String worstHeading(int asked, int shown, int shownWrong, int wrong) {
    StringBuilder b = new StringBuilder("worst ").append(shown);
    if (asked > shown) b.append(" (every row; ").append(asked).append(" asked)");
    b.append(": ");
    if (wrong == 0) {
      b.append("no row is misclassified");
    } else if (shownWrong == wrong) {
      b.append(wrong == 1 ? "1 misclassified row, shown" : wrong + " misclassified rows, all shown");
    } else {
      b.append(shownWrong).append(" of the ").append(wrong).append(" misclassified rows");
    }
    int right = shown - shownWrong;
    if (right > 0) {
      b.append(wrong == 0 ? "; " : shownWrong == wrong ? ", and " : " and ").append(Counts.of(right, "row"))
          .append(" classified right, ranked by the probability of ").append(right == 1 ? "its" : "their").append(" true class");
    }
    return b.append(':').toString();
  }

  /**
   * A probability with 3 decimals, as ever, but in scientific notation below 0.001, where those
   * show 0.000 (Figures' own rule, two significant digits, would write 0.004 as 4.000e-03).
   */
  static String probability(double p) {
    return p == 0 || !(Math.abs(p) < 1e-3) ? String.format(Locale.ROOT, "%.3f", p) : Figures.fixed(p, 3);
  }

  /** The rows named in the note of a NaN loss, at most. */
  private static final int NOT_FINITE_NAMED = 5;

  /**
   * Why the loss is NaN: the rows whose outputs are not finite (a NaN loss said nothing more, and
   * their predictions, from logits of Infinity or NaN, still count), by their row in the data
   * ({@code test}: the test part's rows in it; null: every row).
   */
  private static String notFinite(Model model, Dataset input, int[] test) {
    // A logit of Infinity or NaN makes the row's loss (in double) Infinity or NaN.
    List<Integer> rows = WorstExamples.find(model.network(), input, input.rows()).stream()
        .filter(x -> !Double.isFinite(x.loss())).map(x -> test == null ? x.index() : test[x.index()]).sorted().toList();
    String far = "such rows hold values far outside those the model was trained on";
    // Finite in double, but not in the float loss of their chunk (logits near a float's limit, or one of -Infinity).
    if (rows.isEmpty()) return "the loss is NaN: the model's outputs on some rows are not finite, or too far apart for a float; " + far;
    String named = rows.stream().limit(NOT_FINITE_NAMED).map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
        + (rows.size() > NOT_FINITE_NAMED ? ", ..." : "");
    return "the loss is NaN: the model's outputs are not finite on " + rows.size() + " of the " + input.rows() + " rows ("
        + (rows.size() == 1 ? "row " : "rows ") + named + "), whose predictions count in the accuracy as they are; " + far;
  }
}
