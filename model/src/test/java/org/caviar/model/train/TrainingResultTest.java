package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A result built by hand (a listener's test, a report's) with a null history or status was a bare
 * NullPointerException from List.copyOf, or later from whoever read its status; each is refused
 * by name, as the rest of the module's public API does.
 */
class TrainingResultTest {
  private static final EpochMetrics EPOCH = new EpochMetrics(0, 1, 0.5, Double.NaN, Double.NaN, 1e-3f, 10, 1);

  private static void refused(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  @Test
  void nullPartsAreRefusedByName() {
    refused("history must not be null", () -> new TrainingResult(TrainingStatus.COMPLETED, "done", null, -1, Double.NaN, -1, 0));
    refused("history[1] must not be null",
        () -> new TrainingResult(TrainingStatus.COMPLETED, "done", Arrays.asList(EPOCH, null), -1, Double.NaN, -1, 0));
    refused("status must not be null", () -> new TrainingResult(null, "done", List.of(EPOCH), -1, Double.NaN, -1, 0));
    refused("message must not be null", () -> new TrainingResult(TrainingStatus.COMPLETED, null, List.of(EPOCH), -1, Double.NaN, -1, 0));
  }

  @Test
  void historyIsCopied() {
    List<EpochMetrics> history = new ArrayList<>(List.of(EPOCH));
    TrainingResult result = new TrainingResult(TrainingStatus.COMPLETED, "done", history, -1, Double.NaN, -1, 0);
    history.clear();
    assertEquals(1, result.epochsRun());
    assertEquals(EPOCH, result.last());
    assertNull(new TrainingResult(TrainingStatus.COMPLETED, "done", List.of(), -1, Double.NaN, -1, 0).last());
  }
}
