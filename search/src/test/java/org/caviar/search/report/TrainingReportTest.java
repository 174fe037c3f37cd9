package org.caviar.search.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.caviar.model.Activation;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.debug.Histogram;
import org.caviar.model.debug.HistogramRecorder;
import org.caviar.model.debug.LayerStatistics;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.caviar.model.train.TrainingResult;
import org.caviar.search.report.TrainingReport.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {
  /**
   * epochs.csv tells the three kinds of validation apart: none (empty fields), measured, and
   * measured on a network that diverged there (loss NaN, the accuracy of its predictions).
   */
  @Test
  void epochsCsvWritesNaNForAValidationLossThatDivergedAndNothingWithoutValidation() {
    String csv = TrainingReport.epochsCsv(List.of(
        new EpochMetrics(0, 2.5, 0.25, 2.0, 0.5, 0.01f, 100, 0.5),
        new EpochMetrics(1, 3.09, 0.077, Double.NaN, 0.1003, 0.01f, 100, 0.5),
        new EpochMetrics(2, 3.0, 0.1, Double.NaN, Double.NaN, 0.01f, 100, 0.5)));
    assertEquals(List.of(
        "epoch,loss,accuracy,val_loss,val_accuracy,lr,examples,seconds",
        "0,2.5,0.25,2.0,0.5,0.01,100,0.5000",
        "1,3.09,0.077,NaN,0.1003,0.01,100,0.5000",
        "2,3.0,0.1,,,0.01,100,0.5000"), csv.lines().toList());
  }

  @TempDir Path dir;

  /** Two gaussian blobs per class in 4 dimensions, three classes. */
  private static Dataset blobs(int rows, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] x = new float[rows * 4];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = i % 3;
      for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) ((j == y[i] ? 2 : 0) + r.nextGaussian());
    }
    return new Dataset(x, y, 4, List.of("a", "b", "c"));
  }

  /** Leaky ReLU layers have no dead or saturated fraction, and still get their histograms. */
  @Test
  void leakyReluLayersGetTheirHistograms() throws IOException {
    Network network = Network.create(NetworkSpec.parse("4-8-3 leaky_relu"), 3, Kernels.vector());
    Trainer trainer = new Trainer(network, TrainingConfig.builder().epochs(2).batchSize(16).seed(5).build());
    HistogramRecorder layers = new HistogramRecorder(network, blobs(30, 2), 30, 10);
    TrainingResult result = trainer.fit(blobs(60, 1), blobs(30, 2), layers);
    TrainingReport.write(dir, new TrainingReport.Run("leaky", Map.of("network", "4-8-3 leaky_relu"), network.describe(),
        result.history(), layers.snapshots(), "30 validation rows", null, null));
    String act = network.layers().get(1).name();
    assertTrue(Files.exists(dir.resolve("hist_" + act + "_outputs.png")) && Files.exists(dir.resolve("hist_" + act + "_gradients.png")), act);
    assertTrue(!Files.exists(dir.resolve("hist_dense1_outputs.png")));
  }

  @Test
  void aRealRunGivesEveryChartItsTablesAndTheConfusionMatrix() throws IOException {
    Dataset train = blobs(120, 1);
    Dataset validation = blobs(60, 2);
    Network network = Network.create(NetworkSpec.of(4, List.of(16, 8), 3).withActivation(Activation.TANH).withBatchNorm(true), 3, Kernels.vector());
    Trainer trainer = new Trainer(network, TrainingConfig.builder().epochs(4).batchSize(16).learningRate(1e-2f).seed(5).build());
    HistogramRecorder layers = new HistogramRecorder(network, validation, 50, 10);
    TrainingResult result = trainer.fit(train, validation, layers);
    Evaluation test = trainer.evaluate(blobs(30, 3));
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("network", "4-16-8-3 <tanh>");
    Path page = TrainingReport.write(dir, new TrainingReport.Run("blobs", facts, network.describe(), result.history(), layers.snapshots(), "50 validation rows", test, "next"));

    String html = Files.readString(page);
    assertTrue(html.contains("<th>network</th><td>4-16-8-3 &lt;tanh&gt;</td>"), "facts are escaped");
    assertTrue(html.contains("  batchnorm1 16-&gt;16\n"), "the layers, one per line");
    for (String chart : List.of("loss", "accuracy", "units", "gradient_scale", "hist_tanh1_outputs", "hist_tanh1_gradients",
        "hist_tanh2_outputs", "hist_tanh2_gradients")) {
      BufferedImage png = ImageIO.read(dir.resolve(chart + ".png").toFile());
      assertNotNull(png, chart);
      assertEquals(Plots.WIDTH, png.getWidth(), chart);
      assertTrue(Files.readString(dir.resolve(chart + ".svg")).contains("<svg"), chart);
      assertTrue(html.contains("src=\"" + chart + ".png\""), chart);
    }
    // Only activation layers get histograms.
    assertTrue(!Files.exists(dir.resolve("hist_dense1_outputs.png")));
    // The diagonal of the confusion matrix, in bold, adds up to the rows classified right.
    int diagonal = 0;
    for (int c = 0; c < 3; c++) diagonal += test.confusion().count(c, c);
    assertEquals(Math.round(test.accuracy() * test.rows()), diagonal);
    for (int c = 0; c < 3; c++) assertTrue(html.contains("<td class=\"num\"><b>" + test.confusion().count(c, c) + "</b></td>"));
    assertTrue(html.contains("on 30 rows"), html);
    assertTrue(html.contains("on the same 50 validation rows, forward"), html);

    List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
    assertEquals(1 + 4, epochs.size());
    EpochMetrics last = result.history().get(3);
    assertEquals("3," + last.trainLoss() + "," + last.trainAccuracy() + "," + last.validationLoss() + ","
        + last.validationAccuracy() + "," + last.learningRate() + ",120,", epochs.get(4).substring(0, epochs.get(4).lastIndexOf(',') + 1));
    List<String> layerRows = Files.readAllLines(dir.resolve("layers.csv"));
    // dense, batch norm and tanh twice, then the output dense: 7 layers, each epoch.
    assertEquals(1 + 4 * 7, layerRows.size());
    assertTrue(layerRows.get(1).startsWith("0,\"dense1\","), layerRows.get(1));
  }

  /** A run that diverged in its first epoch has no epoch and no snapshot; its page still says what happened. */
  @Test
  void aRunWithNoEpochStillGetsAPage() throws IOException {
    Path page = TrainingReport.write(dir, new TrainingReport.Run("diverged", Map.of("outcome", "diverged"), null, List.of(), List.of(), "no rows", null, null));
    String html = Files.readString(page);
    assertTrue(html.contains("<td>diverged</td>"));
    assertTrue(!html.contains("units.png") && !html.contains("Test set"));
    assertNotNull(ImageIO.read(dir.resolve("loss.png").toFile()));
    assertEquals(List.of("epoch,loss,accuracy,val_loss,val_accuracy,lr,examples,seconds"), Files.readAllLines(dir.resolve("epochs.csv")));
  }

  /**
   * A report written again replaces its files instead of rewriting them in place: whoever is reading
   * the earlier one (a browser loading the page, a server sending a chart) reads it whole, never
   * the start of one file and the end of another, and no temporary file is left. Writing in place
   * is also what leaves a half-written file when the run is killed during the write.
   */
  @Test
  void aReportWrittenAgainReplacesItsFilesWhole() throws IOException {
    TrainingReport.write(dir, run("first", "tanh1", "tanh2"));
    Map<String, String> before = contents(dir);
    Map<String, java.io.InputStream> readers = new java.util.TreeMap<>();
    try {
      for (String name : before.keySet()) readers.put(name, Files.newInputStream(dir.resolve(name)));
      TrainingReport.write(dir, run("second, with another title and other numbers", "relu1", "relu2"));
      List<String> changedUnderTheReader = new java.util.ArrayList<>();
      for (var r : readers.entrySet()) {
        String read = new String(r.getValue().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!read.equals(before.get(r.getKey()))) changedUnderTheReader.add(r.getKey());
      }
      assertEquals(List.of(), changedUnderTheReader);
    } finally {
      for (var r : readers.values()) r.close();
    }
    assertTrue(Files.readString(dir.resolve("index.html")).contains("second, with another title"));
    assertTrue(contents(dir).keySet().stream().noneMatch(f -> f.endsWith(".partial")), contents(dir).keySet().toString());
  }

  /**
   * A --report folder used again by a run of fewer layers: the earlier run's charts of the layers
   * it no longer has are gone, the user's files and folders stay, even those named like a chart.
   */
  @Test
  void aReportWrittenAgainRemovesTheChartsItNoLongerDraws() throws IOException {
    TrainingReport.write(dir, run("deep", "tanh1", "tanh2", "tanh3"));
    assertTrue(Files.exists(dir.resolve("hist_tanh3_gradients.svg")));
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Files.writeString(dir.resolve("hist_tanh3_outputs.png.orig"), "mine");
    Files.writeString(dir.resolve("my_loss.png"), "mine");
    Files.createDirectories(dir.resolve("hist_old_outputs.png").resolve("inside"));
    Set<String> mine = Set.of("notes.txt", "hist_tanh3_outputs.png.orig", "my_loss.png", "hist_old_outputs.png");

    TrainingReport.write(dir, run("shallow", "tanh1"));
    Set<String> expected = new java.util.TreeSet<>(mine);
    expected.addAll(List.of("index.html", "epochs.csv", "layers.csv"));
    for (String chart : List.of("loss", "accuracy", "units", "gradient_scale", "hist_tanh1_outputs", "hist_tanh1_gradients")) {
      expected.add(chart + ".png");
      expected.add(chart + ".svg");
    }
    assertEquals(expected, contents(dir).keySet());
    assertTrue(Files.exists(dir.resolve("hist_old_outputs.png").resolve("inside")));

    // No epoch at all (diverged at once): no layer charts.
    TrainingReport.write(dir, new Run("diverged", Map.of(), null, List.of(), List.of(), "no rows", null, null));
    expected.removeIf(f -> f.startsWith("units.") || f.startsWith("gradient_scale.") || f.startsWith("hist_tanh1_"));
    assertEquals(expected, contents(dir).keySet());
  }

  /**
   * A folder holds a training report when its index.html is one this class wrote (or one written
   * before the page had its marker, titled by the CLI): train --report writes again only into such a
   * folder. Another page (a tune report, a site) or none is not one.
   */
  @Test
  void aFolderHoldsAReportWhenItsPageIsOne() throws IOException {
    Path report = dir.resolve("report");
    assertTrue(!TrainingReport.holdsReport(report), "no folder");
    TrainingReport.write(report, run("any title", "tanh1"));
    assertTrue(TrainingReport.holdsReport(report));
    Path older = Files.createDirectories(dir.resolve("older"));
    Files.writeString(older.resolve("index.html"), ReportWriter.head("caviar train: 64-8-10 relu") + "<h1>caviar train</h1>");
    assertTrue(TrainingReport.holdsReport(older));
    Path site = Files.createDirectories(dir.resolve("site"));
    Files.writeString(site.resolve("index.html"), "<!DOCTYPE html><html><title>my site</title></html>");
    assertTrue(!TrainingReport.holdsReport(site));
    Files.writeString(site.resolve("index.html"), ReportWriter.head("caviar tune: s"));
    assertTrue(!TrainingReport.holdsReport(site), "a study's report");
  }

  /** A layer whose outputs are all equal (a dead layer) still draws; one that is not finite says so instead of failing. */
  @Test
  void histogramsOfOneValueOrOfNoFiniteValueDraw() throws IOException {
    Histogram constant = Histogram.of(new float[] {0, 0, 0, 0}, 4, 5);
    Histogram infinite = new Histogram(Double.NaN, Double.NaN, new long[] {4, 0});
    var one = TrainingPlots.histogram("constant", "output", constant, 0, constant, 0);
    assertEquals(1, one.getSeriesMap().size(), "the same snapshot twice is drawn once");
    var none = TrainingPlots.histogram("nan", "output", infinite, 0, infinite, 1);
    assertEquals(List.of("no finite values"), List.copyOf(none.getSeriesMap().keySet()));
    ReportWriter.save(dir, "constant", one, new java.util.ArrayList<>());
    ReportWriter.save(dir, "nan", none, new java.util.ArrayList<>());
    assertNotNull(ImageIO.read(dir.resolve("constant.png").toFile()));
    assertNotNull(ImageIO.read(dir.resolve("nan.png").toFile()));
  }

  /** A probe with no gradient at all (the loss was not finite) leaves gaps on the log axis, not an error. */
  @Test
  void aLayerWithoutGradientLeavesAGap() throws IOException {
    Histogram h = Histogram.of(new float[] {1, 2}, 2, 2);
    LayerStatistics zero = new LayerStatistics("dense1", h, h, 1.5, 0.5, Double.NaN, Double.NaN, 0, 3, 0, false);
    LayerStatistics some = new LayerStatistics("dense1", h, h, 1.5, 0.5, Double.NaN, Double.NaN, 1, 3, 0.3, false);
    for (List<HistogramRecorder.Snapshot> run : List.of(
        List.of(new HistogramRecorder.Snapshot(0, List.of(zero))),
        List.of(new HistogramRecorder.Snapshot(0, List.of(zero)), new HistogramRecorder.Snapshot(1, List.of(some))))) {
      var chart = TrainingPlots.gradientScale(run);
      ReportWriter.save(dir, "scale", chart, new java.util.ArrayList<>());
      assertNotNull(ImageIO.read(dir.resolve("scale.png").toFile()));
    }
  }

  /**
   * A run whose probes found no gradient at all in any layer says so: its log axis had nothing to
   * scale to and read -2E308 to 2E308 over an empty plot.
   */
  @Test
  void gradientScaleWithNoGradientAnywhereSaysSo() {
    Histogram h = Histogram.of(new float[] {1, 2}, 2, 2);
    LayerStatistics zero = new LayerStatistics("dense1", h, h, 1.5, 0.5, Double.NaN, Double.NaN, 0, 3, 0, false);
    var chart = TrainingPlots.gradientScale(List.of(new HistogramRecorder.Snapshot(0, List.of(zero)),
        new HistogramRecorder.Snapshot(1, List.of(zero))));
    assertEquals(List.of("no layer's parameters had a gradient (zero, or not finite)"), List.copyOf(chart.getSeriesMap().keySet()));
    assertTrue(!chart.getStyler().isYAxisLogarithmic());
  }

  /**
   * The gradient scale's axis has numbers when the ratios span less than a decade, as they often
   * do over a short run: XChart's log axis names only the powers of ten, and between 0.0025 and
   * 0.008 it named nothing.
   */
  @Test
  void gradientScaleWithinOneDecadeHasNumbersOnItsAxis() throws ReflectiveOperationException {
    Histogram h = Histogram.of(new float[] {1, 2}, 2, 2);
    List<HistogramRecorder.Snapshot> snapshots = new java.util.ArrayList<>();
    double[] ratios = {0.0025, 0.004, 0.008};
    for (int e = 0; e < ratios.length; e++) {
      snapshots.add(new HistogramRecorder.Snapshot(e,
          List.of(new LayerStatistics("dense1", h, h, 1.5, 0.5, Double.NaN, Double.NaN, 0, 1, ratios[e], false))));
    }
    var chart = TrainingPlots.gradientScale(snapshots);
    org.knowm.xchart.BitmapEncoder.getBufferedImage(chart);
    var getYAxis = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredMethod("getYAxis");
    getYAxis.setAccessible(true);
    var axis = (org.knowm.xchart.internal.chartpart.Axis<?, ?>) getYAxis.invoke(chart);
    List<Double> named = axis.getAxisTickCalculator().getTickLabels().stream().filter(java.util.Objects::nonNull)
        .map(Double::parseDouble).toList();
    assertTrue(named.size() >= 3, named.toString());
    // The labels are the ratios themselves (not their logarithms), around the data.
    for (double v : named) assertTrue(v > 0.001 && v < 0.02, named.toString());
  }

  /**
   * A diverging run (lr=1e6 without batch norm) has layer outputs of 1e20 and more: the layer table
   * printed "-142256405360624060000.000" with %.3f. Such figures are now in scientific notation.
   */
  @Test
  void theLayerTablePrintsHugeMeansInScientificNotation() throws IOException {
    Histogram h = Histogram.of(new float[] {1, 2}, 2, 2);
    LayerStatistics huge = new LayerStatistics("dense3", h, h, -1.4225640536062406e20, 5.210613055811842e21, Double.NaN, Double.NaN,
        0.0795, 1.891e8, 0.856, false);
    LayerStatistics small = new LayerStatistics("relu3", h, h, 0.25, 0.0004, Double.NaN, 0.5, 0.1, 0, 0, true);
    List<HistogramRecorder.Snapshot> snapshots = List.of(new HistogramRecorder.Snapshot(0, List.of(huge, small)));
    Path page = TrainingReport.write(dir, new Run("huge", Map.of(), null,
        List.of(new EpochMetrics(0, 1e21, 0.2, 4e18, 0.25, 1e6f, 100, 0.1)), snapshots, "4 rows", null, null));
    String html = Files.readString(page);
    assertTrue(html.contains("<tr><td>dense3</td><td class=\"num\">-1.423e+20</td><td class=\"num\">5.211e+21</td>"), html);
    assertTrue(html.contains("<tr><td>relu3</td><td class=\"num\">0.250</td><td class=\"num\">4.000e-04</td>"), html);
  }

  /** A run of two epochs whose snapshots have the given activation layers (each after a dense layer), with small made-up statistics. */
  private static Run run(String title, String... activations) {
    List<EpochMetrics> epochs = List.of(new EpochMetrics(0, 1.0, 0.5, 1.1, 0.4, 0.01f, 120, 0.1),
        new EpochMetrics(1, 0.8, 0.6, 0.9, 0.5, 0.01f, 120, 0.1));
    Histogram h = Histogram.of(new float[] {-1, 0, 0.5f, 1}, 4, 4);
    List<LayerStatistics> layers = new java.util.ArrayList<>();
    for (int i = 0; i < activations.length; i++) {
      layers.add(new LayerStatistics("dense" + (i + 1), h, h, 0.1, 0.9, Double.NaN, Double.NaN, 0.2, 3, 0.3, false));
      layers.add(new LayerStatistics(activations[i], h, h, 0.1, 0.9, Double.NaN, 0.05, 0.2, 0, 0, true));
    }
    List<HistogramRecorder.Snapshot> snapshots = List.of(new HistogramRecorder.Snapshot(0, layers), new HistogramRecorder.Snapshot(1, layers));
    return new Run(title, Map.of("network", title), null, epochs, snapshots, "4 rows", null, null);
  }

  /** Every file in {@code folder} and its content, decoded as Latin-1 to compare bytes as text; folders as "(folder)". */
  private static Map<String, String> contents(Path folder) throws IOException {
    Map<String, String> files = new java.util.TreeMap<>();
    try (var list = Files.list(folder)) {
      for (Path f : list.toList()) {
        files.put(f.getFileName().toString(),
            Files.isDirectory(f) ? "(folder)" : new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    return files;
  }
}
