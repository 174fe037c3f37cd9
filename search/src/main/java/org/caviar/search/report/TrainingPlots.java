package org.caviar.search.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.caviar.model.debug.Histogram;
import org.caviar.model.debug.HistogramRecorder.Snapshot;
import org.caviar.model.debug.LayerStatistics;
import org.caviar.model.train.EpochMetrics;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of one training run ({@code caviar train --report}): its learning curves, and what
 * its layers did epoch by epoch, from a {@link org.caviar.model.debug.HistogramRecorder}'s
 * snapshots.
 */
public final class TrainingPlots {
  private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4);
  private static final Color VALIDATION = new Color(0xd6, 0x27, 0x28);
  private static final Color FIRST = new Color(0x99, 0x99, 0x99);

  private TrainingPlots() {}

  /** Training and validation loss by epoch: the gap between them is the overfitting. */
  public static XYChart loss(List<EpochMetrics> epochs) {
    return curves("Loss", "cross-entropy", epochs, EpochMetrics::trainLoss, EpochMetrics::validationLoss);
  }

  /** Training and validation accuracy by epoch. */
  public static XYChart accuracy(List<EpochMetrics> epochs) {
    return curves("Accuracy", "fraction right", epochs, EpochMetrics::trainAccuracy, EpochMetrics::validationAccuracy);
  }

  private static XYChart curves(String title, String y, List<EpochMetrics> epochs,
      ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> validation) {
    XYChart c = Plots.xy(title, "epoch", y);
    if (epochs.isEmpty()) {
      c.addSeries("no epoch completed", new double[] {0}, new double[] {0});
      return c;
    }
    double[] x = new double[epochs.size()];
    double[] t = new double[epochs.size()];
    double[] v = new double[epochs.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = epochs.get(i).epoch();
      t[i] = train.applyAsDouble(epochs.get(i));
      v[i] = validation.applyAsDouble(epochs.get(i));
    }
    line(c, "training (mean over the epoch's batches, as trained)", x, t, TRAIN);
    if (epochs.get(0).hasValidation()) line(c, "validation (after the epoch)", x, v, VALIDATION);
    return c;
  }

  /**
   * For each activation layer, the share of its units that no longer pass gradient: dead ReLUs
   * (zero for every probe example), or tanh and sigmoid outputs in their flat tails. Leaky ReLU
   * layers are left out: their units always pass slope times the gradient (no dead fraction).
   */
  public static XYChart units(List<Snapshot> snapshots) {
    XYChart c = Plots.xy("Dead ReLUs and saturated units", "epoch", "fraction of the layer");
    c.getStyler().setYAxisMin(0.0);
    int k = 0;
    double top = 0;
    if (!snapshots.isEmpty()) {
      for (int l = 0; l < snapshots.get(0).layers().size(); l++) {
        LayerStatistics first = snapshots.get(0).layers().get(l);
        boolean dead = !Double.isNaN(first.deadFraction());
        if (!dead && Double.isNaN(first.saturatedFraction())) continue;
        int layer = l;
        double[] y = series(snapshots, s -> dead ? s.layers().get(layer).deadFraction() : s.layers().get(layer).saturatedFraction());
        line(c, first.layer() + (dead ? " dead" : " saturated"), epochs(snapshots), y, Plots.TOP[k++ % Plots.TOP.length]);
        for (double v : y) if (v > top) top = v;
      }
    }
    if (k == 0) c.addSeries("no ReLU, tanh or sigmoid layer recorded", new double[] {0}, new double[] {0});
    // Room above the highest line, and an axis at all when every fraction is zero (a healthy run).
    c.getStyler().setYAxisMax(Math.min(1.0, Math.max(0.1, 1.2 * top)));
    return c;
  }

  /**
   * For each layer with parameters, the norm of their gradient over their own norm, on a log scale:
   * a layer whose ratio sits decades below the others' hardly learns, one far above it is unstable.
   */
  public static XYChart gradientScale(List<Snapshot> snapshots) {
    XYChart c = Plots.xy("Parameter gradients against the parameters", "epoch", "|gradient| / |parameters| (log scale)");
    int k = 0;
    boolean any = false;
    if (!snapshots.isEmpty()) {
      for (int l = 0; l < snapshots.get(0).layers().size(); l++) {
        LayerStatistics first = snapshots.get(0).layers().get(l);
        if (first.parameterNorm() == 0) continue;
        int layer = l;
        double[] y = series(snapshots, s -> {
          LayerStatistics st = s.layers().get(layer);
          double r = st.parameterGradientNorm() / st.parameterNorm();
          // A log scale takes no zero (no gradient at all: a diverged probe); left out as a gap.
          return r > 0 && Double.isFinite(r) ? Math.log10(r) : Double.NaN;
        });
        for (double v : y) any |= !Double.isNaN(v);
        line(c, first.layer(), epochs(snapshots), y, Plots.TOP[k++ % Plots.TOP.length]);
      }
    }
    if (k > 0 && !any) {
      // Only gaps: the log axis had nothing to scale to (it read -2E308 to 2E308).
      for (String name : List.copyOf(c.getSeriesMap().keySet())) c.removeSeries(name);
    }
    if (any) {
      // The ratios' logarithms on a plain axis, named by the ratios: XChart's log axis names only the
      // powers of ten, none at all when the ratios span less than a decade (as over a short run).
      c.getStyler().setyAxisTickLabelsFormattingFunction(Plots::logTick);
    } else {
      c.addSeries(k == 0 ? "no layer with parameters recorded" : "no layer's parameters had a gradient (zero, or not finite)",
          new double[] {0}, new double[] {0});
    }
    return c;
  }

  /**
   * A layer's histogram (of its outputs or of their gradients) after the first and after the last
   * recorded epoch, each as the fraction of the probe's values per bin.
   */
  public static XYChart histogram(String title, String axis, Histogram first, int firstEpoch, Histogram last, int lastEpoch) {
    XYChart c = Plots.xy(title, axis, "fraction of the values");
    boolean drawn = false;
    if (last != first) drawn |= bars(c, "after epoch " + firstEpoch, first, FIRST);
    drawn |= bars(c, "after epoch " + lastEpoch, last, TRAIN);
    if (!drawn) c.addSeries("no finite values", new double[] {0}, new double[] {0});
    return c;
  }

  /** A histogram as a step line over its bins' edges; false if its range is not finite. */
  private static boolean bars(XYChart c, String name, Histogram h, Color color) {
    long total = h.total();
    if (total == 0 || !Double.isFinite(h.min()) || !Double.isFinite(h.max())) return false;
    int bins = h.counts().length;
    double width = (h.max() - h.min()) / bins;
    // Each bin's edges at its height, so that a constant layer (one value) still shows a bar.
    double[] x = new double[2 * bins + 2];
    double[] y = new double[2 * bins + 2];
    x[0] = h.min();
    for (int b = 0; b < bins; b++) {
      double height = (double) h.counts()[b] / total;
      x[2 * b + 1] = h.min() + b * width;
      x[2 * b + 2] = width > 0 ? h.min() + (b + 1) * width : h.min();
      y[2 * b + 1] = height;
      y[2 * b + 2] = height;
    }
    x[2 * bins + 1] = h.max();
    line(c, name, x, y, color);
    return true;
  }

  private static double[] epochs(List<Snapshot> snapshots) {
    double[] x = new double[snapshots.size()];
    for (int i = 0; i < x.length; i++) x[i] = snapshots.get(i).epoch();
    return x;
  }

  private static double[] series(List<Snapshot> snapshots, ToDoubleFunction<Snapshot> f) {
    double[] y = new double[snapshots.size()];
    for (int i = 0; i < y.length; i++) y[i] = f.applyAsDouble(snapshots.get(i));
    return y;
  }

  private static void line(XYChart c, String name, double[] x, double[] y, Color color) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(x.length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    s.setMarkerColor(color);
    s.setLineColor(color);
    s.setLineStyle(new BasicStroke(2.0f));
  }
}
