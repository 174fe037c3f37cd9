package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved model records the data and split it trained on, so that {@code evaluate --model} with
 * the same data scores its own test rows without repeating --split and --split-seed: the file
 * recorded neither, and evaluate's default split (0.6,0.2, seed 42) scored rows the model had
 * trained on, without a word.
 */
class ModelProvenanceCliTest {
  @TempDir Path dir;

  /** 90 rows of 3 classes, 2 features: the split 0.5,0.3 leaves 18 test rows. */
  private Path csv(String name, long seed) throws Exception {
    StringBuilder text = new StringBuilder("a,b,label\n");
    Random rnd = new Random(seed);
    for (int i = 0; i < 90; i++) {
      text.append(i % 3 * 2 + rnd.nextGaussian() * 0.3).append(',').append(rnd.nextGaussian()).append(',').append("xyz".charAt(i % 3))
          .append('\n');
    }
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void evaluateAloneScoresTheTestRowsOfTheSplitTheModelTrainedWith() throws Exception {
    Path model = dir.resolve("digits.cvmd");
    CliRun t = run("train", "--spec", "64-8-10", "--split", "0.5,0.3", "--split-seed", "7", "--epochs", "2", "--threads", "1",
        "--out", model.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    CliRun e = run("evaluate", "--model", model.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    // "test: accuracy A, loss L on N rows (...)" against "accuracy A, loss L": the same rows, the same
    // model, the same kernels give the same printed figures (to the digits printed, no tolerance).
    String test = firstLine(t.out(), "test: ");
    String rows = test.replaceAll(".* on (\\d+) rows.*", "$1");
    assertTrue(test.startsWith("test: " + firstLine(e.out(), "accuracy ") + " on " + rows + " rows"), t.out() + " / " + e.out());
    assertEquals("data: digits, the test part of the split the model was trained with (0.5,0.3, seed 7) (" + rows + " rows)",
        firstLine(e.out(), "data: "), e.out());
    assertTrue(!e.out().contains("note:"), e.out());
    // Nothing else to give on the shipped digits: train prints no evaluate command for them.
    assertTrue(!t.out().contains("evaluate it on its test rows"), t.out());
  }

  @Test
  void onACsvTheDataOptionsAloneAreEnough() throws Exception {
    Path csv = csv("three.csv", 5);
    Path model = dir.resolve("three.cvmd");
    CliRun t = trainWithSplit(csv, model, 3);
    CliRun e = run("evaluate", "--model", model.toString(), "--csv", csv.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    assertTrue(firstLine(t.out(), "test: ").startsWith("test: " + firstLine(e.out(), "accuracy ") + " on 18 rows"),
        t.out() + " / " + e.out());
    assertEquals("data: three.csv, the test part of the split the model was trained with (0.5,0.3, seed 7) (18 rows)",
        firstLine(e.out(), "data: "));
    // The same split given again is that split, and said so.
    CliRun same = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--split", "0.50,0.3", "--split-seed", "7");
    assertEquals(0, same.code(), same.out() + same.err());
    assertEquals(firstLine(e.out(), "accuracy "), firstLine(same.out(), "accuracy "));
    assertEquals(firstLine(e.out(), "data: "), firstLine(same.out(), "data: "));
    assertTrue(!same.out().contains("note:"), same.out());
  }

  @Test
  void anotherSplitGivenSaysItsTestPartMayHoldTrainingRows() throws Exception {
    Path csv = csv("three.csv", 5);
    Path model = dir.resolve("three.cvmd");
    trainWithSplit(csv, model, 1);
    CliRun e = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--split-seed", "8");
    assertEquals(0, e.code(), e.out() + e.err());
    assertEquals("data: three.csv, the test part of the split 0.6,0.2, seed 8 (18 rows)", firstLine(e.out(), "data: "));
    assertEquals("note: the model was trained on this data with the split 0.5,0.3, seed 7: the test part of another split may include "
        + "rows it trained on (leave out --split and --split-seed to score its own test rows)", firstLine(e.out(), "note: "));
  }

  @Test
  void otherDataIsSaidToBeOther() throws Exception {
    Path csv = csv("three.csv", 5);
    Path other = csv("other.csv", 6);
    Path model = dir.resolve("three.cvmd");
    trainWithSplit(csv, model, 1);
    CliRun e = run("evaluate", "--model", model.toString(), "--csv", other.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    // Not the recorded split (it would choose rows of other data), but evaluate's default one.
    assertEquals("data: other.csv, the test part of the split 0.6,0.2, seed 42 (18 rows)", firstLine(e.out(), "data: "));
    assertEquals("note: other.csv is not the data the model was trained on (three.csv: 90 rows, 2 features, 3 classes; here 90 rows, "
        + "2 features, 3 classes, other values), so the split it was trained with (0.5,0.3, seed 7) does not apply; if the two "
        + "share rows, this test part may include rows the model trained on (a file kept apart from training is scored whole with "
        + "--all)", firstLine(e.out(), "note: "));
    // --all is unchanged: every row, no note (the data is the user's to choose).
    CliRun every = run("evaluate", "--model", model.toString(), "--csv", other.toString(), "--all");
    assertEquals(0, every.code(), every.out() + every.err());
    assertEquals("data: other.csv, every row (90 rows)", firstLine(every.out(), "data: "));
    assertTrue(!every.out().contains("note:"), every.out());
  }

  /**
   * A model that does not record its split (a file saved before models recorded it, or one built
   * through the API without it) is scored on the default split's test part, which holds training
   * rows if it trained on another split: said, with what to give.
   */
  @Test
  void aModelWithoutItsSplitSaysWhichSplitItScores() throws Exception {
    Dataset digits = Datasets.digits();
    Model model = new Model(Network.create(NetworkSpec.parse("64-8-10"), 1), null, digits.classNames());
    assertNull(model.provenance());
    Path file = dir.resolve("api.cvmd");
    model.save(file);
    CliRun e = run("evaluate", "--model", file.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    assertEquals("data: digits, the test part of the split 0.6,0.2, seed 42 (360 rows)", firstLine(e.out(), "data: "));
    assertEquals("note: the model does not record the split it was trained with (a file saved before models recorded it, or a "
        + "model built without it): if it was not 0.6,0.2, seed 42, give its --split and --split-seed, or this test part may "
        + "include rows it trained on", firstLine(e.out(), "note: "));
    // A split given is the user's: no note.
    CliRun given = run("evaluate", "--model", file.toString(), "--split", "0.5,0.3", "--split-seed", "7");
    assertEquals(0, given.code(), given.out() + given.err());
    assertEquals("data: digits, the test part of the split 0.5,0.3, seed 7 (357 rows)", firstLine(given.out(), "data: "));
    assertTrue(!given.out().contains("note:"), given.out());
  }

  /** Trains on {@code csv} with the split 0.5,0.3, seed 7 (not the default), saving to {@code model}; the run succeeded. */
  private static CliRun trainWithSplit(Path csv, Path model, int epochs) {
    CliRun t = run("train", "--csv", csv.toString(), "--split", "0.5,0.3", "--split-seed", "7", "--epochs", Integer.toString(epochs),
        "--threads", "1", "--out", model.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    return t;
  }

  private static String firstLine(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + out));
  }
}
