package org.caviar.search.report;

import static org.caviar.search.report.ReportWriter.esc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.caviar.model.debug.HistogramRecorder.Snapshot;
import org.caviar.model.debug.LayerStatistics;
import org.caviar.model.io.AtomicFiles;
import org.caviar.model.train.ConfusionMatrix;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Figures;

/**
 * Writes the report folder of one training run: its learning curves, dead and saturated units,
 * parameter gradients and each activation layer's histograms (PNG and SVG), the epochs and the
 * layers' statistics as CSV, and an {@code index.html} that shows them with the test set's
 * confusion matrix.
 */
public final class TrainingReport {
  private TrainingReport() {}

  /** The charts drawn only when layers were probed, and one pair per activation layer: a run of fewer layers draws fewer. */
  private static final Pattern LAYER_CHART = Pattern.compile("units|gradient_scale|hist_.+_(outputs|gradients)");

  /**
   * What the page shows.
   *
   * @param title the page's heading
   * @param facts what was trained and how it ended, in order (label, text)
   * @param layers the network's layers, one per line ({@link org.caviar.model.Network#describe}), or null
   * @param epochs the completed epochs' metrics
   * @param snapshots the layers' statistics after each epoch (may be empty)
   * @param probe the rows the snapshots probed, e.g. "256 validation rows"
   * @param test the test set's evaluation, or null if there was none
   * @param next a last paragraph: what to look at next (may be null)
   */
  public record Run(String title, Map<String, String> facts, String layers, List<EpochMetrics> epochs, List<Snapshot> snapshots,
      String probe, Evaluation test, String next) {
    public Run {
      epochs = List.copyOf(epochs);
      snapshots = List.copyOf(snapshots);
    }
  }

  /**
   * What the page says first, after its head: a folder whose index.html has it holds a report of
   * {@code caviar train}, which a run may write again.
   */
  static final String MARKER = "<!-- a caviar training report: caviar train --report writes this folder again -->";

  /** How the page began before it had the marker: each such page's title is the CLI's "caviar train: SPEC". */
  private static final String OLDER_TITLE = "<title>caviar train: ";

  /**
   * Whether {@code folder} holds a training report (its index.html says so): one that a run may
   * write again. Any other folder's index.html, CSV files or charts would be overwritten.
   */
  public static boolean holdsReport(Path folder) {
    byte[] head;
    try (var in = Files.newInputStream(folder.resolve("index.html"))) {
      head = in.readNBytes(4096); // the marker and the title come first
    } catch (IOException e) {
      return false;
    }
    String text = new String(head, java.nio.charset.StandardCharsets.UTF_8);
    return text.startsWith("<!DOCTYPE html>") && (text.contains(MARKER) || text.contains(OLDER_TITLE));
  }

