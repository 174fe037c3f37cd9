package org.caviar.search.bench;

import java.util.Locale;
import org.caviar.model.data.Datasets;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.search.cli.TuneCommand;
import org.caviar.search.objective.MlpObjective;
import org.caviar.search.pruner.AshaPruner;
import org.caviar.search.pruner.Pruner;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/**
 * ASHA against no pruning on the built-in MLP objective: the tune command's default search (TPE,
 * the default space, digits split 60/20/20 with seed 42) with and without ASHA, for a few study
 * seeds, one study after the other on all cores. Prints epochs trained, best validation accuracy
 * and search time per run, and the medians. The target: ASHA spends at most a third of the
 * epochs for a best validation accuracy within 0.5 points of no pruning.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... org.caviar.search.bench.PruningComparison [seeds=3] [trials=60] [epochs=30]</pre>
 */
public final class PruningComparison {
  private PruningComparison() {}

  record Outcome(long epochs, double best, double seconds) {}

  static Outcome run(MlpObjective objective, SearchSpace space, Pruner pruner, long seed, int trials) {
    Study study = Study.builder(space).direction(Direction.MAXIMIZE).pruner(pruner).seed(seed).build();
    long t0 = System.nanoTime();
    History h = study.optimize(objective, Budget.trials(trials));
    double seconds = (System.nanoTime() - t0) / 1e9;
    long epochs = 0;
    for (TrialRecord t : h.trials()) epochs += t.reportCount();
    return new Outcome(epochs, h.best() == null ? Double.NaN : h.best().value(), seconds);
  }

  static final String USAGE = "usage: PruningComparison [SEEDS [TRIALS [EPOCHS]]]  (defaults 3, 60, 30)";

  public static void main(String[] args) throws Exception {
    ToolArgs.run(args, PruningComparison::compare);
  }

  private static void compare(String[] args) {
    ToolArgs.atMost(args, 3, USAGE);
    int seeds = ToolArgs.positiveInt(args, 0, "SEEDS", 3, USAGE);
    int trials = ToolArgs.positiveInt(args, 1, "TRIALS", 60, USAGE);
    int epochs = ToolArgs.positiveInt(args, 2, "EPOCHS", 30, USAGE);
    Split split = Split.stratified(Datasets.digits(), 0.6, 0.2, 42);
    Standardizer st = Standardizer.fit(split.train());
    MlpObjective objective = new MlpObjective(st.apply(split.train()), st.apply(split.validation()), epochs);
    SearchSpace space = SearchSpace.parse(TuneCommand.DEFAULT_SPACE);
    run(objective, space, Pruner.none(), 999, 8); // warm-up: the JIT compiles the kernels
    System.out.printf(Locale.ROOT, "| seed | pruner | epochs trained | of | best val acc | seconds |%n|---|---|---|---|---|---|%n");
    for (int s = 0; s < seeds; s++) {
      Outcome none = run(objective, space, Pruner.none(), s, trials);
      Outcome asha = run(objective, space, new AshaPruner(Math.max(1, epochs / 15), 3, epochs), s, trials);
      System.out.printf(Locale.ROOT, "| %d | none | %d | %d | %.4f | %.1f |%n", s, none.epochs(), trials * epochs, none.best(), none.seconds());
      System.out.printf(Locale.ROOT, "| %d | asha | %d (%.0f%%) | %d | %.4f (%+.2f points) | %.1f |%n", s, asha.epochs(),
          100.0 * asha.epochs() / (trials * epochs), trials * epochs, asha.best(), 100 * (asha.best() - none.best()), asha.seconds());
    }
  }
}
