package org.caviar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.caviar.search.cli.PathChecks;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.WarmupMode;

/**
 * Runs the benchmarks through JMH's API and writes bench/target/summary.csv
 * ({@value SummaryRow#CSV_HEADER}) and a table: what bench/run-quick calls.
 *
 * <pre>
 * QuickRun [--full [--forks N]] [--out FILE] [-p name=v1,v2]... [regex]...
 * </pre>
 *
 * <ul>
 *   <li>default, quick: 2 x {@value #QUICK_SECONDS} s warm-up, 3 x {@value #QUICK_SECONDS} s
 *       measurement, every configuration in this JVM (no fork) with all warm-ups first, for a look
 *       at everything in minutes (see {@link #quick});
 *   <li>{@code --full}: the benchmarks' own settings (1 fork, their {@code @Warmup}: mostly 3 x 1 s,
 *       10 for training, 5 for GemmShareBench; mostly 5 x 1 s measurement; StorageBench single
 *       shots, 3 warm-up and 10 measured), for the figures the README shows; when TrainBench
 *       runs {@code threads=all} on cases whose steps are sharded, also {@link TrainScaling} on
 *       those cases in this JVM afterwards ({@value #SCALING_EPOCHS} epoch pairs a round), whose
 *       ratios go into the summary as {@code train-scaling} rows, and its GEMM shares as
 *       {@code train-gemm-share} rows; and every training figure on several threads gets a
 *       {@code train-scaling} row of its ratio to JMH's one-thread figure, with the rounds'
 *       spread ({@link RoundRatios}), and PeakBench's all-thread figure over its one-thread one
 *       at each round's start and end is printed, naming any round where it fell below 0.9 of
 *       the thread count (a {@code peak-scaling} row holds the lowest);
 *   <li>regexes select benchmarks by JMH's rule (a find in {@code org.caviar.bench.Class.method});
 *       selecting a GEMM or training benchmark also selects PeakBench, which its % of peak needs;
 *   <li>{@code -p} overrides a parameter's values in every benchmark that has it, as in JMH;
 *   <li>{@code --forks N} (with {@code --full}) runs the whole plan N times over, one fork of
 *       each configuration per round, and pools each configuration's iterations from all rounds
 *       into one score, as JMH pools its forks: on a machine whose speed drifts for seconds to
 *       minutes at a time, a figure that averages several JVMs started minutes apart. Rounds,
 *       rather than JMH's N forks of one configuration in a row, make configurations that are
 *       compared with each other (one thread and two, say) take turns, so that a slow stretch
 *       falls on both instead of on whichever ran through it. (The JSON's {@code forks} field
 *       gives each round's count, 1; its {@code rawData} holds every round's iterations.)
 * </ul>
 *
 * <p>Each benchmark class runs as its own JMH run, PeakBench first, so that GemmBench's OpenBLAS
 * entries can be dropped (and the reason printed) on a machine without OpenBLAS.
 */
public final class QuickRun {
  /** Iteration time of the quick run: 227 configurations (without OpenBLAS) x 5 iterations x 0.4 s, 9 min with the JMH runs around them. */
  static final double QUICK_SECONDS = 0.4;

  /**
   * Least warm-up a benchmark class gets in the quick run, spread over its configurations: the
   * batch-norm kernels needed about 5 s of calls before C2 had compiled them, on a busy 2-core
   * machine. Classes with many configurations have more than this from 2 iterations each.
   */
  static final double QUICK_CLASS_WARMUP_SECONDS = 8;

  /** What one operation of each benchmark does, by benchmark class. */
  private static final Map<String, Function<BenchmarkParams, Work>> WORK = Map.ofEntries(
      Map.entry(PeakBench.class.getName(), PeakBench::work),
      Map.entry(GemmBench.class.getName(), GemmBench::work),
      Map.entry(GemmMlpBench.class.getName(), GemmMlpBench::work),
      Map.entry(SoftmaxBench.class.getName(), SoftmaxBench::work),
      Map.entry(BatchNormBench.class.getName(), BatchNormBench::work),
      Map.entry(ActivationBench.class.getName(), ActivationBench::work),
      Map.entry(DropoutBench.class.getName(), DropoutBench::work),
      Map.entry(ArrayOpsBench.class.getName(), ArrayOpsBench::work),
      Map.entry(OptimizerBench.class.getName(), OptimizerBench::work),
      Map.entry(TrainBench.class.getName(), TrainBench::work),
      Map.entry(GemmShareBench.class.getName(), GemmShareBench::work),
      Map.entry(CaviarTrainBench.class.getName(), CaviarTrainBench::work),
      Map.entry(InferenceBench.class.getName(), InferenceBench::work),
      Map.entry(StorageBench.class.getName(), StorageBench::work));

  private QuickRun() {}

