package org.caviar.search.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.caviar.model.data.Dataset;
import org.caviar.search.pruner.Pruner;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class MlpObjectiveTest {
  /** Two separable classes of 2 features, {@code rows} rows. */
  private static Dataset data(int rows) {
    float[] x = new float[2 * rows];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = i % 2;
      x[2 * i] = y[i] == 0 ? -1 - 0.01f * i : 1 + 0.01f * i;
      x[2 * i + 1] = 0.5f * (i % 3);
    }
    return Dataset.of(x, y, 2, 2);
  }

  /** A pruner that stops every trial at every report. */
  private static final Pruner ALWAYS = new Pruner() {
    @Override
    public boolean shouldPrune(History history, TrialRecord trial) {
      return true;
    }

    @Override
    public String name() {
      return "always";
    }
  };

  private static TrialRecord onlyTrial(int epochs) {
    SearchSpace space = SearchSpace.parse("units = int(2, 4)\nlayers = fixed(1)");
    History h = Study.builder(space).direction(Direction.MAXIMIZE).pruner(ALWAYS).seed(1).workers(1).build()
        .optimize(new MlpObjective(data(24), data(8), epochs), Budget.trials(1));
    return h.trials().get(0);
  }

  /**
   * After its last epoch a trial has done all its work: the pruner is not asked then, and the trial
   * is complete with its best validation accuracy. It was asked, and a trial it stopped there was
   * recorded PRUNED at its last value, as if it had been stopped early (the median pruner has no
   * maximum step; neither does a user's).
   */
  @Test
  void theLastEpochIsNotAPruningPoint() {
    TrialRecord one = onlyTrial(1);
    assertEquals(TrialState.COMPLETE, one.state(), one.toString());
    assertEquals(1, one.reportCount());
    // Before the last epoch the pruner's word still stops the trial.
    TrialRecord three = onlyTrial(3);
    assertEquals(TrialState.PRUNED, three.state(), three.toString());
    assertEquals(1, three.lastStep());
  }

  /**
   * A trial whose network cannot fit the heap fails at once with the estimate and the remedy, and
   * the study goes on: such a trial allocated for half a minute before an OutOfMemoryError failed
   * it. The heap is given (1 MB), so nothing large is allocated to find it.
   */
  @Test
  void aTrialLargerThanTheHeapFailsAtOnceWithTheEstimate() {
    SearchSpace space = SearchSpace.parse("units = categorical(2, 1000)\nlayers = fixed(2)");
    History h = Study.builder(space).direction(Direction.MAXIMIZE).seed(1).workers(1).build()
        .optimize(new MlpObjective(data(24), data(8), 1, () -> 1 << 20), Budget.trials(8));
    int failed = 0;
    for (TrialRecord t : h.trials()) {
      boolean wide = Double.parseDouble(String.valueOf(t.params().asMap().get("units"))) == 1000;
      assertEquals(wide ? TrialState.FAILED : TrialState.COMPLETE, t.state(), t.toString());
      if (!wide) continue;
      failed++;
      assertTrue(t.reason().contains("training 2-1000-1000-2 relu needs about ") && t.reason().contains(" of memory, and the Java "
          + "heap holds at most 1 MB") && t.reason().contains("The network's size comes from units=1000, layers=2;")
          && t.reason().endsWith("give the JVM a larger heap: JDK_JAVA_OPTIONS=-Xmx1g ./caviar tune ... (the JVM's option -Xmx1g)"),
          t.reason());
    }
    assertTrue(failed > 0 && failed < h.trials().size(), "both widths drawn: " + h.trials());
  }
}