  /** Writes the report into {@code folder} (created if needed); returns the HTML page. */
  public static Path write(Path folder, Run run) {
    try {
      Files.createDirectories(folder);
      List<String> curves = new ArrayList<>();
      ReportWriter.save(folder, "loss", TrainingPlots.loss(run.epochs()), curves);
      ReportWriter.save(folder, "accuracy", TrainingPlots.accuracy(run.epochs()), curves);
      List<String> layers = new ArrayList<>();
      List<String> histograms = new ArrayList<>();
      if (!run.snapshots().isEmpty()) {
        ReportWriter.save(folder, "units", TrainingPlots.units(run.snapshots()), layers);
        ReportWriter.save(folder, "gradient_scale", TrainingPlots.gradientScale(run.snapshots()), layers);
        Snapshot first = run.snapshots().get(0);
        Snapshot last = run.snapshots().get(run.snapshots().size() - 1);
        for (int l = 0; l < last.layers().size(); l++) {
          LayerStatistics a = first.layers().get(l);
          LayerStatistics b = last.layers().get(l);
          // The activation layers: what the next layer sees, and the gradient that reaches them.
          if (!b.activation()) continue;
          ReportWriter.save(folder, "hist_" + b.layer() + "_outputs", TrainingPlots.histogram(
              b.layer() + " outputs", "output", a.activations(), first.epoch(), b.activations(), last.epoch()), histograms);
          ReportWriter.save(folder, "hist_" + b.layer() + "_gradients", TrainingPlots.histogram(
              b.layer() + " output gradients", "gradient of the loss", a.gradients(), first.epoch(), b.gradients(), last.epoch()),
              histograms);
        }
      }
      AtomicFiles.writeString(folder.resolve("epochs.csv"), epochsCsv(run.epochs()));
      AtomicFiles.writeString(folder.resolve("layers.csv"), layersCsv(run.snapshots()));
      Path page = folder.resolve("index.html");
      AtomicFiles.writeString(page, html(run, curves, layers, histograms));
      List<String> drawn = new ArrayList<>(layers);
      drawn.addAll(histograms);
      ReportWriter.removeStaleCharts(folder, LAYER_CHART, drawn);
      return page;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + folder, e);
    }
  }

  /** One row per completed epoch. */
  static String epochsCsv(List<EpochMetrics> epochs) {
    StringBuilder sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,examples,seconds\n");
    for (EpochMetrics m : epochs) {
      sb.append(m.epoch()).append(',').append(m.trainLoss()).append(',').append(m.trainAccuracy()).append(',')
          // Without validation both fields are empty; a validation loss that diverged is NaN.
          .append(m.hasValidation() ? String.valueOf(m.validationLoss()) : "").append(',')
          .append(m.hasValidation() ? String.valueOf(m.validationAccuracy()) : "").append(',').append(m.learningRate())
          .append(',').append(m.examples()).append(',').append(String.format(Locale.ROOT, "%.4f", m.seconds())).append('\n');
    }
    return sb.toString();
  }

  /** One row per recorded epoch and layer. */
  static String layersCsv(List<Snapshot> snapshots) {
    StringBuilder sb = new StringBuilder(
        "epoch,layer,mean,std,dead_fraction,saturated_fraction,output_gradient_norm,parameter_norm,parameter_gradient_norm\n");
    for (Snapshot s : snapshots) {
      for (LayerStatistics l : s.layers()) {
        sb.append(s.epoch()).append(',').append(ReportWriter.csvField(l.layer())).append(',').append(l.mean()).append(',')
            .append(l.std()).append(',').append(Double.isNaN(l.deadFraction()) ? "" : l.deadFraction()).append(',')
            .append(Double.isNaN(l.saturatedFraction()) ? "" : l.saturatedFraction()).append(',').append(l.gradientNorm())
            .append(',').append(l.parameterNorm()).append(',').append(l.parameterGradientNorm()).append('\n');
      }
    }
    return sb.toString();
  }

  private static String html(Run run, List<String> curves, List<String> layers, List<String> histograms) {
    StringBuilder sb = new StringBuilder(ReportWriter.head(run.title())).append(MARKER).append('\n');
    sb.append("<h1>").append(esc(run.title())).append("</h1>\n<table>");
    for (Map.Entry<String, String> f : run.facts().entrySet()) {
      sb.append("<tr><th>").append(esc(f.getKey())).append("</th><td>").append(esc(f.getValue())).append("</td></tr>");
    }
    sb.append("</table>\n");
    if (run.layers() != null) sb.append("<pre>").append(esc(run.layers())).append("</pre>\n");
    sb.append("<h2>Learning curves</h2>\n");
    ReportWriter.figures(sb, curves);
    if (!run.snapshots().isEmpty()) {
      Snapshot last = run.snapshots().get(run.snapshots().size() - 1);
      sb.append("<h2>Layers</h2>\n<p>Every layer probed after each epoch on the same ").append(esc(run.probe()))
          .append(", forward and backward as in training but changing nothing (no update, no dropout, "
              + "batch norm on the probe's own statistics). A ReLU unit is dead when it is zero for every probe row; a tanh or sigmoid output is saturated "
              + "within 0.01 of its bounds (it then passes less than 2% of the gradient).</p>\n");
      ReportWriter.figures(sb, layers);
      sb.append("<p>After epoch ").append(last.epoch()).append(":</p>\n<table><tr><th>layer</th><th>mean</th><th>std</th>"
          + "<th>dead / saturated</th><th>|output gradient|</th><th>|parameters|</th><th>|parameter gradient|</th></tr>\n");
      for (LayerStatistics l : last.layers()) {
        double share = Double.isNaN(l.deadFraction()) ? l.saturatedFraction() : l.deadFraction();
        sb.append("<tr><td>").append(esc(l.layer())).append("</td>").append(figure(l.mean())).append(figure(l.std()))
            .append(Double.isNaN(share) ? "<td></td>" : num("%.1f%%", 100 * share)).append(num("%.3e", l.gradientNorm()))
            .append(l.parameterNorm() == 0 ? "<td></td><td></td>" : num("%.3e", l.parameterNorm()) + num("%.3e", l.parameterGradientNorm()))
            .append("</tr>\n");
      }
      sb.append("</table>\n<h2>Histograms</h2>\n<p>Outputs of each activation layer and the gradient of the loss that reaches "
          + "them, after the first and the last epoch.</p>\n");
      ReportWriter.figures(sb, histograms);
    }
    if (run.test() != null && run.test().rows() > 0) {
      Evaluation t = run.test();
      sb.append("<h2>Test set</h2>\n<p>Accuracy <b>").append(String.format(Locale.ROOT, "%.4f", t.accuracy()))
          .append("</b>, loss ").append(Figures.loss(t.loss())).append(" on ").append(t.rows())
          .append(t.rows() == 1 ? " row" : " rows").append(". Confusion matrix (rows: true class, columns: predicted):</p>\n");
      confusion(sb, t.confusion());
    }
    sb.append("<p>Per epoch: <a href=\"epochs.csv\">epochs.csv</a>");
    if (!run.snapshots().isEmpty()) sb.append("; per epoch and layer: <a href=\"layers.csv\">layers.csv</a>");
    sb.append(".</p>\n");
    if (run.next() != null) sb.append("<p>").append(esc(run.next())).append("</p>\n");
    return sb.append("</body></html>\n").toString();
  }

  private static void confusion(StringBuilder sb, ConfusionMatrix cm) {
    sb.append("<table><tr><th></th>");
    for (String n : cm.classNames()) sb.append("<th>").append(esc(n)).append("</th>");
    sb.append("<th>recall</th></tr>\n");
    for (int i = 0; i < cm.classes(); i++) {
      sb.append("<tr><th>").append(esc(cm.classNames().get(i))).append("</th>");
      for (int j = 0; j < cm.classes(); j++) {
        int n = cm.count(i, j);
        sb.append(i == j ? "<td class=\"num\"><b>" + n + "</b></td>" : "<td class=\"num\">" + (n == 0 ? "" : n) + "</td>");
      }
      sb.append(num("%.3f", cm.recall(i))).append("</tr>\n");
    }
    sb.append("<tr><th>precision</th>");
    for (int j = 0; j < cm.classes(); j++) sb.append(num("%.3f", cm.precision(j)));
    sb.append("<td></td></tr></table>\n");
  }

  /** A mean or a std: {@code %.3f}, or scientific where that would take 20 digits or show none (Figures). */
  private static String figure(double v) {
    return "<td class=\"num\">" + (Double.isNaN(v) ? "" : Figures.fixed(v, 3)) + "</td>";
  }

  private static String num(String format, double v) {
    return "<td class=\"num\">" + (Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v)) + "</td>";
  }
}
