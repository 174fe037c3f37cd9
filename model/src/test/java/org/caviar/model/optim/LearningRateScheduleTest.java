package org.caviar.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  @Test
  void ratesFollowTheirFormulas() {
    // Expected values from the same float constants, evaluated in double and rounded once.
    float lr = 0.1f;
    float half = 0.5f;
    assertEquals(lr, new LearningRateSchedule.Constant(lr).rate(50));
    var inverse = new LearningRateSchedule.InverseTime(lr, half);
    assertEquals(lr, inverse.rate(0));
    assertEquals((float) (lr / (1 + 0.5 * 4)), inverse.rate(4));
    assertEquals((float) (lr * 0.125), new LearningRateSchedule.Exponential(lr, half).rate(3));
    float tenth = 0.1f;
    var step = new LearningRateSchedule.Step(lr, tenth, 10);
    assertEquals(lr, step.rate(9));
    assertEquals((float) ((double) lr * tenth), step.rate(10));
    assertEquals((float) (lr * Math.pow(tenth, 2)), step.rate(29));
  }

  /** As train's "training:" line shows them (it showed the records' own "Constant[lr=0.001]"). */
  @Test
  void schedulesSayTheirFormula() {
    assertEquals("lr 0.001 constant", new LearningRateSchedule.Constant(0.001f).toString());
    assertEquals("lr 0.1 / (1 + 0.5 epoch)", new LearningRateSchedule.InverseTime(0.1f, 0.5f).toString());
    assertEquals("lr 0.1 x 0.95^epoch", new LearningRateSchedule.Exponential(0.1f, 0.95f).toString());
    assertEquals("lr 0.1 x 0.5 every 10 epochs", new LearningRateSchedule.Step(0.1f, 0.5f, 10).toString());
    assertEquals("lr 0.1 x 0.5 every epoch", new LearningRateSchedule.Step(0.1f, 0.5f, 1).toString());
    assertEquals("lr 1e-4 constant", new LearningRateSchedule.Constant(1e-4f).toString());
    assertEquals("lr 1 x 1^epoch", new LearningRateSchedule.Exponential(1f, 1f).toString());
  }

  @Test
  void aDecayedRateStaysPositive() {
    // The update kernels reject lr == 0; a long exponential decay must not underflow to it.
    assertEquals(Float.MIN_NORMAL, new LearningRateSchedule.Exponential(0.1f, 0.5f).rate(1000));
  }

  /** Epochs count from 0: before it, inverse time returned infinity and exponential a rate above lr. */
  @Test
  void aNegativeEpochIsAnError() {
    for (LearningRateSchedule s : java.util.List.of(new LearningRateSchedule.Constant(0.1f), new LearningRateSchedule.InverseTime(0.1f, 1),
        new LearningRateSchedule.Exponential(0.1f, 0.5f), new LearningRateSchedule.Step(0.1f, 0.5f, 2))) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.rate(-1));
      assertEquals("epoch must be >= 0, got -1", e.getMessage(), s.toString());
    }
  }

  /** A subnormal lr (allowed: > 0) decays no further than itself; the floor never lifts a rate above lr. */
  @Test
  void aSubnormalRateIsNeverRaised() {
    float lr = Float.MIN_VALUE * 4;
    for (LearningRateSchedule s : java.util.List.of(new LearningRateSchedule.InverseTime(lr, 1), new LearningRateSchedule.Exponential(lr, 0.5f),
        new LearningRateSchedule.Step(lr, 0.5f, 1))) {
      for (int epoch : new int[] {0, 1, 3, 1000}) {
        float r = s.rate(epoch);
        assertTrue(r > 0 && r <= lr, s + " epoch " + epoch + ": " + r);
      }
      assertEquals(lr, s.rate(0), s.toString());
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertName("lr", () -> new LearningRateSchedule.Constant(0f));
    assertName("decay", () -> new LearningRateSchedule.InverseTime(0.1f, -1f));
    assertName("gamma", () -> new LearningRateSchedule.Exponential(0.1f, 1.5f));
    assertName("every", () -> new LearningRateSchedule.Step(0.1f, 0.5f, 0));
  }

  private static void assertName(String name, org.junit.jupiter.api.function.Executable e) {
    var ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().startsWith(name + " "), ex.getMessage());
  }
}
