package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data's counts as the other lines write them, grouped from 1,000 on (Counts.grouped). */
class DataOptionsTest {
  @TempDir Path dir;

  /** The options as picocli leaves them when none is given, with this --split. */
  private static DataOptions given(String split) {
    DataOptions o = new DataOptions();
    o.split = split;
    o.splitSeed = Long.parseLong(DataOptions.DEFAULT_SPLIT_SEED);
    return o;
  }

  /** The line every command prints first: "1797 rows ... train 1078" read apart from "1,800 epochs" a few lines below. */
  @Test
  void theDataLineGroupsItsCounts() throws Exception {
    assertEquals("digits: 1,797 rows, 64 features, 10 classes; train 1,078 / validation 359 / test 360",
        given(DataOptions.DEFAULT_SPLIT).load().description());
  }

  /** A split that leaves a part empty names the parts' sizes as the row count beside them ("of 1,797 rows"). */
  @Test
  void anEmptyPartNamesThePartsGrouped() {
    var e = assertThrows(IllegalArgumentException.class, () -> given("1,0").load());
    assertEquals("--split 1,0 of 1,797 rows leaves no validation row (train 1,797, validation 0, test 0 for fractions 1, 0, 0): "
        + "training and tuning are scored on validation rows: give VALIDATION a fraction > 0", e.getMessage());
  }

  /** A last column of a value per row, refused as the label, says its counts grouped. */
  @Test
  void aLabelOfAValuePerRowIsRefusedWithItsCountsGrouped() throws Exception {
    StringBuilder csv = new StringBuilder("x,id\n");
    for (int i = 0; i < 1200; i++) csv.append(i % 7).append(',').append(i).append('\n');
    Path file = Files.writeString(dir.resolve("ids.csv"), csv);
    DataOptions o = given(DataOptions.DEFAULT_SPLIT);
    o.csv = file;
    var e = assertThrows(IllegalArgumentException.class, o::load);
    assertEquals("the label column of " + file + " (the last) has 1,200 distinct values in 1,200 rows; is it the label? Choose it "
        + "with --label-column (a name, or an index from 0)", e.getMessage());
  }
}
