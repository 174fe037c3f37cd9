package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of a split on small files: filled when the data allows, a one-line error naming them when a command needs one it lacks. */
class SplitPartsCliTest {
  @TempDir Path dir;

  /** Ten classes c0..c9 of 4 rows each, two features. */
  private Path tenClassesOfFour() throws Exception {
    StringBuilder text = new StringBuilder("a,b,label\n");
    for (int r = 0; r < 40; r++) text.append(r % 10).append(',').append(r * 0.25).append(",c").append(r % 10).append('\n');
    return Files.writeString(dir.resolve("forty.csv"), text);
  }

  private static void assertOneLineError(CliRun r, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertFalse(r.err().strip().contains("\n"), "more than one line: " + r.err());
    assertEquals(expected, r.err().strip());
  }

  /** 0.4 validation rows a class rounded to none used to refuse this file; 4 of its 40 rows are validation rows now. */
  @Test
  void tenClassesOfFourRowsTrainWithValidationRows() throws Exception {
    Path csv = tenClassesOfFour();
    Path model = dir.resolve("m.caviar");
    CliRun t = run("train", "--csv", csv.toString(), "--split", "0.8,0.1", "--epochs", "2", "--threads", "1", "--out", model.toString());
    assertEquals(0, t.code(), t.err());
    assertTrue(t.out().contains("forty.csv: 40 rows, 2 features, 10 classes in column 'label' (the last; --label-column chooses another); train 30 / validation 4 / test 6"), t.out());
    assertFalse(t.out().contains("NaN"), t.out());
    CliRun e = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--split", "0.8,0.1");
    assertEquals(0, e.code(), e.err());
    assertTrue(e.out().contains("the test part of the split the model was trained with (0.8,0.1, seed 42) (6 rows)"), e.out());
    CliRun tune = run("tune", "--csv", csv.toString(), "--split", "0.8,0.1", "--trials", "1", "--epochs", "1", "--no-progress",
        "--study", dir.resolve("study").toString());
    assertEquals(0, tune.code(), tune.err());
    assertFalse(tune.out().contains("NaN"), tune.out());
  }

  /** A part the command needs that the split leaves empty: one line with the parts' sizes and fractions, not a NaN. */
  @Test
  void aPartThatCannotBeFilledIsAOneLineError() throws Exception {
    Path csv = tenClassesOfFour();
    Path model = dir.resolve("m.caviar");
    assertEquals(0, run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString()).code());
    // Two rows for three parts: the split keeps its rounding (both rows train), training refuses it.
    Path two = Files.writeString(dir.resolve("two.csv"), "a,b,label\n0,0.5,c0\n1,1.5,c1\n");
    // No --split given: the message says the split is the default one, not a --split the user did not give.
    String tooFew = "the default --split 0.6,0.2 of 2 rows leaves no validation row (train 2, validation 0, test 0 for fractions 0.6, 0.2, 0.2): "
        + "3 parts need at least 3 rows";
    assertOneLineError(run("train", "--csv", two.toString(), "--epochs", "1", "--out", dir.resolve("two.caviar").toString()),
        "caviar train: " + tooFew);
    assertOneLineError(run("tune", "--csv", two.toString(), "--trials", "1", "--no-progress", "--study", dir.resolve("s").toString()),
        "caviar tune: " + tooFew);
    assertOneLineError(run("evaluate", "--model", model.toString(), "--csv", two.toString()), "caviar evaluate: the default --split 0.6,0.2 of 2 rows "
        + "leaves no test row (train 2, validation 0, test 0 for fractions 0.6, 0.2, 0.2): 3 parts need at least 3 rows; use --all "
        + "to evaluate on every row");
    // --all uses no part of the split: the same file evaluates.
    CliRun all = run("evaluate", "--model", model.toString(), "--csv", two.toString(), "--all");
    assertEquals(0, all.code(), all.err());
    assertTrue(all.out().contains("every row (2 rows)"), all.out());
    // A part given no fraction is named as such.
    assertOneLineError(run("train", "--csv", csv.toString(), "--split", "0.8,0", "--out", dir.resolve("x.caviar").toString()),
        "caviar train: --split 0.8,0 of 40 rows leaves no validation row (train 30, validation 0, test 10 for fractions 0.8, 0, 0.2): "
            + "training and tuning are scored on validation rows: give VALIDATION a fraction > 0");
    assertOneLineError(run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--split", "0.6,0.4"),
        "caviar evaluate: --split 0.6,0.4 of 40 rows leaves no test row (train 20, validation 20, test 0 for fractions 0.6, 0.4, 0): "
            + "TRAIN + VALIDATION is 1; use --all to evaluate on every row");
  }
}
