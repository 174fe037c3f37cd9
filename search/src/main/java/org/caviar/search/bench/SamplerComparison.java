package org.caviar.search.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.caviar.search.sampler.CoarseToFineSampler;
import org.caviar.search.sampler.GpSampler;
import org.caviar.search.sampler.GridSampler;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.sampler.Sampler;
import org.caviar.search.sampler.TpeSampler;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.TrialRecord;

/**
 * The sampler benchmark of the issue: grid, random, coarse-to-fine, TPE (univariate and
 * multivariate) and the Gaussian process on Branin, Hartmann-6 and the one-parameter function, {@code trials} trials each
 * over {@code seeds} seeds, one worker.
 *
 * <p>Prints, per function, the median over seeds of the best value after 10, 25, 50 and all trials,
 * and the issue's headline figure: the median number of trials until the best value reaches random
 * search's median best after all trials ("&gt; N" when the median run never gets there).
 *
 * <pre>java -cp ... org.caviar.search.bench.SamplerComparison [seeds=20] [trials=100] [csv-file]</pre>
 */
public final class SamplerComparison {
  private SamplerComparison() {}

  /** The best value so far after each trial, for one sampler, function and seed. */
  public static double[] bestSoFar(Sampler sampler, TestFunction f, long seed, int trials) {
    Study study = Study.builder(f.space()).sampler(sampler).seed(seed).workers(1).build();
    List<TrialRecord> all = study.optimize(t -> f.evaluate(t.params()), Budget.trials(trials)).trials();
    double[] best = new double[trials];
    double b = Double.POSITIVE_INFINITY;
    for (int i = 0; i < trials; i++) {
      if (i < all.size()) b = Math.min(b, all.get(i).value()); // a finished grid keeps its best
      best[i] = b;
    }
    return best;
  }

  /** The samplers compared, fresh for each run; the grid has about {@code trials} points. */
  public static Map<String, Supplier<Sampler>> samplers(TestFunction f, int trials) {
    int dims = f.space().size();
    int resolution = Math.max(2, (int) Math.ceil(Math.pow(trials, 1.0 / dims) - 1e-9));
    Map<String, Supplier<Sampler>> m = new LinkedHashMap<>();
    m.put("grid " + resolution + "^" + dims, () -> new GridSampler(resolution));
    m.put("random", RandomSampler::new);
    m.put("coarse-to-fine", () -> new CoarseToFineSampler(Math.max(2, trials / 5), 0.2));
    m.put("tpe (optuna)", TpeSampler::optunaDefaults);
    m.put("tpe (caviar)", TpeSampler::new);
    m.put("gp", GpSampler::new);
    return m;
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  static final String USAGE = "usage: SamplerComparison [SEEDS [TRIALS [CSV]]]  (defaults 20, 100, no CSV)";

  public static void main(String[] args) throws Exception {
    ToolArgs.run(args, SamplerComparison::compare);
  }

  private static void compare(String[] args) throws IOException {
    ToolArgs.atMost(args, 3, USAGE);
    int seeds = ToolArgs.positiveInt(args, 0, "SEEDS", 20, USAGE);
    int trials = ToolArgs.positiveInt(args, 1, "TRIALS", 100, USAGE);
    Path csv = args.length > 2 ? Path.of(args[2]) : null;
    List<String> csvLines = new ArrayList<>();
    csvLines.add("function,sampler,seed,trial,best");
    long start = System.nanoTime();
    for (TestFunction f : TestFunction.values()) {
      Map<String, double[][]> curves = new LinkedHashMap<>();
      for (Map.Entry<String, Supplier<Sampler>> e : samplers(f, trials).entrySet()) {
        double[][] c = new double[seeds][];
        for (int s = 0; s < seeds; s++) {
          c[s] = bestSoFar(e.getValue().get(), f, s, trials);
          for (int t = 0; t < trials; t++) csvLines.add(f + "," + e.getKey() + "," + s + "," + (t + 1) + "," + c[s][t]);
        }
        curves.put(e.getKey(), c);
      }
      double[] randomFinal = new double[seeds];
      for (int s = 0; s < seeds; s++) randomFinal[s] = curves.get("random")[s][trials - 1];
      double target = median(randomFinal);
      System.out.printf(Locale.ROOT, "%n%s (minimum %.6g), %d seeds x %d trials; target = random's median best after %d = %.6g%n",
          f, f.minimum(), seeds, trials, trials, target);
      System.out.printf(Locale.ROOT, "| %-18s | %10s | %10s | %10s | %10s | %22s |%n", "sampler", "best@10", "best@25", "best@50",
          "best@" + trials, "median trials to target");
      System.out.println("|--------------------|------------|------------|------------|------------|------------------------|");
      for (Map.Entry<String, double[][]> e : curves.entrySet()) {
        double[][] c = e.getValue();
        double[] reach = new double[seeds];
        for (int s = 0; s < seeds; s++) {
          reach[s] = Double.POSITIVE_INFINITY;
          for (int t = 0; t < trials; t++) {
            if (c[s][t] <= target) {
              reach[s] = t + 1;
              break;
            }
          }
        }
        double m = median(reach);
        System.out.printf(Locale.ROOT, "| %-18s | %10.4f | %10.4f | %10.4f | %10.4f | %22s |%n", e.getKey(), medianAt(c, 10),
            medianAt(c, 25), medianAt(c, 50), medianAt(c, trials), Double.isInfinite(m) ? "> " + trials : String.format(Locale.ROOT, "%.1f", m));
      }
    }
    System.out.printf(Locale.ROOT, "%ntotal %.1f s%n", (System.nanoTime() - start) / 1e9);
    if (csv != null) Files.write(csv, csvLines);
  }

  private static double medianAt(double[][] curves, int trial) {
    double[] v = new double[curves.length];
    for (int s = 0; s < curves.length; s++) v[s] = curves[s][Math.min(trial, curves[s].length) - 1];
    return median(v);
  }
}
