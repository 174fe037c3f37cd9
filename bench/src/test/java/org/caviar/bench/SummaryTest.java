package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.ThroughputResult;

/** The unit conversions and the % of peak pairing that every figure in the summary goes through. */
class SummaryTest {
  /** {@code operations} in one second: a throughput of exactly that many ops/s. */
  private static ThroughputResult perSecond(double operations) {
    return new ThroughputResult(ResultRole.PRIMARY, "bench", operations, 1_000_000_000L, TimeUnit.SECONDS);
  }

  @Test
  void flopsBecomeGflopsPerSecond() {
    var rows = Summary.convert(Work.flops("gemm", "caviar-vector", "NN 2x2x2", 1, 2.0e6), perSecond(5000));
    assertEquals(1, rows.size());
    assertEquals("GFLOP/s", rows.get(0).unit());
    assertEquals(10.0, rows.get(0).score(), 1e-12); // 5000 ops/s x 2e6 flops = 1e10 flop/s
  }

  @Test
  void trafficBecomesGigabytesPerSecondAndNanosecondsPerElement() {
    var rows = Summary.convert(Work.traffic("softmax-xent", "caviar-vector", "4x5", 4.0e6, 1.0e6), perSecond(250));
    assertEquals(List.of("GB/s", "ns/element"), rows.stream().map(SummaryRow::unit).toList());
    assertEquals(1.0, rows.get(0).score(), 1e-12); // 250 x 4e6 bytes = 1e9 B/s
    assertEquals(4.0, rows.get(1).score(), 1e-12); // 1e9 ns / (250 x 1e6 elements)
  }

  @Test
  void gemmRowsGetThePeakOfTheirOwnThreadCount(@TempDir Path dir) throws Exception {
    Summary summary = new Summary(params -> {
      throw new AssertionError("not used");
    });
    summary.add(Work.flops("gemm", "caviar-vector", "NN 8x8x8", 1, 1e9), perSecond(50));
    summary.add(Work.flops("gemm", "caviar-parallel", "NN 8x8x8", 2, 1e9), perSecond(150));
    summary.add(Work.flops("gemm", "ejml", "NN 8x8x8", 3, 1e9), perSecond(1)); // no peak for 3 threads
    summary.add(Work.flops("peak-fma", "vector-fma", "16 lanes x 12 chains", 1, 1e9), perSecond(200));
    summary.add(Work.flops("peak-fma", "vector-fma", "16 lanes x 12 chains", 2, 1e9), perSecond(400));
    List<SummaryRow> rows = summary.rows();
    assertEquals("peak-fma", rows.get(0).kernel());
    assertTrue(Double.isNaN(rows.get(0).pctPeak()));
    SummaryRow one = rows.stream().filter(r -> r.impl().equals("caviar-vector")).findFirst().orElseThrow();
    SummaryRow two = rows.stream().filter(r -> r.impl().equals("caviar-parallel")).findFirst().orElseThrow();
    SummaryRow three = rows.stream().filter(r -> r.impl().equals("ejml")).findFirst().orElseThrow();
    assertEquals(25.0, one.pctPeak(), 1e-12);
    assertEquals(37.5, two.pctPeak(), 1e-12);
    assertTrue(Double.isNaN(three.pctPeak()));

    Path csv = dir.resolve("summary.csv");
    summary.writeCsv(csv);
    List<String> lines = Files.readAllLines(csv);
    assertEquals("kernel,impl,shape,threads,score,error,unit,pct_peak", lines.get(0));
    assertEquals(6, lines.size());
    assertTrue(lines.contains("gemm,caviar-vector,NN 8x8x8,1,50,,GFLOP/s,25"), lines.toString());
  }

  @Test
  void aUnitWithACommaIsQuotedSoTheLineKeepsItsEightCells() {
    SummaryRow r = new SummaryRow("train-scaling", "caviar-sharded", "net b32", 2, 1.66, 0.026, "x 1 thread, median", Double.NaN);
    assertEquals("train-scaling,caviar-sharded,net b32,2,1.66,0.026,\"x 1 thread, median\",", r.csv());
    assertEquals("\"say \"\"hi\"\"\"", SummaryRow.cell("say \"hi\""));
    assertEquals("plain", SummaryRow.cell("plain"));
  }

  @Test
  void numbersKeepFourSignificantDigitsWithoutExponents() {
    assertEquals("1235", SummaryRow.number(1234.5678));
    assertEquals("0.0001235", SummaryRow.number(0.00012345678));
    assertEquals("1235000", SummaryRow.number(1234567.0));
    assertEquals("", SummaryRow.number(Double.NaN));
  }
}
