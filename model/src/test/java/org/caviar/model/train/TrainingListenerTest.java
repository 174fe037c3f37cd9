package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.caviar.model.Network;
import org.junit.jupiter.api.Test;

class TrainingListenerTest {
  /** Records every call it hears as "name:event", and answers each epoch with {@code answer}. */
  private record Recorder(String name, TrainingListener.Action answer, List<String> calls) implements TrainingListener {
    @Override
    public Action onEpochEnd(EpochMetrics metrics) {
      calls.add(name + ":epoch");
      return answer;
    }

    @Override
    public void onNewBest(EpochMetrics metrics) {
      calls.add(name + ":best");
    }

    @Override
    public void onTrainingStart(Network network, TrainingConfig config) {
      calls.add(name + ":start");
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
      calls.add(name + ":end");
    }
  }

  @Test
  void allTellsEveryListenerInTurnAndStopsIfAnyAsks() {
    List<String> calls = new ArrayList<>();
    List<TrainingListener> listeners = new ArrayList<>(List.of(
        new Recorder("a", TrainingListener.Action.CONTINUE, calls),
        new Recorder("b", TrainingListener.Action.STOP, calls),
        new Recorder("c", TrainingListener.Action.CONTINUE, calls)));
    TrainingListener all = TrainingListener.all(listeners);
    listeners.clear(); // all() keeps its own copy

    all.onTrainingStart(null, null);
    all.onNewBest(null);
    // b asks to stop; c still hears of the epoch.
    assertEquals(TrainingListener.Action.STOP, all.onEpochEnd(null));
    all.onTrainingEnd(null);
    assertEquals(List.of("a:start", "b:start", "c:start", "a:best", "b:best", "c:best", "a:epoch", "b:epoch", "c:epoch",
        "a:end", "b:end", "c:end"), calls);

    TrainingListener one = TrainingListener.all(List.of(new Recorder("d", TrainingListener.Action.CONTINUE, calls)));
    assertEquals(TrainingListener.Action.CONTINUE, one.onEpochEnd(null));
    assertEquals(TrainingListener.Action.CONTINUE, TrainingListener.all(List.of()).onEpochEnd(null));
    assertEquals(TrainingListener.Action.CONTINUE, TrainingListener.none().onEpochEnd(null));
  }

  /**
   * A listener left null (an optional recorder not made) was a bare NullPointerException from
   * List.copyOf, with no word of which one.
   */
  @Test
  void allNamesANullListener() {
    assertEquals("listeners must not be null",
        assertThrows(IllegalArgumentException.class, () -> TrainingListener.all(null)).getMessage());
    assertEquals("listeners[1] must not be null",
        assertThrows(IllegalArgumentException.class,
            () -> TrainingListener.all(java.util.Arrays.asList(TrainingListener.none(), null))).getMessage());
  }
}
