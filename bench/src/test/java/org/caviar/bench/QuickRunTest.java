package org.caviar.bench;

import static org.caviar.bench.RoundPoolTest.fork;
import static org.caviar.bench.RoundPoolTest.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-quick's command line and the files a run leaves. */
class QuickRunTest {
  private static final String TRAIN = "org.caviar.bench.TrainBench.epoch";

  /**
   * {@code --out} may name a folder that does not exist yet: the JMH JSON beside the summary was
   * written before anything created it, and a whole run ended in a FileNotFoundException without
   * its summary.
   */
  @Test
  void theSummaryAndJsonGoIntoAFolderThatDidNotExist(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("new").resolve("deeper").resolve("summary.csv");
    Summary summary = new Summary(p -> Work.training(TrainGemmShare.TRAIN_KERNEL, "caviar-vector", "net", 1, 1e9, 1000));
    var results = List.of(fork(params(TRAIN, "1"), 10, 12));
    results.forEach(summary::add);
    QuickRun.writeFiles(Map.of(TrainBench.class.getName(), results), summary, out);
    List<String> csv = Files.readAllLines(out);
    assertEquals(SummaryRow.CSV_HEADER, csv.get(0));
    assertEquals(3, csv.size(), csv.toString()); // GFLOP/s and examples/s
    assertTrue(Files.size(out.resolveSibling("jmh-TrainBench.json")) > 0);
  }
}
