package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.caviar.search.storage.SharedStorage.Released;
import org.junit.jupiter.api.Test;

/**
 * What tune says of the trials it released as it stopped on a shared storage: a released re-run
 * is not re-run again (its point is given up), so the line must not promise that it is.
 */
class TuneReleaseMessageTest {
  @Test
  void freshTrialsAreReRun() {
    assertNull(TuneCommand.released(Released.NONE));
    assertEquals("the trial under way was released: the resume re-runs it", TuneCommand.released(new Released(1, 0)));
    assertEquals("the 2 trials under way were released: the resume re-runs them", TuneCommand.released(new Released(2, 0)));
  }

  @Test
  void reRunsGiveTheirPointsUp() {
    assertEquals("the trial under way was released: it was a re-run: interrupted a second time, its point is given up",
        TuneCommand.released(new Released(1, 1)));
    assertEquals("the 2 trials under way were released: they were re-runs: interrupted a second time, their points are given up",
        TuneCommand.released(new Released(2, 2)));
    assertEquals("the 2 trials under way were released: the resume re-runs 1 of them; the other was a re-run: "
        + "interrupted a second time, its point is given up", TuneCommand.released(new Released(2, 1)));
    assertEquals("the 3 trials under way were released: the resume re-runs 1 of them; the other 2 were re-runs: "
        + "interrupted a second time, their points are given up", TuneCommand.released(new Released(3, 2)));
  }
}
