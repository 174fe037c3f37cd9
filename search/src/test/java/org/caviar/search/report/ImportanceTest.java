package org.caviar.search.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class ImportanceTest {
  /** Three parameters that vary, one fixed (which does not count), and x deciding the score. */
  private static final SearchSpace THREE = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.logUniform("lr", 1e-4, 1),
      Parameter.categorical("c", "a", "b"), Parameter.fixed("epochs", 30));

  private static History randomStudy(int trials) {
    return Study.builder(THREE).sampler(new RandomSampler()).seed(11).workers(1).build()
        .optimize(t -> t.getDouble("x"), Budget.trials(trials));
  }

  /**
   * Four trials printed "dropout 100%", a share drawn from four points: shares now take 5 trials
   * per parameter that varies, here 15, and 14 give none; below 10 per parameter (30) they are rough.
   */
  @Test
  void sharesTakeFiveTrialsPerParameterThatVariesAndTenToBeFirm() {
    Importance.Result four = Importance.compute(randomStudy(4), THREE);
    assertEquals(Map.of(), four.shares());
    assertEquals("final values of 4 completed trials", four.basis());
    Importance.Result below = Importance.compute(randomStudy(14), THREE);
    assertEquals(Map.of(), below.shares());
    Importance.Result rough = Importance.compute(randomStudy(15), THREE);
    assertEquals(java.util.Set.of("x", "lr", "c"), rough.shares().keySet());
    assertTrue(rough.rough());
    assertEquals("rough: 30 trials make it firm (10 per parameter)", rough.roughNote());
    Importance.Result almost = Importance.compute(randomStudy(29), THREE);
    assertTrue(almost.rough());
    Importance.Result firm = Importance.compute(randomStudy(30), THREE);
    assertFalse(firm.rough());
    assertEquals("", firm.roughNote());
    assertEquals("x", firm.shares().keySet().iterator().next(), firm.shares().toString());
    // x alone sets the score: its share is the largest by far (the others are chance, at most a few percent).
    assertTrue(firm.shares().get("x") > 0.8, firm.shares().toString());
  }

  /**
   * 25 completed trials of a space firm at 30 give rough shares, where the 40 that reached step 1
   * (15 of them pruned there) give firm ones: the final values gave way to intermediate ones only
   * below 20 completed trials.
   */
  @Test
  void tooFewCompletedTrialsGiveWayToMoreAtACommonStep() {
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      double x = ((i * 7) % 40) / 40.0;
      var p = THREE.pointFromValues(Map.of("x", x, "lr", 0.01, "c", i % 2 == 0 ? "a" : "b"));
      TrialRecord t = TrialRecord.claimed(i, 0).withParams(p, -1).withIntermediate(1, x);
      trials.add(i < 25
          ? t.withIntermediate(2, x).withIntermediate(3, x).withOutcome(TrialState.COMPLETE, x, null, 0)
          : t.withOutcome(TrialState.PRUNED, Double.NaN, "pruned at step 1", 0));
    }
    Importance.Result r = Importance.compute(new History(trials, Direction.MAXIMIZE), THREE);
    assertEquals("values at step 1 of 40 trials", r.basis());
    assertFalse(r.rough());
    assertEquals("x", r.shares().keySet().iterator().next(), r.shares().toString());
  }

  /** The reason names the parameters that vary and the trials they take, in the singular too. */
  @Test
  void tooFewSaysHowManyItTakes() {
    Importance.Result r = Importance.compute(randomStudy(4), THREE);
    assertTrue(r.tooFew());
    assertEquals(15, r.trialsNeeded());
    assertEquals("too few trials to estimate it: 3 parameters vary, which takes 15 trials (5 per parameter)", r.tooFewReason());
    SearchSpace one = SearchSpace.of(Parameter.uniform("x", 0, 1));
    History four = Study.builder(one).sampler(new RandomSampler()).seed(2).workers(1).build()
        .optimize(t -> t.getDouble("x"), Budget.trials(4));
    assertEquals("too few trials to estimate it: 1 parameter varies, which takes 5 trials (5 per parameter)",
        Importance.compute(four, one).tooFewReason());
    Importance.Result enough = Importance.compute(randomStudy(30), THREE);
    assertFalse(enough.tooFew());
    assertEquals("", enough.tooFewReason());
    // Nothing varies: no number of trials gives shares, and that is not "too few".
    SearchSpace fixed = SearchSpace.of(Parameter.fixed("lr", 0.05));
    History six = Study.builder(fixed).sampler(new RandomSampler()).seed(2).workers(1).build().optimize(t -> 1.0, Budget.trials(6));
    assertFalse(Importance.compute(six, fixed).tooFew());
  }
}
