package org.caviar.search.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.caviar.search.Spaces;
import org.caviar.search.pruner.AshaPruner;
import org.caviar.search.pruner.Pruner;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir Path dir;

  /** A study of the every-kind space whose score rises with epochs toward a value set mostly by lr. */
  static History study(int trials, Pruner pruner) {
    SearchSpace space = Spaces.everyKind();
    return Study.builder(space).direction(Direction.MAXIMIZE).pruner(pruner).seed(4).workers(1).build()
        .optimize(t -> {
          double target = 1 - Math.abs(Math.log10(t.getDouble("lr")) + 2) / 4 - 0.05 * t.getDouble("dropout");
          double v = 0;
          for (int e = 1; e <= 9; e++) {
            v = target * (1 - Math.exp(-e / 2.0));
            t.reportAndMaybePrune(e, v);
          }
          return v;
        }, Budget.trials(trials));
  }

  @Test
  void writesEveryChartAsPngAndSvgAndOnePageThatShowsThem() throws IOException {
    History h = study(40, new AshaPruner(1, 3));
    SearchSpace space = Spaces.everyKind();
    Path page = ReportWriter.write(dir.resolve("report"), h, space, new ReportWriter.Meta("demo", "tpe", "asha", null));
    String html = Files.readString(page);
    List<String> charts = List.of("history", "learning_curves", "parallel_coordinates", "importance",
        "param_lr", "param_beta1", "param_dropout", "param_layers", "param_units", "param_optimizer", "param_beta2", "param_momentum");
    for (String c : charts) {
      BufferedImage png = ImageIO.read(dir.resolve("report/" + c + ".png").toFile());
      assertNotNull(png, c);
      assertEquals(Plots.WIDTH, png.getWidth());
      assertEquals(Plots.HEIGHT, png.getHeight());
      String svg = Files.readString(dir.resolve("report/" + c + ".svg"));
      assertTrue(svg.contains("<svg"), c);
      assertTrue(html.contains("src=\"" + c + ".png\""), c);
    }
    assertTrue(!Files.exists(dir.resolve("report/param_epochs.png")), "fixed parameters get no chart");
    TrialRecord best = h.best();
    assertTrue(html.contains("Trial " + best.number() + ": value <b>" + Leaderboard.format(best.value())), html);
    List<String> csv = Files.readAllLines(dir.resolve("report/trials.csv"));
    assertEquals(h.size() + 1, csv.size());
    assertTrue(csv.get(0).startsWith("trial,state,value,steps,seconds,reason,lr,"));
  }

  /** tune --top N set the printed leaderboard's rows, and the report's stayed at 10 whatever N was. */
  @Test
  void theReportsLeaderboardHasTheRowsAsked() throws IOException {
    History h = study(12, org.caviar.search.pruner.Pruner.none());
    SearchSpace space = Spaces.everyKind();
    long completed = h.trials().stream().filter(t -> t.state() == org.caviar.search.trial.TrialState.COMPLETE).count();
    assertTrue(completed >= 4, "the study needs more complete trials than the rows asked: " + completed);
    for (int top : new int[] {3, 10}) {
      String html = Files.readString(ReportWriter.write(dir.resolve("top" + top), h, space, new ReportWriter.Meta("demo", "tpe", "asha", null, top)));
      String board = html.substring(html.indexOf("<h2>Leaderboard</h2>"));
      board = board.substring(0, board.indexOf("</table>"));
      long rows = board.lines().filter(l -> l.startsWith("<tr><td class=\"num\">")).count();
      assertEquals(Math.min(top, Leaderboard.top(h, Integer.MAX_VALUE).size()), rows, board);
    }
    assertThrows(IllegalArgumentException.class, () -> new ReportWriter.Meta("demo", "tpe", "asha", null, 0));
  }

  /** A study's report folder written again drops the charts of parameters the study no longer has, and keeps anything else. */
  @Test
  void aReportWrittenAgainRemovesChartsOfGoneParameters() throws IOException {
    Path report = Files.createDirectories(dir.resolve("report"));
    for (String f : List.of("param_gone.png", "param_gone.svg", "param_notes.txt", "history.png.orig")) Files.writeString(report.resolve(f), "x");
    ReportWriter.write(report, study(10, new AshaPruner(1, 3)), Spaces.everyKind(), new ReportWriter.Meta("demo", "tpe", "asha", null));
    assertTrue(!Files.exists(report.resolve("param_gone.png")) && !Files.exists(report.resolve("param_gone.svg")), "stale charts removed");
    assertTrue(Files.exists(report.resolve("param_notes.txt")) && Files.exists(report.resolve("history.png.orig")), "other files kept");
    assertTrue(Files.exists(report.resolve("param_lr.png")) && Files.exists(report.resolve("param_lr.svg")), "this study's charts");
  }

  /**
   * The x axis's tick labels that XChart drew, within the axis (it lists some beyond its ends, not
   * drawn); its axes are package-private, read once the chart is painted.
   */
  static List<String> xTickLabels(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws ReflectiveOperationException {
    org.knowm.xchart.BitmapEncoder.getBufferedImage(chart);
    var getXAxis = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredMethod("getXAxis");
    getXAxis.setAccessible(true);
    var axis = (org.knowm.xchart.internal.chartpart.Axis<?, ?>) getXAxis.invoke(chart);
    var ticks = axis.getAxisTickCalculator();
    List<String> drawn = new java.util.ArrayList<>();
    for (int i = 0; i < ticks.getTickLabels().size(); i++) {
      double at = ticks.getTickLocations().get(i);
      if (at >= 0 && at <= axis.getBounds().getWidth()) drawn.add(ticks.getTickLabels().get(i));
    }
    return drawn;
  }

  /**
   * A categorical parameter's chart names its choices, and only them: its ticks fell every half
   * choice, and the ones between two choices read "tick 0.5", "tick 1.5" on every report.
   */
  @Test
  void categoricalChartNamesItsChoicesAndNothingElse() throws ReflectiveOperationException {
    for (int size = 2; size <= 8; size++) {
      String[] choices = new String[size];
      for (int i = 0; i < size; i++) choices[i] = "c" + i;
      SearchSpace space = SearchSpace.of(Parameter.categorical("pick", choices));
      History h = Study.builder(space).sampler(new RandomSampler()).seed(5).workers(1).build()
          .optimize(t -> 1e-4 * t.getString("pick").charAt(1), Budget.trials(6)); // y labels as wide as 0.0054
      assertEquals(List.of(choices), xTickLabels(Plots.parameter(h, space, 0)), size + " choices");
    }
  }

  /**
   * The chart of a conditional parameter that no finished trial had active (TPE kept to the other
   * optimizer) says so: it said "no finished trial" over a study of finished trials.
   */
  @Test
  void aConditionalParametersEmptyChartSaysItWasNeverActive() {
    SearchSpace space = SearchSpace.of(Parameter.categorical("optimizer", "adam", "sgd"),
        Parameter.uniform("momentum", 0.5, 0.99).when("optimizer", "sgd"));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      trials.add(TrialRecord.claimed(i, 0).withParams(space.pointFromValues(Map.of("optimizer", "adam")), -1)
          .withOutcome(TrialState.COMPLETE, 0.9, null, 10));
    }
    History h = new History(trials, Direction.MAXIMIZE);
    assertEquals(List.of("no finished trial had momentum (5 finished)"), List.copyOf(Plots.parameter(h, space, 1).getSeriesMap().keySet()));
    assertEquals(List.of("no finished trial"),
        List.copyOf(Plots.parameter(History.empty(Direction.MAXIMIZE), space, 1).getSeriesMap().keySet()));
  }

  /**
   * A log-scale parameter's chart has numbers on its axis when its range spans less than a decade
   * or two: XChart's log axis names only the powers of ten, and the default space's units (32 to
   * 256) had one number, 100; momentum's 1 - momentum (0.01 to 0.2) two.
   */
  @Test
  void logParameterChartsHaveNumbersAcrossTheirRange() throws ReflectiveOperationException {
    SearchSpace space = SearchSpace.of(Parameter.intLog("units", 32, 256), Parameter.oneMinusLog("momentum", 0.8, 0.99),
        Parameter.logUniform("lr", 0.002, 0.009));
    History h = Study.builder(space).sampler(new RandomSampler()).seed(5).workers(1).build()
        .optimize(t -> t.getInt("units") * t.getDouble("lr"), Budget.trials(12));
    double[][] ranges = {{32, 256}, {0.01, 0.2}, {0.002, 0.009}};
    for (int i = 0; i < space.size(); i++) {
      List<Double> named = xTickLabels(Plots.parameter(h, space, i)).stream().filter(java.util.Objects::nonNull)
          .map(Double::parseDouble).toList(); // a log axis leaves the ticks between its powers of ten unnamed (null)
      assertTrue(named.size() >= 3, space.get(i).name() + " " + named);
      // The labels are the axis's values (1 - momentum for momentum), not their logarithms. XChart's
      // ticks spread over 92% of the axis, so one may fall up to 4% of the range's log span (at most
      // 1.3 decades here: a factor 1.13) beyond its ends, and still be drawn: 1.15 either way.
      for (double v : named) assertTrue(v >= ranges[i][0] / 1.15 && v <= 1.15 * ranges[i][1], space.get(i).name() + " " + named);
    }
  }

  /**
   * The importance chart's parameter names do not run into each other: with the default space's
   * 11 names level under 11 bars, they read "weight_decayunits", "optimizermomentum",
   * "activationbatchnorm".
   */
  @Test
  void importanceChartNamesDoNotOverlap() throws ReflectiveOperationException {
    SearchSpace space = SearchSpace.parse(org.caviar.search.cli.TuneCommand.DEFAULT_SPACE);
    Map<String, Double> shares = new java.util.LinkedHashMap<>();
    for (int i = 0; i < space.size(); i++) shares.put(space.get(i).name(), 1.0 / space.size());
    var chart = Plots.importance(shares);
    org.knowm.xchart.BitmapEncoder.getBufferedImage(chart);
    var getXAxis = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredMethod("getXAxis");
    getXAxis.setAccessible(true);
    var ticks = ((org.knowm.xchart.internal.chartpart.Axis<?, ?>) getXAxis.invoke(chart)).getAxisTickCalculator();
    assertEquals(List.copyOf(shares.keySet()), ticks.getTickLabels());
    int degrees = chart.getStyler().getXAxisLabelRotation();
    var rotation = degrees == 0 ? null : java.awt.geom.AffineTransform.getRotateInstance(-Math.toRadians(degrees));
    var frc = new java.awt.font.FontRenderContext(null, true, false);
    double[] width = new double[ticks.getTickLabels().size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = new java.awt.font.TextLayout(ticks.getTickLabels().get(i), chart.getStyler().getAxisTickLabelsFont(), frc)
          .getOutline(rotation).getBounds().getWidth();
    }
    for (int i = 1; i < width.length; i++) {
      double gap = ticks.getTickLocations().get(i) - ticks.getTickLocations().get(i - 1);
      assertTrue(gap > (width[i - 1] + width[i]) / 2, ticks.getTickLabels().get(i - 1) + " runs into " + ticks.getTickLabels().get(i));
    }
  }

  /** The parallel coordinates' title counts the trials it draws: it said "best 50" over the 12 a study had. */
  @Test
  void parallelCoordinatesTitleCountsTheTrialsDrawn() {
    History h = study(12, Pruner.none());
    assertEquals(12, h.inState(TrialState.COMPLETE).size());
    assertEquals("Parallel coordinates (the 12 completed trials)", Plots.parallelCoordinates(h, Spaces.everyKind(), 50).getTitle());
    assertEquals("Parallel coordinates (the best 5 of 12 completed trials)", Plots.parallelCoordinates(h, Spaces.everyKind(), 5).getTitle());
  }

  /**
   * Every axis of the parallel coordinates is named, the value's too: with the default space's 11
   * parameters the names did not fit the step of one axis, XChart doubled it, and every other axis
   * (batch_size, layers, batchnorm, optimizer, momentum, value) had no name.
   */
  @Test
  void parallelCoordinatesNameEveryAxis() throws ReflectiveOperationException {
    SearchSpace space = SearchSpace.parse(org.caviar.search.cli.TuneCommand.DEFAULT_SPACE);
    History h = Study.builder(space).direction(Direction.MAXIMIZE).sampler(new RandomSampler()).seed(3).workers(1).build()
        .optimize(t -> t.getDouble("dropout"), Budget.trials(12));
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < space.size(); i++) names.add(space.get(i).name());
    names.add("value");
    assertEquals(names, xTickLabels(Plots.parallelCoordinates(h, space, 50)));
    SearchSpace two = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.categorical("c", "a", "b"));
    History h2 = Study.builder(two).sampler(new RandomSampler()).seed(3).workers(1).build().optimize(t -> t.getDouble("x"), Budget.trials(5));
    assertEquals(List.of("x", "c", "value"), xTickLabels(Plots.parallelCoordinates(h2, two, 50)));
  }

  /**
   * The importance with nothing to show (too few trials, or no parameter above chance, all 0) is
   * a chart of finite coordinates and a page that says why: the bars of a zero-height axis were
   * drawn at y = NaN in the SVG (an error in a browser), and the page showed an empty table.
   */
  @Test
  void importanceWithNothingToShowSaysWhy() throws IOException {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.categorical("c", "a", "b"));
    History one = Study.builder(space).sampler(new RandomSampler()).seed(5).workers(1).build()
        .optimize(t -> t.getDouble("x"), Budget.trials(1));
    Path page = ReportWriter.write(dir.resolve("one"), one, space, new ReportWriter.Meta("one", "tpe", "none", null));
    String html = Files.readString(page);
    assertTrue(!Files.readString(dir.resolve("one/importance.svg")).contains("NaN"), "finite bars");
    assertTrue(!html.contains("<table></table>"), html);
    assertTrue(html.contains("Too few trials to estimate it: 2 parameters vary, which takes 10 trials (5 per parameter); here the "
        + "final values of 1 completed trial."), html);
    // Four trials, from which the summary printed "dropout 100%", are as few: the page says so, and how many it takes.
    History four = Study.builder(space).sampler(new RandomSampler()).seed(5).workers(1).build()
        .optimize(t -> t.getDouble("x"), Budget.trials(4));
    html = Files.readString(ReportWriter.write(dir.resolve("four"), four, space, new ReportWriter.Meta("four", "tpe", "none", null)));
    assertTrue(html.contains("Too few trials to estimate it: 2 parameters vary, which takes 10 trials (5 per parameter); here the "
        + "final values of 4 completed trials."), html);
    // The chart, which is also read on its own, says as much: its bar said "(too few completed trials)",
    // which named neither the trials with intermediate values that also count nor how many it takes.
    assertEquals(List.of("(too few trials: it takes 10)"),
        List.copyOf(Plots.importance(Map.of(), space).getSeriesMap().get("importance").getXData()));

    // From 5 trials per parameter the shares show, marked rough below 10 per parameter.
    History twelve = Study.builder(space).sampler(new RandomSampler()).seed(5).workers(1).build()
        .optimize(t -> t.getDouble("x"), Budget.trials(12));
    html = Files.readString(ReportWriter.write(dir.resolve("twelve"), twelve, space, new ReportWriter.Meta("twelve", "tpe", "none", null)));
    assertTrue(html.contains("from the final values of 12 completed trials (rough: 20 trials make it firm (10 per parameter)).</p>"), html);

    Importance.Result none = new Importance.Result(new java.util.LinkedHashMap<>(Map.of("x", 0.0, "c", 0.0)),
        "final values of 30 completed trials");
    html = Files.readString(ReportWriter.write(dir.resolve("none"), one, space, new ReportWriter.Meta("none", "tpe", "none", null), none));
    assertTrue(!Files.readString(dir.resolve("none/importance.svg")).contains("NaN"), "finite bars");
    assertTrue(html.contains("No parameter explains more of the ranks than chance would"), html);
  }

  /**
   * The page said "Share of the variation ... that each parameter explains" beside shares that add
   * up to 100% whatever they explain: noise where lr barely stood out of chance read "lr 100.0%"
   * as a study that lr decides does. Page and chart now say how much the parameters explain
   * together, and when that is little, what the score varies with instead.
   */
  @Test
  void importanceSaysHowMuchTheParametersExplainTogether() throws IOException {
    SearchSpace lr = ImportanceTest.LR;
    History noise = ImportanceTest.noiseStudy(1, 100);
    String html = Files.readString(ReportWriter.write(dir.resolve("noise"), noise, lr, new ReportWriter.Meta("noise", "random", "none", null)));
    assertTrue(html.contains("<tr><th>lr</th><td class=\"num\">100.0%</td></tr>"), html);
    assertTrue(html.contains("<p>Together they explain 2% of the variation in the ranks of the scores (little: the score varies mostly "
        + "with what no single parameter explains, noise (seeds) or interactions; more trials, or fewer parameters, sharpen the "
        + "shares).</p>"), html);
    assertEquals("Parameter importance: together they explain 2% of the variation in score (little)",
        Plots.importance(Importance.compute(noise, lr), lr).getTitle());
    // lr decides the score: its 10 bins of 10 trials hold all but (10^2 - 1)/(100^2 - 1) of the ranks' variance, 99%.
    History decided = Study.builder(lr).sampler(new RandomSampler()).seed(1).workers(1).build()
        .optimize(t -> Math.log10(t.getDouble("lr")), Budget.trials(100));
    html = Files.readString(ReportWriter.write(dir.resolve("decided"), decided, lr, new ReportWriter.Meta("decided", "random", "none", null)));
    assertTrue(html.contains("<p>Together they explain 99% of the variation in the ranks of the scores; the rest is noise (seeds) or "
        + "interactions.</p>"), html);
    assertEquals("Parameter importance: together they explain 99% of the variation in score",
        Plots.importance(Importance.compute(decided, lr), lr).getTitle());
  }

  /**
   * A space whose every parameter is fixed has no importance to show, however many trials ran: the
   * page said "Too few trials to estimate it (it takes 4 with a value; here the final values of 6
   * completed trials)", and the chart's bar "(too few completed trials)".
   */
  @Test
  void importanceOfASpaceWithNothingToVarySaysSo() throws IOException {
    SearchSpace space = SearchSpace.of(Parameter.fixed("lr", 0.05), Parameter.fixed("units", 32));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      trials.add(TrialRecord.claimed(i, 0).withParams(space.pointFromValues(Map.of()), -1).withOutcome(TrialState.COMPLETE, 0.9 + i / 100.0, null, 10));
    }
    String html = Files.readString(ReportWriter.write(dir.resolve("fixed"), new History(trials, Direction.MAXIMIZE), space,
        new ReportWriter.Meta("fixed", "random", "none", null)));
    assertTrue(!html.contains("Too few trials"), html);
    assertTrue(html.contains("<p>Every parameter of the space is fixed: there is no variation to attribute.</p>"), html);
    var chart = Plots.importance(Map.of(), space);
    assertEquals(List.of("(every parameter fixed)"), List.copyOf(chart.getSeriesMap().get("importance").getXData()));
  }

  @Test
  void importanceFindsTheParameterThatMatters() {
    SearchSpace space = SearchSpace.of(Parameter.logUniform("lr", 1e-4, 1), Parameter.uniform("noise", 0, 1),
        Parameter.categorical("act", "relu", "tanh", "gelu"), Parameter.intUniform("small", 1, 4));
    History h = Study.builder(space).sampler(new RandomSampler()).seed(8).workers(1).build()
        .optimize(t -> Math.pow(Math.log10(t.getDouble("lr")) + 2, 2) + 0.5 * t.getInt("small"), Budget.trials(200));
    Map<String, Double> imp = Importance.compute(h, space).shares();
    assertEquals(List.of("lr", "small"), List.copyOf(imp.keySet()).subList(0, 2), imp.toString());
    // Variances of the two effects: (log10 lr + 2)^2 with log10 lr uniform in [-4, 0] has 16/5 - 16/9
    // = 1.42; 0.5 small with small uniform in 1..4 has 0.25 * 1.25 = 0.31.
    assertTrue(imp.get("lr") > 0.6, imp.toString());
    assertTrue(imp.get("small") > 0.1, imp.toString());
    assertTrue(imp.get("noise") < 0.05, imp.toString());
    assertTrue(imp.get("act") < 0.05, imp.toString());
    assertEquals(1.0, imp.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
  }

  /**
   * A conditional parameter's share is of the variation in the whole study, as every other's: it
   * was of the variation among the trials where it is active only, and a parameter that just
   * ordered the adam trials among themselves (by a hundredth, where adam against sgd made ten)
   * came out above the optimizer, as beta2 and momentum topped the default space's shares.
   */
  @Test
  void aConditionalParametersShareIsOfTheWholeStudy() {
    SearchSpace space = SearchSpace.of(Parameter.categorical("optimizer", "adam", "sgd"),
        Parameter.uniform("beta", 0, 1).when("optimizer", "adam"));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      boolean adam = i % 2 == 0;
      double beta = ((i * 7) % 40) / 40.0;
      var p = adam ? space.pointFromValues(Map.of("optimizer", "adam", "beta", beta)) : space.pointFromValues(Map.of("optimizer", "sgd"));
      trials.add(TrialRecord.claimed(i, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, (adam ? 10 : 0) + 0.01 * beta, null, 10));
    }
    Map<String, Double> imp = Importance.compute(new History(trials, Direction.MAXIMIZE), space).shares();
    // In ranks: the optimizer splits them in halves, 3/4 of their variance; beta orders the adam half,
    // 1/8 of it (the half's variance, a quarter of the whole's, over half the trials). Less the chance
    // terms, and normalized: 6/7 and 1/7; 0.05 is room for the chance corrections and the 20 bins' steps.
    assertEquals(6.0 / 7, imp.get("optimizer"), 0.05, imp.toString());
    assertEquals(1.0 / 7, imp.get("beta"), 0.05, imp.toString());
  }

  /**
   * Equal values of a parameter (an integer, a grid's points) fall in one bin: split by trial order
   * instead, they took on the trend of the scores over the study (a sampler that improves), and a
   * parameter that did nothing explained all of it.
   */
  @Test
  void importanceDoesNotSplitEqualValuesByTrialOrder() {
    SearchSpace space = SearchSpace.of(Parameter.intUniform("a", 1, 3), Parameter.intUniform("b", 1, 2),
        Parameter.uniform("c", 0, 1));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      // a always 2, b alternating: neither says anything about the score, which improves with the trial number.
      var p = space.pointFromValues(Map.of("a", 2, "b", 1 + i % 2, "c", ((i * 7) % 30) / 30.0));
      trials.add(TrialRecord.claimed(i, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, 30 - i, null, 0));
    }
    Map<String, Double> imp = Importance.compute(new History(trials, Direction.MINIMIZE), space).shares();
    // One bin for a: nothing between bins. b's two bins differ by half a rank in mean ranks, which the
    // chance correction takes to 0 (between 7.5 against (2 - 1) x 80 within): exactly 0 for both.
    assertEquals(0.0, imp.get("a"), imp.toString());
    assertEquals(0.0, imp.get("b"), imp.toString());
  }

  @Test
  void importanceOnIntermediateValuesCountsAnInterruptedTrialOnce() {
    // Trials 0 and 1 were interrupted by a crash after three reports and re-run as trials 6 and 7,
    // which the pruner stopped like trials 2-5: six parameter points, which the interrupted
    // attempts' reports would count eight.
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      double x = (i % 6) / 6.0;
      TrialRecord t = TrialRecord.claimed(i, 0).withParams(space.pointFromValues(Map.of("x", x)), i >= 6 ? i - 6 : -1);
      for (int s = 1; s <= 3; s++) t = t.withIntermediate(s, x * s);
      trials.add(i < 2
          ? t.withOutcome(TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process stopped while this trial ran", 0)
          : t.withOutcome(TrialState.PRUNED, Double.NaN, null, 0));
    }
    assertEquals("values at step 3 of 6 trials", Importance.compute(new History(trials, Direction.MAXIMIZE), space).basis());
  }

  /**
   * The common step is found among the steps reported, whatever their size: it was looked for at
   * every integer from the largest step down, and an objective reporting at its examples seen (one
   * trial of many running on to step 2e9) held the summary and the report for minutes.
   */
  @Test
  void importanceOnIntermediateValuesAtLargeStepsIsQuick() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      double x = i / 6.0;
      TrialRecord t = TrialRecord.claimed(i, 0).withParams(space.pointFromValues(Map.of("x", x)), -1)
          .withIntermediate(1_000_000, x).withIntermediate(2_000_000, 2 * x);
      if (i == 0) t = t.withIntermediate(2_000_000_000, 3 * x);
      trials.add(t.withOutcome(TrialState.PRUNED, Double.NaN, null, 0));
    }
    History h = new History(trials, Direction.MAXIMIZE);
    // Milliseconds once the steps are the ones reported; the limit is for a loaded machine.
    Importance.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
        () -> Importance.compute(h, space));
    assertEquals("values at step 2000000 of 6 trials", r.basis());
  }

  /** A choice may hold a double quote (a word is anything without spaces or , | ( ) = # ;): its CSV field is quoted. */
  @Test
  void csvQuotesAValueWithADoubleQuote() {
    SearchSpace space = SearchSpace.of(Parameter.categorical("note", "a\"b", "c"));
    TrialRecord t = TrialRecord.claimed(0, 0).withParams(space.pointFromValues(Map.of("note", "a\"b")), -1)
        .withOutcome(TrialState.COMPLETE, 1.0, null, 0);
    List<String> lines = ReportWriter.csv(new History(List.of(t), Direction.MINIMIZE), space).lines().toList();
    assertEquals("0,COMPLETE,1.0,0,0.000,,\"a\"\"b\"", lines.get(1));
  }

  /**
   * A trial interrupted by the end of its process is recorded so when the study resumes: the time
   * from its start to that record is not its duration, and its seconds are left empty (a resume the
   * next day wrote 86400.000).
   */
  @Test
  void csvLeavesAnInterruptedTrialsSecondsEmpty() {
    SearchSpace space = SearchSpace.of(Parameter.categorical("note", "a", "c"));
    TrialRecord t = TrialRecord.claimed(0, 1_000).withParams(space.pointFromValues(Map.of("note", "a")), -1)
        .withIntermediate(1, 0.5)
        .withOutcome(TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process stopped while this trial ran", 86_401_000);
    List<String> lines = ReportWriter.csv(new History(List.of(t), Direction.MAXIMIZE), space).lines().toList();
    assertEquals("0,FAILED,,1,,\"interrupted: the process stopped while this trial ran\",a", lines.get(1));
  }

  /**
   * A report written while another run of the study is under way lists its running trials: they
   * have no seconds yet (the CSV said 0.000, as if they had taken none).
   */
  @Test
  void csvLeavesARunningTrialsSecondsEmpty() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    TrialRecord t = TrialRecord.claimed(0, 1_000).withParams(space.pointFromValues(Map.of("x", 0.5)), -1).withIntermediate(1, 0.3);
    List<String> lines = ReportWriter.csv(new History(List.of(t), Direction.MAXIMIZE), space).lines().toList();
    assertEquals("0,RUNNING,,1,,,0.5", lines.get(1));
  }

  /**
   * A trial that reported once (tune --epochs 1, or one pruned at its first step) is a point on the
   * learning curves: drawn as a line without markers, a curve of one point was nothing, and a study
   * of one-epoch trials had an empty chart under its legend.
   */
  @Test
  void learningCurvesShowTrialsThatReportedOnce() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      double v = i < 6 ? 0.5 + 0.05 * i : 0.57 + 0.1 * (i - 6); // the pruned ones within the others' range: the same axes
      trials.add(TrialRecord.claimed(i, 0).withParams(space.pointFromValues(Map.of("x", i / 8.0)), -1).withIntermediate(1, v)
          .withOutcome(i < 6 ? TrialState.COMPLETE : TrialState.PRUNED, v, null, 10));
    }
    BufferedImage img = org.knowm.xchart.BitmapEncoder.getBufferedImage(Plots.learningCurves(new History(trials, Direction.MAXIMIZE), 5));
    BufferedImage completeOnly = org.knowm.xchart.BitmapEncoder.getBufferedImage(
        Plots.learningCurves(new History(trials.subList(0, 6), Direction.MAXIMIZE), 5));
    // Above the legend (below the plot, in the last fifth of the chart): the best trial's colour; and
    // the grey of the others, which the chart's grid and frame have some of, more than without them.
    int above = img.getHeight() * 4 / 5;
    assertTrue(pixels(img, Plots.TOP[0], above) > 0, "the best trial's point");
    java.awt.Color grey = new java.awt.Color(0xbb, 0xbb, 0xbb);
    assertTrue(pixels(img, grey, above) > pixels(completeOnly, grey, above), "the other trials' points");
  }

  /** Pixels of exactly {@code color} in the rows above {@code rows}. */
  private static int pixels(BufferedImage img, java.awt.Color color, int rows) {
    int n = 0;
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff)) n++;
    }
    return n;
  }

  /** A study without a completed trial (all failed or pruned) says so in its leaderboard, which was an empty table. */
  @Test
  void leaderboardOfAStudyWithoutACompletedTrialSaysSo() throws IOException {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    TrialRecord failed = TrialRecord.claimed(0, 0).withParams(space.pointFromValues(Map.of("x", 0.5)), -1)
        .withOutcome(TrialState.FAILED, Double.NaN, "diverged", 10);
    String html = Files.readString(ReportWriter.write(dir.resolve("failed"), new History(List.of(failed), Direction.MAXIMIZE), space,
        new ReportWriter.Meta("failed", "tpe", "asha", null)));
    assertTrue(html.contains("<tr><td colspan=\"6\">No trial completed.</td></tr>"), html);
  }

  /** The page's leaderboard marks a re-run as the text table does, in the parameters cell: its six columns stay six. */
  @Test
  void leaderboardOfThePageMarksARerun() throws IOException {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    String html = Files.readString(ReportWriter.write(dir.resolve("rerun"), LeaderboardTest.withARerun(), space,
        new ReportWriter.Meta("rerun", "tpe", "none", null)));
    assertTrue(html.contains("<td class=\"num\">2</td><td class=\"num\">0.9</td><td class=\"num\">-</td><td class=\"num\">0.00</td>"
        + "<td>(re-run of 1) x=0.5</td></tr>"), html);
    assertTrue(html.contains("<td class=\"num\">0.00</td><td>x=0.25</td></tr>"), html);
  }

  @Test
  void leaderboardIsBestFirst() {
    History h = study(30, Pruner.none());
    List<TrialRecord> top = Leaderboard.top(h, 5);
    for (int i = 1; i < top.size(); i++) assertTrue(top.get(i - 1).value() >= top.get(i).value());
    assertEquals(h.best(), top.get(0));
    String table = Leaderboard.table(h, 5);
    assertEquals(6, table.lines().count(), table);
    assertTrue(table.contains("lr="), table);
  }
}
