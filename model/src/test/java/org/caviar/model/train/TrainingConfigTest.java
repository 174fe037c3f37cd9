package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.UnaryOperator;
import org.caviar.model.optim.LearningRateSchedule;
import org.caviar.model.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
  @Test
  void theBuildersDefaultsAreTheDocumentedOnes() {
    // 30 epochs, batch 64, Adam at 1e-3, no weight decay, no early stopping, restore best, seed 0.
    assertEquals(new TrainingConfig(30, 64, new OptimizerSpec.Adam(), new LearningRateSchedule.Constant(1e-3f), 0f, 0, 0f, true, 0),
        TrainingConfig.builder().build());
  }

  @Test
  void toBuilderKeepsEveryField() {
    TrainingConfig c = TrainingConfig.builder().epochs(7).batchSize(13).optimizer(new OptimizerSpec.Momentum(0.8f))
        .schedule(new LearningRateSchedule.Exponential(0.05f, 0.9f)).weightDecay(1e-4f).patience(3).minDelta(1e-3f)
        .restoreBest(false).seed(99).build();
    assertEquals(c, c.toBuilder().build());
    assertEquals(new TrainingConfig(8, 13, c.optimizer(), c.schedule(), 1e-4f, 3, 1e-3f, false, 99), c.toBuilder().epochs(8).build());
  }

  @Test
  void aBadSettingIsAnErrorNamingItAndItsValue() {
    rejects(b -> b.epochs(0), "epochs must be > 0, got 0");
    rejects(b -> b.batchSize(-2), "batchSize must be > 0, got -2");
    rejects(b -> b.optimizer(null), "optimizer must not be null");
    rejects(b -> b.schedule(null), "schedule must not be null");
    rejects(b -> b.weightDecay(-1e-4f), "weightDecay must be finite and >= 0, got -1.0E-4");
    rejects(b -> b.weightDecay(Float.NaN), "weightDecay must be finite and >= 0, got NaN");
    rejects(b -> b.weightDecay(Float.POSITIVE_INFINITY), "weightDecay must be finite and >= 0, got Infinity");
    rejects(b -> b.patience(-1), "patience must be >= 0, got -1");
    rejects(b -> b.minDelta(-0.5f), "minDelta must be finite and >= 0, got -0.5");
    rejects(b -> b.minDelta(Float.NaN), "minDelta must be finite and >= 0, got NaN");
  }

  private static void rejects(UnaryOperator<TrainingConfig.Builder> setting, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> setting.apply(TrainingConfig.builder()).build());
    assertEquals(message, e.getMessage());
  }
}
