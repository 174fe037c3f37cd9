package org.caviar.search.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.caviar.model.io.AtomicFiles;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes a study's report folder: every chart of {@link Plots} as PNG and SVG, the trials as CSV,
 * and one {@code index.html} that shows the leaderboard, the best parameters, the importance and
 * the charts.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** The charts of one parameter each: a study of other parameters writing into the folder draws others. */
  private static final Pattern PARAMETER_CHART = Pattern.compile("param_.+");

  /** What the page says about how the study was run. */
  public record Meta(String studyName, String sampler, String pruner, String notes, int top) {
    public Meta {
      if (top < 1) throw new IllegalArgumentException("top must be >= 1, got " + top);
    }

    /** With the leaderboard's 10 rows. */
    public Meta(String studyName, String sampler, String pruner, String notes) {
      this(studyName, sampler, pruner, notes, 10);
    }
  }

  /** Writes the report into {@code folder} (created if needed); returns the HTML page. */
  public static Path write(Path folder, History h, SearchSpace space, Meta meta) {
    return write(folder, h, space, meta, Importance.compute(h, space));
  }

  /** The same with the parameters' importance already computed from {@code h} and {@code space}. */
  public static Path write(Path folder, History h, SearchSpace space, Meta meta, Importance.Result importance) {
    try {
      Files.createDirectories(folder);
      List<String> figures = new ArrayList<>();
      save(folder, "history", Plots.history(h), figures);
      save(folder, "learning_curves", Plots.learningCurves(h, 5), figures);
      save(folder, "parallel_coordinates", Plots.parallelCoordinates(h, space, 50), figures);
      save(folder, "importance", Plots.importance(importance, space), figures);
      for (int i = 0; i < space.size(); i++) {
        if (space.get(i) instanceof FixedParameter) continue;
        save(folder, "param_" + space.get(i).name(), Plots.parameter(h, space, i), figures);
      }
      AtomicFiles.writeString(folder.resolve("trials.csv"), csv(h, space));
      Path page = folder.resolve("index.html");
      AtomicFiles.writeString(page, html(h, space, meta, importance, figures));
      removeStaleCharts(folder, PARAMETER_CHART, figures);
      return page;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + folder, e);
    }
  }

  /**
   * Deletes the charts (PNG and SVG) in {@code folder} that a report of this kind may draw, named as
   * {@code owned} matches, but that this one did not draw ({@code drawn}): a folder written again
   * for a smaller network or another space would keep the earlier charts beside the new page. Called
   * once the new page is in place, so that a kill before leaves charts it does not show, not a page
   * without its charts. Only files: a folder, or any other name, is the user's.
   */
  static void removeStaleCharts(Path folder, Pattern owned, Collection<String> drawn) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.{png,svg}")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String chart = name.substring(0, name.lastIndexOf('.'));
        if (owned.matcher(chart).matches() && !drawn.contains(chart) && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  static void save(Path folder, String name, Chart<?, ?> chart, List<String> figures) throws IOException {
    // To a file, not a stream: ImageIO writing to a stream (BitmapEncoder.saveBitmap) caches on disk and
    // adds a shutdown hook on first use, which fails once the JVM is shutting down, as when an
    // interrupted `caviar train` writes its report ("Shutdown in progress").
    AtomicFiles.write(folder.resolve(name + ".png"), temp -> {
      if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", temp.toFile())) throw new IOException("no PNG writer for " + name);
    });
    AtomicFiles.write(folder.resolve(name + ".svg"), temp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    });
    figures.add(name);
  }

  /**
   * A trial's seconds for the CSV; none for an interrupted one. A journal records a trial the
   * process stopped in (Ctrl-C, kill -9) as interrupted when the study is resumed, at that time: its
   * start to then is how long the study waited, not how long the trial ran (a study resumed the next
   * morning showed a trial of 50000 seconds). None either for a trial still running (in another
   * run of the study): it has no end yet.
   */
  static String seconds(TrialRecord t) {
    return t.isInterrupted() || t.endMillis() < 0 ? "" : String.format(Locale.ROOT, "%.3f", Leaderboard.seconds(t));
  }

  /** One row per trial: number, state, value, steps, seconds, reason, then each parameter. */
  static String csv(History h, SearchSpace space) {
    StringBuilder sb = new StringBuilder("trial,state,value,steps,seconds,reason");
    for (int i = 0; i < space.size(); i++) sb.append(',').append(space.get(i).name());
    sb.append('\n');
    for (TrialRecord t : h.trials()) {
      sb.append(t.number()).append(',').append(t.state()).append(',').append(Double.isNaN(t.value()) ? "" : t.value())
          .append(',').append(t.reportCount()).append(',').append(seconds(t))
          .append(',').append(csvField(t.reason()));
      for (int i = 0; i < space.size(); i++) {
        Object v = t.params() == null ? null : t.params().value(i);
        // A word may hold a double quote, which a CSV field may not hold unquoted (no comma: words have none).
        sb.append(',').append(v == null ? "" : v instanceof String w && w.indexOf('"') >= 0 ? csvField(w) : v);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static String csvField(String s) {
    if (s == null) return "";
    return '"' + s.replace("\"", "\"\"").replace('\n', ' ') + '"';
  }

  static String esc(Object o) {
    return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** The start of a report page, up to and including {@code <body>}: the title and the style every report shares. */
  static String head(String title) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n<style>"
        + "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:960px;color:#222}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}"
        + "td.num{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%;border:1px solid #eee;margin:.5em 0}"
        + "code,pre{background:#f6f6f6;padding:.1em .3em}</style></head><body>\n";
  }

  /** Each chart saved by {@link #save} as its PNG, with a link to its SVG. */
  static void figures(StringBuilder sb, List<String> figures) {
    for (String f : figures) {
      sb.append("<figure><img src=\"").append(esc(f)).append(".png\" alt=\"").append(esc(f))
          .append("\"><figcaption><a href=\"").append(esc(f)).append(".svg\">").append(esc(f)).append(".svg</a></figcaption></figure>\n");
    }
  }

  private static String html(History h, SearchSpace space, Meta meta, Importance.Result importance, List<String> figures) {
    StringBuilder sb = new StringBuilder();
    sb.append(head("Caviar study " + meta.studyName()));
    sb.append("<h1>Study ").append(esc(meta.studyName())).append("</h1>\n<p>")
        .append(esc(Leaderboard.summary(h))).append(". Direction: ").append(esc(h.direction().name().toLowerCase(Locale.ROOT)))
        .append(". Sampler: ").append(esc(meta.sampler())).append(". Pruner: ").append(esc(meta.pruner())).append(".</p>\n");
    if (meta.notes() != null && !meta.notes().isBlank()) sb.append("<p>").append(esc(meta.notes())).append("</p>\n");
    TrialRecord best = h.best();
    if (best != null) {
      sb.append("<h2>Best trial</h2>\n<p>Trial ").append(best.number()).append(": value <b>")
          .append(esc(Leaderboard.format(best.value()))).append("</b></p>\n<table>");
      for (Map.Entry<String, Object> e : best.params().asMap().entrySet()) {
        sb.append("<tr><th>").append(esc(e.getKey())).append("</th><td class=\"num\">")
            .append(esc(Leaderboard.format(e.getValue()))).append("</td></tr>");
      }
      sb.append("</table>\n");
    }
    sb.append("<h2>Leaderboard</h2>\n<table><tr><th>rank</th><th>trial</th><th>value</th><th>steps</th><th>seconds</th><th>parameters</th></tr>\n");
    int rank = 1;
    if (best == null) sb.append("<tr><td colspan=\"6\">No trial completed.</td></tr>\n");
    for (TrialRecord t : Leaderboard.top(h, meta.top())) {
      sb.append("<tr><td class=\"num\">").append(rank++).append("</td><td class=\"num\">").append(t.number())
          .append("</td><td class=\"num\">").append(esc(Leaderboard.format(t.value()))).append("</td><td class=\"num\">")
          .append(t.reportCount() == 0 ? "-" : t.lastStep()).append("</td><td class=\"num\">")
          .append(String.format(Locale.ROOT, "%.2f", Leaderboard.seconds(t))).append("</td><td>")
          .append(esc(Leaderboard.rerunMark(t) + Leaderboard.params(t))).append("</td></tr>\n");
    }
    sb.append("</table>\n<h2>Parameter importance</h2>\n");
    if (importance.isEmpty() && !Plots.varies(space)) {
      sb.append("<p>Every parameter of the space is fixed: there is no variation to attribute.</p>\n");
    } else if (importance.isEmpty()) {
      String reason = importance.tooFew() ? importance.tooFewReason() : "too few trials to estimate it";
      sb.append("<p>").append(esc(Character.toUpperCase(reason.charAt(0)) + reason.substring(1))).append("; here the ")
          .append(esc(importance.basis())).append(".</p>\n");
    } else {
      sb.append("<p>Each parameter's share of the variation in the ranks of the scores that the parameters "
          + "explain on their own (binned main effects, corrected for chance; interactions are not "
          + "attributed), from the ").append(esc(importance.basis()))
          .append(importance.rough() ? " (" + esc(importance.roughNote()) + ")" : "").append(".</p>\n<table>");
      for (Map.Entry<String, String> e : importance.percents(1).entrySet()) {
        sb.append("<tr><th>").append(esc(e.getKey())).append("</th><td class=\"num\">").append(e.getValue()).append("</td></tr>");
      }
      sb.append("</table>\n");
      if (importance.allZero()) {
        sb.append("<p>No parameter explains more of the ranks than chance would: every share is 0.</p>\n");
      } else if (!Double.isNaN(importance.explained())) {
        // The shares add up to 100% whatever part of the variation that is.
        sb.append("<p>Together they explain ").append(importance.explainedAmount())
            .append(" of the variation in the ranks of the scores").append(importance.explainedQualifier().isEmpty()
                ? "; the rest is noise (seeds) or interactions." : esc(importance.explainedQualifier()) + ".")
            .append("</p>\n");
      }
    }
    sb.append("<h2>Charts</h2>\n");
    figures(sb, figures);
    sb.append("<h2>Search space</h2>\n<pre>").append(esc(space.spec())).append("</pre>\n")
        .append("<p>All trials: <a href=\"trials.csv\">trials.csv</a>.</p>\n</body></html>\n");
    return sb.toString();
  }
}
