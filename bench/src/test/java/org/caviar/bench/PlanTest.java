package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a round of run-quick runs, and in which order. */
class PlanTest {
  private static final String PEAK = PeakBench.class.getName();

  @Test
  void rowsSetAgainstThePeakHaveItMeasuredBeforeAndAfterThem() {
    Plan training = Plan.of(List.of("\\.TrainBench\\.epoch"), Map.of(), false);
    assertEquals(List.of(PEAK, TrainBench.class.getName(), PEAK), training.runOrder());
    assertEquals(training.configurations() + training.configurations(PEAK), training.runs());
    // Nothing set against the peak, or the peak alone: each class once.
    Plan softmax = Plan.of(List.of("SoftmaxBench"), Map.of(), false);
    assertEquals(List.of(SoftmaxBench.class.getName()), softmax.runOrder());
    assertEquals(softmax.configurations(), softmax.runs());
    assertEquals(List.of(PEAK), Plan.of(List.of("PeakBench"), Map.of(), false).runOrder());
  }
}
