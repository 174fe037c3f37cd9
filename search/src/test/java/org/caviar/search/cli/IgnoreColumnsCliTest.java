package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --ignore-columns, and the note on a column of the rows' numbers. Kaggle's Iris.csv starts with
 * a named "Id", 1 to 150 down a file sorted by class: trained on as a feature, it tells the class
 * (a model of noise and that column scored 1.00), and the file could only be edited to leave it out.
 */
class IgnoreColumnsCliTest {
  @TempDir Path dir;

  /** Id (1..60, sorted by class), two measurements of noise around the class, a name, the species. */
  private Path irisLike() throws Exception {
    StringBuilder b = new StringBuilder("Id,a,b,Name,Species\n");
    Random rnd = new Random(3);
    for (int i = 0; i < 60; i++) {
      int c = i / 20;
      b.append(i + 1).append(',').append(c + rnd.nextGaussian() * 0.3).append(',').append(rnd.nextGaussian()).append(",plant ")
          .append(i).append(',').append(new String[] {"setosa", "versicolor", "virginica"}[c]).append('\n');
    }
    return Files.writeString(dir.resolve("iris.csv"), b);
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line '" + prefix + "' in)\n" + out);
  }

  @Test
  void leftOutColumnsAreNotFeaturesAndARowNumberColumnIsNoted() throws Exception {
    String csv = irisLike().toString();
    String model = dir.resolve("m.caviar").toString();
    // The name column left out (it is text); the Id is a feature, and noted.
    CliRun r = run("train", "--csv", csv, "--ignore-columns", "Name", "--epochs", "1", "--threads", "1", "--out", model);
    assertEquals(0, r.code(), r.err());
    assertEquals("caviar train on iris.csv: 60 rows, 3 features, 3 classes in column 'Species' (the last; --label-column chooses "
        + "another); train 36 / validation 12 / test 12", line(r.out(), "caviar train on "));
    assertEquals("note: column 1 (index 0) 'Id' holds the rows' numbers (each once): as a feature it can tell the class of a file "
        + "sorted by class; --ignore-columns Id leaves it out", line(r.out(), "note: column"));

    // Both left out, by name and by index, comma-separated or repeated: two features, no note.
    for (String[] ignore : new String[][] {{"--ignore-columns", "Id,Name"}, {"--ignore-columns", "0", "--ignore-columns", "Name"}}) {
      String[] args = {"train", "--csv", csv, "--epochs", "1", "--threads", "1", "--out", model};
      String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(ignore)).toArray(String[]::new);
      r = run(all);
      assertEquals(0, r.code(), r.err());
      assertTrue(line(r.out(), "caviar train on ").contains(": 60 rows, 2 features, 3 classes"), r.out());
      assertFalse(r.out().contains("rows' numbers"), r.out());
    }
    // evaluate takes the same options; without one of them the features differ, and it says which options make them.
    CliRun same = run("evaluate", "--model", model, "--csv", csv, "--ignore-columns", "Id,Name");
    assertEquals(0, same.code(), same.err());
    CliRun other = run("evaluate", "--model", model, "--csv", csv, "--ignore-columns", "Name");
    assertEquals(2, other.code(), other.out());
    assertEquals("caviar evaluate: the model takes 2 features, iris.csv has 3 (the columns but the label and --ignore-columns): give "
        + "the --label-column and --ignore-columns it was trained with", other.err().strip());
  }

  @Test
  void wrongColumnsAreNamedAndTheOptionGoesWithACsv() throws Exception {
    String csv = irisLike().toString();
    CliRun r = run("train", "--csv", csv, "--ignore-columns", "Id,Nmae", "--epochs", "1", "--out", dir.resolve("m").toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("no column named 'Nmae' in header [Id, a, b, Name, Species]"), r.err());
    r = run("train", "--csv", csv, "--ignore-columns", "Species", "--epochs", "1", "--out", dir.resolve("m").toString());
    assertTrue(r.err().contains("ignored column 'Species' is the label"), r.err());
    r = run("train", "--csv", csv, "--ignore-columns", "Id,,Name", "--epochs", "1", "--out", dir.resolve("m").toString());
    assertEquals("caviar train: --ignore-columns has an empty column name: 'Id,,Name'", r.err().strip());
    r = run("train", "--ignore-columns", "Id", "--epochs", "1", "--out", dir.resolve("m").toString());
    assertEquals("caviar train: --ignore-columns goes with --csv", r.err().strip());
  }

  /** A study keeps the columns it left out: train --from-study trains on the same features, and a resume with others is refused. */
  @Test
  void aStudyKeepsItsIgnoredColumns() throws Exception {
    String csv = irisLike().toString();
    Path study = dir.resolve("s");
    CliRun t = run("tune", "--csv", csv, "--ignore-columns", "Id,Name", "--study", study.toString(), "--trials", "2", "--epochs", "1",
        "--workers", "1", "--no-report", "--no-progress", "--pruner", "none");
    assertEquals(0, t.code(), t.out() + t.err());
    CliRun train = run("train", "--from-study", study.toString(), "--threads", "1", "--out", dir.resolve("b.caviar").toString());
    assertEquals(0, train.code(), train.out() + train.err());
    assertTrue(line(train.out(), "caviar train on ").contains(": 60 rows, 2 features, 3 classes"), train.out());
    CliRun resume = run("tune", "--study", study.toString(), "--ignore-columns", "Name", "--trials", "3", "--no-report", "--no-progress");
    assertEquals(2, resume.code(), resume.out());
    assertTrue(resume.err().contains("--ignore-columns"), resume.err());
    // The same columns otherwise written (in another order, by index) are the same: they were refused as another value.
    for (String same : new String[] {"Name,Id", "0,Name", "Name,0"}) {
      CliRun r = run("tune", "--study", study.toString(), "--ignore-columns", same, "--trials", "2", "--no-report", "--no-progress");
      assertEquals(0, r.code(), same + ": " + r.out() + r.err());
    }
    CliRun two = run("tune", "--study", study.toString(), "--ignore-columns", "Id", "--ignore-columns", "Name", "--trials", "2",
        "--no-report", "--no-progress");
    assertEquals(0, two.code(), two.out() + two.err());
    CliRun other = run("tune", "--study", study.toString(), "--ignore-columns", "0", "--trials", "3", "--no-report", "--no-progress");
    assertEquals(2, other.code(), other.out());
    assertEquals("caviar tune: study 's' was created with --ignore-columns Id,Name; this run asks for --ignore-columns 0 (leave it out "
        + "to use the stored value, or start a new study)", other.err().strip());
  }
}