  public static void main(String[] args) throws Exception {
    Args a;
    try {
      a = Args.parse(args);
    } catch (BadUsage e) {
      System.err.println("run-quick: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (a.help()) {
      System.err.println(USAGE);
      return;
    }
    System.exit(run(a.full(), a.forks(), a.out(), a.overrides(), a.includes()));
  }

  static final String USAGE = "usage: bench/run-quick [--no-build] [--full [--forks N]] [--out FILE] [-p name=v1,v2]... [JMH regex]...";

  /** A command line run-quick cannot run, with what is wrong in it. */
  static final class BadUsage extends IllegalArgumentException {
    BadUsage(String problem) {
      super(problem);
    }
  }

  /** QuickRun's command line. */
  record Args(boolean full, int forks, Path out, Map<String, String[]> overrides, List<String> includes, boolean help) {
    /** @throws BadUsage naming the option and the value at fault */
    static Args parse(String... args) {
      boolean full = false;
      int forks = 1;
      Path out = Path.of("target", "summary.csv");
      Map<String, String[]> overrides = new LinkedHashMap<>();
      List<String> includes = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--full" -> full = true;
          case "--out" -> {
            String v = value(args, ++i, "--out");
            // "results/" is a folder meant: Path.of drops the '/', and the summary became a file "results".
            if (PathChecks.endsWithSeparator(v)) throw outIsAFolder(v, Path.of(v));
            out = Path.of(v);
          }
          case "--forks" -> {
            String v = value(args, ++i, "--forks");
            try {
              forks = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              forks = 0;
            }
            if (forks < 1) throw new BadUsage("--forks wants a positive whole number, got " + v);
          }
          case "-p" -> {
            String spec = value(args, ++i, "-p");
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) throw new BadUsage("-p wants name=v1,v2, got " + spec);
            String[] values = spec.substring(eq + 1).split(",", -1);
            for (String v : values) {
              if (v.isEmpty()) throw new BadUsage("-p " + spec + " has an empty value");
            }
            String name = spec.substring(0, eq);
            // The last one ran, the others dropped without a word.
            String[] before = overrides.put(name, values);
            if (before != null) {
              String all = String.join(",", before) + "," + String.join(",", values);
              throw new BadUsage("-p " + name + " is given twice (" + name + "=" + String.join(",", before) + " and " + spec
                  + "): give its values in one, -p " + name + "=" + all);
            }
          }
          case "-h", "--help" -> {
            return new Args(full, forks, out, overrides, includes, true);
          }
          default -> {
            if (args[i].startsWith("-")) throw new BadUsage("unknown option " + args[i]);
            try {
              Pattern.compile(args[i]);
            } catch (PatternSyntaxException e) {
              throw new BadUsage(args[i] + " is not a JMH regex: " + e.getDescription() + " near index " + e.getIndex());
            }
            includes.add(args[i]);
          }
        }
      }
      if (forks > 1 && !full) throw new BadUsage("--forks goes with --full (the quick run measures in this JVM)");
      return new Args(full, forks, out, overrides, includes, false);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) throw new BadUsage(option + " needs a value");
      return args[i];
    }
  }

  /** Warm-up seconds of a benchmark class's own settings (its {@code @Warmup}, 1 s iterations). */
  private static int warmups(String className) throws ClassNotFoundException {
    Warmup w = Class.forName(className).getAnnotation(Warmup.class);
    return w == null ? 3 : w.iterations();
  }

  private static int run(boolean full, int forks, Path out, Map<String, String[]> overrides, List<String> includes)
      throws Exception {
    System.out.println(Machine.describe());
    OpenBlas.Probe openBlas = OpenBlas.probe();
    printPeers(openBlas);

    Plan plan;
    try {
      plan = Plan.of(includes, overrides, openBlas.openBlas() != null);
    } catch (BadUsage e) {
      System.err.println("run-quick: " + e.getMessage());
      return 2;
    }
    if (plan.isEmpty()) {
      System.err.println("run-quick: no benchmark matches " + includes);
      return 2;
    }
    for (String className : plan.classes()) {
      if (!WORK.containsKey(className)) {
        System.err.println("run-quick: " + className + " has no entry in QuickRun.WORK (what one operation does)");
        return 2;
      }
    }
    if (plan.peakAdded()) {
      System.out.println("Adding PeakBench: GEMM and training rows report % of the peak measured in the same run (before and after them).");
    }
    double seconds = 0;
    Set<Integer> warmups = new TreeSet<>();
    for (String className : plan.runOrder()) {
      int n = plan.configurations(className);
      warmups.add(warmups(className));
      seconds += full
          ? n * forks * (warmups(className) + 5 + 1.5) // + a fork's start and its first, cold calls
          : Math.max(n * 2 * QUICK_SECONDS, QUICK_CLASS_WARMUP_SECONDS) + n * 3 * QUICK_SECONDS;
    }
    // TrainScaling: a warm-up of 20-60 s and the epochs (five set-ups and the GEMM replay), about 100 s a case and round.
    if (full) seconds += 100.0 * forks * plan.scalingConfigs().size();
    System.out.printf(Locale.ROOT, "%s run: %d configurations in %s, about %.0f min%n",
        full ? "Full" : "Quick", plan.configurations(), plan.classes().stream().map(Plan::simpleName).toList(),
        Math.ceil(seconds / 60));
    System.out.println(full
        ? "Settings: the benchmarks' own: " + (forks == 1 ? "1 fork each, " : forks + " rounds of 1 fork each, pooled, ")
            + warmups.stream().map(String::valueOf).collect(Collectors.joining(" or ")) + " x 1 s warm-up, 5 x 1 s measurement."
        : "Settings: quick: no fork, all warm-ups of a class first (2 x " + QUICK_SECONDS + " s each, "
            + QUICK_CLASS_WARMUP_SECONDS + " s per class at least), 3 x " + QUICK_SECONDS
            + " s measurement; --full for the README's figures.");

    try {
      prepareOut(out);
    } catch (BadUsage e) {
      System.err.println("run-quick: " + e.getMessage());
      return 2;
    }
    deleteOldJson(out, plan.runOrder());
    Function<BenchmarkParams, Work> describe = params -> WORK.get(className(params.getBenchmark())).apply(params);
    Summary summary = new Summary(describe);
    int rounds = full ? forks : 1;
    ProgressFormat progress = new ProgressFormat(System.out, describe, plan.runs(), rounds);
    RoundPool pooled = new RoundPool();
    for (int round = 1; round <= rounds; round++) {
      progress.startRound(round);
      Map<String, Integer> runsThisRound = new HashMap<>(); // PeakBench runs at the round's start and end
      for (String className : plan.runOrder()) {
        int run = runsThisRound.merge(className, 1, Integer::sum) - 1;
        ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(false);
        for (BenchmarkListEntry entry : plan.methods(className)) {
          options.include("^" + Pattern.quote(entry.getUsername()) + "$");
        }
        plan.params(className).forEach(options::param);
        if (!full) quick(options, plan.configurations(className));
        else options.forks(1);
        try {
          for (RunResult r : new Runner(options.build(), progress).run()) pooled.add(className, round, run, r);
        } catch (RunnerException ex) {
          System.out.println("JMH run of " + Plan.simpleName(className) + (rounds > 1 ? " in round " + round : "")
              + " failed: " + ex);
        }
      }
    }
    for (List<RunResult> results : pooled.byClass().values()) results.forEach(summary::add);
    if (full) {
      // The quick run measures in one JVM, one round: no rounds to set side by side.
      summary.addRows(RoundRatios.rows(pooled.byRound(), describe, System.out));
      summary.addRows(RoundRatios.peakRows(pooled.byRun(), describe, System.out));
      scaling(plan.scalingConfigs(), rounds, summary);
    }

    System.out.println();
    summary.printTable(System.out);
    writeFiles(pooled.byClass(), summary, out);
    System.out.println();
    System.out.println("Wrote " + out + " (" + summary.rows().size() + " rows) and JMH's JSON beside it.");
    if (openBlas.openBlas() == null) System.out.println("OpenBLAS: absent, not measured (" + openBlas.absence() + ").");
    int failed = plan.runs() * rounds - progress.finished();
    if (failed > 0) {
      System.out.println(failed + " of " + plan.runs() * rounds + " configuration runs failed: see the messages above.");
      return 1;
    }
    return 0;
  }

  /**
   * Makes {@code out}'s folder, before the run rather than after it, and refuses an {@code out} the
   * summary cannot be written to: the run's results would be lost after all its minutes.
   *
   * @throws BadUsage naming {@code out} and what is wrong with it
   */
  static void prepareOut(Path out) {
    // A folder: the summary's write failed after the run ("Is a directory"), its JSON beside it.
    if (Files.isDirectory(out)) throw outIsAFolder(out.toString(), out);
    Path folder = out.toAbsolutePath().getParent();
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new BadUsage("--out " + out + ": cannot create its folder (" + e + ")");
    }
    if (Files.exists(out) ? !Files.isWritable(out) : !Files.isWritable(folder)) {
      throw new BadUsage("--out " + out + ": cannot write " + (Files.exists(out) ? "it" : "into " + folder));
    }
  }

  private static BadUsage outIsAFolder(String given, Path folder) {
    return new BadUsage("--out " + given + " is a folder: give the summary's file, e.g. " + folder.resolve("summary.csv"));
  }

  /** Epoch pairs of {@link TrainScaling} per round of a full run. */
  static final int SCALING_EPOCHS = 40;

  /**
   * One model on all threads against one thread, alternating epoch by epoch in this JVM
   * ({@link TrainScaling}), for each case in {@code configs}: JMH's forks of the two run a minute
   * or more apart, and on these VMs the host's state moved a fork pair's ratio from 1.42 to 2.0
   * within one run, so the run also reports the ratio taken in the same moments.
   */
  private static void scaling(List<String> configs, int rounds, Summary summary) {
    // The thread count of TrainBench's threads=all, whose ratio this measures again.
    int threads = TrainBench.threadCount(TrainBench.ALL);
    if (configs.isEmpty() || threads < 2) return;
    for (String config : configs) {
      System.out.println();
      System.out.printf(Locale.ROOT, "TrainScaling %s: one thread and %d alternating, %d epochs of each after the warm-up%n",
          config, threads, SCALING_EPOCHS * rounds);
      TrainCase c = TrainCase.of(config);
      try {
        summary.addRows(TrainScaling.measure(c, threads, SCALING_EPOCHS * rounds, System.out).rows(c.shape()));
      } catch (RuntimeException e) {
        // After half an hour of JMH the table and summary.csv still get written, without these rows.
        System.out.println("TrainScaling " + config + " failed, its rows left out: " + e);
      }
    }
  }

  /**
   * The quick settings. A fresh JVM runs Vector API code interpreted, hundreds of times slower,
   * until C2 compiles it, which takes seconds (a first 1024^3 GEMM call alone takes seconds): one
   * fork per configuration would pay that ~180 times or measure cold code. So the quick run keeps
   * every configuration in this JVM, and warms all of them up (JMH's bulk mode) before it measures
   * any. Figures are for a look; the full run forks each configuration.
   */
  private static void quick(ChainedOptionsBuilder options, int configurations) {
    TimeValue time = TimeValue.milliseconds(Math.round(QUICK_SECONDS * 1000));
    int warmups = Math.max(2, (int) Math.ceil(QUICK_CLASS_WARMUP_SECONDS / (configurations * QUICK_SECONDS)));
    options.forks(0).warmupMode(WarmupMode.BULK)
        .warmupIterations(warmups).warmupTime(time)
        .measurementIterations(3).measurementTime(time);
  }

  private static void printPeers(OpenBlas.Probe openBlas) {
    Properties v = Machine.versions();
    System.out.println("Peers: EJML " + v.getProperty("ejml") + " (CommonOps_FDRM), dev.ludovic.netlib blas "
        + v.getProperty("netlib") + " (JavaBLAS.getInstance() = " + GemmPeers.netlibJava().getClass().getName()
        + "), JMH " + v.getProperty("jmh"));
    if (openBlas.openBlas() != null) {
      System.out.println("OpenBLAS via JNIBLAS: " + openBlas.openBlas().config());
      int all = openBlas.openBlas().threadsOnAllCores();
      if (all < Machine.cores()) {
        System.out.println("OpenBLAS runs " + all + " thread(s) when asked for " + Machine.cores()
            + " (a serial build, or MAX_THREADS): its openblas-all rows say " + all + ".");
      }
    } else {
      System.out.println("OpenBLAS via JNIBLAS: absent, not measured: " + openBlas.absence());
    }
    String coreType = System.getenv("OPENBLAS_CORETYPE");
    if (coreType != null && openBlas.openBlas() != null) {
      System.out.println("OPENBLAS_CORETYPE=" + coreType + " is set: OpenBLAS runs that core's kernels.");
    }
  }

  /** Writes the summary CSV to {@code out} and each class's JMH JSON beside it. */
  static void writeFiles(Map<String, List<RunResult>> byClass, Summary summary, Path out) throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    for (Map.Entry<String, List<RunResult>> e : byClass.entrySet()) {
      ResultFormatFactory.getInstance(ResultFormatType.JSON, json(out, e.getKey()).toString()).writeOut(e.getValue());
    }
    summary.writeCsv(out);
  }

  /**
   * Deletes the JSON that this run writes beside {@code summary} for each of {@code classNames}
   * (see {@link #writeFiles}), from an earlier run: it would sit beside this run's summary as if it
   * belonged to it, also when this run's JMH run of the class fails and writes none. Only those:
   * every jmh-*.json was, so a run of one class lost the others' JSON of an earlier run, and any
   * such file a user kept in the --out folder.
   */
  static void deleteOldJson(Path summary, Collection<String> classNames) throws IOException {
    for (String className : new LinkedHashSet<>(classNames)) { // PeakBench runs twice a round
      Files.deleteIfExists(json(summary, className));
    }
  }

  /** The JMH JSON of a benchmark class beside the summary {@code out}. */
  private static Path json(Path out, String className) {
    return out.resolveSibling("jmh-" + Plan.simpleName(className) + ".json");
  }

  private static String className(String benchmark) {
    return benchmark.substring(0, benchmark.lastIndexOf('.'));
  }
}
