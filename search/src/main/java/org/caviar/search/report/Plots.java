package org.caviar.search.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Scale;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, built with XChart from a study's history. */
public final class Plots {
  static final int WIDTH = 900;
  static final int HEIGHT = 480;
  private static final Color GOOD = new Color(0x1f, 0x77, 0xb4);
  private static final Color PRUNED = new Color(0xbb, 0xbb, 0xbb);
  private static final Color BEST = new Color(0xd6, 0x27, 0x28);
  static final Color[] TOP = {
    new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4), new Color(0x2c, 0xa0, 0x2c),
    new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd)};

  private Plots() {}

  static XYChart xy(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    // Below the plot, so that it never hides a point (the best ones sit in a corner).
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setMarkerSize(6);
    return c;
  }

  private static XYSeries scatter(XYChart c, String name, List<Double> x, List<Double> y, Color color) {
    XYSeries s = c.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(color);
    return s;
  }

  /** Each trial's value by trial number, pruned trials at their last value, and the best so far. */
  public static XYChart history(History h) {
    XYChart c = xy("Optimization history", "trial", "value");
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> px = new ArrayList<>();
    List<Double> py = new ArrayList<>();
    List<Double> bx = new ArrayList<>();
    List<Double> by = new ArrayList<>();
    double best = Double.NaN;
    for (TrialRecord t : h.trials()) {
      if (t.state() == TrialState.COMPLETE) {
        xs.add((double) t.number());
        ys.add(t.value());
        if (h.direction().isBetter(t.value(), best)) best = t.value();
      } else if (t.state() == TrialState.PRUNED && !Double.isNaN(t.value())) {
        px.add((double) t.number());
        py.add(t.value());
      }
      if (!Double.isNaN(best)) {
        bx.add((double) t.number());
        by.add(best);
      }
    }
    if (!px.isEmpty()) scatter(c, "pruned (last value)", px, py, PRUNED);
    if (!xs.isEmpty()) scatter(c, "complete", xs, ys, GOOD);
    if (!bx.isEmpty()) {
      XYSeries s = c.addSeries("best so far", bx, by);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(BEST);
    }
    if (xs.isEmpty() && px.isEmpty()) c.addSeries("no finished trial", new double[] {0}, new double[] {0});
    return c;
  }

  /**
   * Score against one parameter on its own scale: a log axis for log parameters, {@code 1 - value}
   * on a log axis for one-minus-log ones (so 0.9, 0.99, 0.999 are evenly spaced), the choices for
   * categorical ones (spread a little sideways so that equal points show).
   */
  public static XYChart parameter(History h, SearchSpace space, int i) {
    Parameter p = space.get(i);
    boolean oneMinus = p.scale() == Scale.ONE_MINUS_LOG;
    boolean log = p.scale() == Scale.LOG || oneMinus;
    String axis = oneMinus ? "1 - " + p.name() + " (log scale)" : p.name() + (p.scale() == Scale.LOG ? " (log scale)" : "");
    XYChart c = xy(p.name() + " against the value", axis, "value");
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> px = new ArrayList<>();
    List<Double> py = new ArrayList<>();
    int finished = 0; // with a value, the parameter active or not
    for (TrialRecord t : h.trials()) {
      if (t.params() == null || Double.isNaN(t.value())) continue;
      if (t.state() != TrialState.COMPLETE && t.state() != TrialState.PRUNED) continue;
      finished++;
      if (t.params().value(i) == null) continue;
      double x;
      if (p instanceof CategoricalParameter cat) {
        // A fixed jitter from the trial number: the same report every time.
        x = cat.indexAt(t.params().unit(i)) + 0.3 * (((t.number() * 0.618034) % 1.0) - 0.5);
      } else {
        x = ((Number) t.params().value(i)).doubleValue();
        if (oneMinus) x = 1 - x;
        if (log) x = Math.log10(x);
      }
      (t.state() == TrialState.COMPLETE ? xs : px).add(x);
      (t.state() == TrialState.COMPLETE ? ys : py).add(t.value());
    }
    if (log) {
      // The logarithms on a plain axis, named by the values: XChart's log axis names only the powers
      // of ten, one (100) for units from 32 to 256, none for a range within a decade.
      c.getStyler().setxAxisTickLabelsFormattingFunction(Plots::logTick);
    }
    if (p instanceof CategoricalParameter cat) {
      c.getStyler().setXAxisMin(-0.5);
      c.getStyler().setXAxisMax(cat.size() - 0.5);
      labelIntegerTicks(c, cat.size(), cat.choices()::get);
    } else if (p instanceof FloatParameter f) {
      setRange(c, f.lo(), f.hi(), oneMinus, log);
    } else if (p instanceof IntParameter n) {
      setRange(c, n.lo(), n.hi(), false, log);
    }
    if (!px.isEmpty()) scatter(c, "pruned (last value)", px, py, PRUNED);
    if (!xs.isEmpty()) scatter(c, "complete", xs, ys, GOOD);
    if (xs.isEmpty() && px.isEmpty()) {
      // A conditional parameter that no finished trial had active: not that none finished.
      String none = finished == 0 ? "no finished trial" : "no finished trial had " + p.name() + " (" + finished + " finished)";
      c.addSeries(none, new double[] {1}, new double[] {0});
    }
    return c;
  }

  /**
   * The angle at which {@code names} fit {@code pixels} apart on an x axis, with a tenth to spare as
   * XChart asks: level if they can, else slanted, else upright (the width of a line).
   */
  static int rotation(java.awt.Font font, List<String> names, double pixels) {
    String widest = " "; // by characters, as XChart measures
    for (String n : names) if (n.length() > widest.length()) widest = n;
    java.awt.font.TextLayout layout = new java.awt.font.TextLayout(widest, font, new java.awt.font.FontRenderContext(null, true, false));
    for (int degrees : new int[] {0, 45}) {
      var turn = degrees == 0 ? null : java.awt.geom.AffineTransform.getRotateInstance(-Math.toRadians(degrees));
      if (layout.getOutline(turn).getBounds().getWidth() * 1.1 < pixels) return degrees;
    }
    return 90;
  }

  /**
   * About the pixels of a chart's x axis that XChart spreads its ticks over: 92% of the plot, which
   * is the chart less the y axis's labels and the margins (827 of 900 with labels as wide as "0.1";
   * up to 40 fewer with wider ones).
   */
  private static final double TICK_SPACE = 0.92 * (WIDTH - 90);

  /** The label of a tick at {@code v} on an axis of logarithms: 10^v to 3 significant digits, e.g. 0.000316, 31.6, 100. */
  static String logTick(double v) {
    double x = Math.pow(10, v);
    if (!Double.isFinite(x) || x == 0) return Leaderboard.format(x);
    return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /**
   * Names the ticks 0..count-1 of an x axis that stands for a list (choices, parameters); call it
   * once the axis's ends are set. XChart drops all labels unless they are unique, so a tick between
   * two names gets one of its own ("tick 0.5"), and the step must be exactly 1: XChart takes the
   * spacing hint in data units (span / tick space x hint pixels) to a step of 1, 2 or 5 times a
   * power of ten, 1 for anything above 0.75 up to 1.5. A hint of one unit's pixels lands within
   * 10% of 1 whatever the y axis's labels take; the former 0.8 x (WIDTH - 120) / (count + 0.4)
   * made 0.66 to 0.69 of a unit, a step of 0.5, and every categorical chart read "tick 0.5".
   */
  private static void labelIntegerTicks(XYChart c, int count, java.util.function.IntFunction<String> name) {
    double span = c.getStyler().getXAxisMax() - c.getStyler().getXAxisMin();
    int unit = Math.max(1, (int) Math.round(TICK_SPACE / span));
    c.getStyler().setXAxisTickMarkSpacingHint(unit);
    // XChart also doubles the step while its widest label (by characters), as drawn, is not a tenth
    // narrower than a step: level, the default space's 11 parameters lost every other name. With a
    // tenth to spare for the estimate of the axis.
    List<String> names = new ArrayList<>();
    for (int k = 0; k < count; k++) names.add(name.apply(k));
    c.getStyler().setXAxisLabelRotation(rotation(c.getStyler().getAxisTickLabelsFont(), names, 0.9 * unit));
    c.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
      long k = Math.round(v);
      return Math.abs(v - k) < 1e-9 && k >= 0 && k < count ? name.apply((int) k) : "tick " + v;
    });
  }

  private static void setRange(XYChart c, double lo, double hi, boolean oneMinus, boolean log) {
    double min = oneMinus ? 1 - hi : lo;
    double max = oneMinus ? 1 - lo : hi;
    c.getStyler().setXAxisMin(log ? Math.log10(min) : min);
    c.getStyler().setXAxisMax(log ? Math.log10(max) : max);
  }

  /**
   * One line per completed trial (the best {@code limit}) across one axis per parameter, at its
   * unit position (0 = low end of its scale, 1 = high end), and a last axis with the value scaled
   * from worst (0) to best (1). Darker lines are better trials.
   */
  public static XYChart parallelCoordinates(History h, SearchSpace space, int limit) {
    List<Parameter> axes = new ArrayList<>();
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < space.size(); i++) {
      if (space.get(i) instanceof org.caviar.search.space.FixedParameter) continue;
      axes.add(space.get(i));
      index.add(i);
    }
    int complete = h.inState(TrialState.COMPLETE).size();
    XYChart c = xy("Parallel coordinates (" + (complete <= limit ? "the " + complete : "the best " + limit + " of " + complete)
        + " completed trials)", "", "position on the scale / scaled value");
    c.getStyler().setLegendVisible(false);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(1.0);
    c.getStyler().setXAxisMin(-0.2);
    c.getStyler().setXAxisMax(axes.size() + 0.2);
    labelIntegerTicks(c, axes.size() + 1, k -> k == axes.size() ? "value" : axes.get(k).name());
    List<TrialRecord> top = Leaderboard.top(h, limit);
    if (top.isEmpty()) {
      c.addSeries("none", new double[] {0}, new double[] {0});
      return c;
    }
    Direction d = h.direction();
    double best = d.loss(top.get(0).value());
    double worst = d.loss(top.get(top.size() - 1).value());
    // Worst first, so that the best lines are drawn on top.
    for (int r = top.size() - 1; r >= 0; r--) {
      TrialRecord t = top.get(r);
      double[] x = new double[axes.size() + 1];
      double[] y = new double[axes.size() + 1];
      for (int a = 0; a < axes.size(); a++) {
        x[a] = a;
        y[a] = t.params().unit(index.get(a)); // NaN for an inactive parameter leaves a gap
      }
      x[axes.size()] = axes.size();
      double scaled = worst == best ? 1 : (worst - d.loss(t.value())) / (worst - best);
      y[axes.size()] = scaled;
      XYSeries s = c.addSeries("trial " + t.number(), x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(shade(scaled));
      s.setLineStyle(new BasicStroke(r < 5 ? 2.0f : 1.0f));
    }
    return c;
  }

  /** Light grey-blue for 0 to dark blue for 1. */
  private static Color shade(double t) {
    t = Math.max(0, Math.min(1, t));
    int r = (int) (0xdd + t * (0x08 - 0xdd));
    int g = (int) (0xe4 + t * (0x30 - 0xe4));
    int b = (int) (0xee + t * (0x6b - 0xee));
    return new Color(r, g, b);
  }

  /** The intermediate values of the best {@code top} trials, over up to 200 others in grey. */
  public static XYChart learningCurves(History h, int top) {
    XYChart c = xy("Learning curves of the best trials", "step", "intermediate value");
    List<TrialRecord> best = Leaderboard.top(h, top);
    int others = 0;
    for (TrialRecord t : h.trials()) {
      if (t.reportCount() == 0 || best.contains(t) || others >= 200) continue;
      others++;
      XYSeries s = curve(c, "trial " + t.number(), t, PRUNED);
      s.setShowInLegend(false);
    }
    int k = 0;
    for (TrialRecord t : best) {
      if (t.reportCount() == 0) continue;
      XYSeries s = curve(c, "#" + (k + 1) + " trial " + t.number(), t, TOP[k % TOP.length]);
      s.setLineStyle(new BasicStroke(2.0f));
      k++;
    }
    if (c.getSeriesMap().isEmpty()) c.addSeries("no intermediate values", new double[] {0}, new double[] {0});
    return c;
  }

  /**
   * A trial's intermediate values as a line; one value (tune --epochs 1, a trial pruned at its first
   * step) as a point, which a line without markers does not draw at all.
   */
  private static XYSeries curve(XYChart c, String name, TrialRecord t, Color color) {
    XYSeries s = c.addSeries(name, steps(t), values(t));
    s.setMarker(t.reportCount() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    s.setMarkerColor(color);
    s.setLineColor(color);
    return s;
  }

  private static double[] steps(TrialRecord t) {
    double[] s = new double[t.reportCount()];
    for (int i = 0; i < s.length; i++) s[i] = t.stepAt(i);
    return s;
  }

  private static double[] values(TrialRecord t) {
    double[] v = new double[t.reportCount()];
    for (int i = 0; i < v.length; i++) v[i] = t.intermediateAt(i);
    return v;
  }

  /** Bars of the parameters' importance. */
  public static CategoryChart importance(Map<String, Double> importance) {
    return importance(importance, null);
  }

  /**
   * Bars of {@code importance}'s shares in {@code space}, titled with how much they explain together:
   * the chart is read apart from the page, and its bars add up to 1 whatever part that is.
   */
  public static CategoryChart importance(Importance.Result importance, SearchSpace space) {
    CategoryChart c = importance(importance.shares(), space);
    if (!Double.isNaN(importance.explained()) && !importance.allZero()) {
      c.setTitle("Parameter importance: together they explain " + importance.explainedPercent() + " of the variation in score"
          + (importance.capped() ? " (capped)" : importance.explainsLittle() ? " (little)" : ""));
    }
    return c;
  }

  /** Bars of the parameters' importance in {@code space} (null: not known), which says why there are none. */
  public static CategoryChart importance(Map<String, Double> importance, SearchSpace space) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Parameter importance")
        .xAxisTitle("parameter").yAxisTitle("share of explained variance").build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLegendVisible(false);
    c.getStyler().setSeriesColors(new Color[] {GOOD});
    List<String> names = new ArrayList<>(importance.keySet());
    List<Double> values = new ArrayList<>(importance.values());
    if (names.isEmpty()) {
      // Intermediate values count too, and the chart is read apart from the page: how many it takes.
      names.add(space == null ? "(too few trials)"
          : !varies(space) ? "(every parameter fixed)" : "(too few trials: it takes " + Importance.trialsNeeded(space) + ")");
      values.add(0.0);
    }
    // Bars of 0 only: XChart's axis from 0 to 0 put them at y = NaN in the SVG (a browser's error).
    c.getStyler().setYAxisMin(0.0);
    if (values.stream().noneMatch(v -> v > 0)) {
      c.getStyler().setYAxisMax(1.0);
      if (!importance.isEmpty()) c.setTitle("Parameter importance: no parameter explains more than chance");
    }
    // One name per bar: XChart draws them all, and level they ran into each other ("weight_decayunits").
    c.getStyler().setXAxisLabelRotation(rotation(c.getStyler().getAxisTickLabelsFont(), names, 0.9 * TICK_SPACE / names.size()));
    c.addSeries("importance", names, values);
    return c;
  }

  /** Whether {@code space} has a parameter that is not fixed. */
  static boolean varies(SearchSpace space) {
    return Importance.varying(space) > 0;
  }
}
