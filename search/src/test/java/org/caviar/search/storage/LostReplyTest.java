package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;

/** A claim whose commit succeeded but whose reply was lost is not claimed a second time on retry. */
class LostReplyTest {
  @Test
  void aClaimRetriedAfterItsReplyWasLostReturnsTheCommittedTrial() throws Exception {
    PostgresUrl direct = PostgresUrl.parse(TestPostgres.newDatabase());
    try (CuttingProxy proxy = new CuttingProxy(direct.port());
        PostgresStorage s = new PostgresStorage(new PostgresUrl("127.0.0.1", proxy.port(), direct.database(), direct.user()),
            TestPostgres.fastSettings())) {
      s.open(new StudyInfo("lost-reply", Direction.MINIMIZE, TestFunction.BRANIN.space(), 1));
      proxy.armOn("INSERT 0 1"); // the claim's command tag (its implicit transaction ends at the reply's ReadyForQuery)
      TrialRecord t = s.claimNext(1, 10, Long.MAX_VALUE, 3);
      assertTrue(proxy.cutAfterCommit(), "the reply was not cut after its commit: this test proves nothing");
      assertEquals(TrialRecord.claimed(0, 1, 3), t, "the committed trial, with its threads, as the retry found it");
      List<TrialRecord> all = s.trials();
      assertEquals(List.of(TrialRecord.claimed(0, 1, 3)), all, "the retry claimed a second trial");
      assertEquals(1, s.claimNext(2, 10, Long.MAX_VALUE).number());
    }
  }
}
