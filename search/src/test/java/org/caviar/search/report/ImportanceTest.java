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

  /** A study of one log learning rate whose score is pure noise (the sampler's seed given; the noise's fixed). */
  static History noiseStudy(int seed, int trials) {
    java.util.Random noise = new java.util.Random(99);
    return Study.builder(LR).sampler(new RandomSampler()).seed(seed).workers(1).build()
        .optimize(t -> noise.nextDouble(), Budget.trials(trials));
  }

  static final SearchSpace LR = SearchSpace.of(Parameter.logUniform("lr", 1e-4, 1));

  /**
   * The shares are normalized to 1: "lr 100%" read the same whether lr explained most of the
   * variation or little. The part the parameters explain together is given beside them: here the
   * score is a step of lr (1 above its median, 0 below) plus noise smaller than the step, so the
   * step alone orders the two halves and the noise alone orders the trials within each. In ranks,
   * two equal halves' means lie n/2 apart, a between-halves variance of (n/2)^2/4 = n^2/16 against
   * the ranks' (n^2 - 1)/12: 3/4 (0.75004 at n = 200). lr's 10 bins of 20 trials each fall on one
   * side of the median (its unit positions are the 200 midpoints (i + 0.5)/200, in a scrambled
   * order), so they hold the step whole; the chance correction leaves its error, that of 8
   * degrees of freedom of noise among the bins within the halves: sqrt(2 x 8) x (100^2 - 1)/12 of
   * a total 200 (200^2 - 1)/12, a standard deviation of 0.005. 0.02 is 4 of them.
   */
  @Test
  void explainedIsThePartOfTheRankVarianceTheMainEffectsHold() {
    java.util.Random noise = new java.util.Random(5);
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double u = ((i * 37) % 200 + 0.5) / 200; // 37 is prime to 200: every midpoint once
      var p = LR.pointFromValues(Map.of("lr", Math.pow(10, -4 + 4 * u)));
      double score = (u > 0.5 ? 1 : 0) + 0.5 * noise.nextDouble();
      trials.add(TrialRecord.claimed(i, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, score, null, 0));
    }
    Importance.Result r = Importance.compute(new History(trials, Direction.MAXIMIZE), LR);
    assertEquals(Map.of("lr", 1.0), r.shares());
    assertEquals(0.75, r.explained(), 0.02, r.toString());
    assertFalse(r.explainsLittle());
    assertEquals("together they explain " + Math.round(100 * r.explained()) + "% of the variation in score", r.explainedNote());
  }

  /**
   * Pure noise, where lr came out barely above chance (a corrected share of 0.024 among 100
   * trials, where chance spreads it by sqrt(2 x 9)/99 = 0.04): normalized, that is "lr 100%";
   * the part explained says 2%, and the note what the score varies with.
   */
  @Test
  void noiseBarelyAboveChanceIsAllOfTheSharesButLittleOfTheVariation() {
    Importance.Result r = Importance.compute(noiseStudy(1, 100), LR);
    assertEquals(Map.of("lr", 1.0), r.shares());
    assertEquals(0.024, r.explained(), 0.001, r.toString());
    assertTrue(r.explainsLittle());
    assertEquals("together they explain 2% of the variation in score (little: the score varies mostly with what no single "
        + "parameter explains, noise (seeds) or interactions; more trials, or fewer parameters, sharpen the shares)",
        r.explainedNote());
  }

  /**
   * The part explained sums the chance-corrected shares as they are, those below 0 included: the
   * shares floored at 0, as normalized, summed each parameter's chance ups and none of its downs,
   * and 11 parameters of no effect read 11% on average at 110 random trials (200 studies; 3-5%
   * unfloored, the total floored at 0). These 40 studies of noise average 0.026, and 0.112 with
   * the shares floored; the average's standard error is about 0.01 either way (a spread of 0.06
   * per study), so below 0.07 is 4 of them from the floored sum and 4 above the unfloored one.
   */
  @Test
  void theNoiseOfManyParametersDoesNotAddUp() {
    SearchSpace space = SearchSpace.parse(org.caviar.search.cli.TuneCommand.DEFAULT_SPACE);
    double sum = 0;
    for (int seed = 0; seed < 40; seed++) {
      java.util.Random noise = new java.util.Random(1000 + seed);
      History h = Study.builder(space).sampler(new RandomSampler()).seed(seed).workers(1).build()
          .optimize(t -> noise.nextDouble(), Budget.trials(110));
      sum += Importance.compute(h, space).explained();
    }
    assertTrue(sum / 40 < 0.07, "average explained of noise " + sum / 40);
  }

  /**
   * Two parameters that moved together (as a sampler that concentrates its trials moves them) each
   * hold the whole effect, and their shares summed to about 2: capped at 1, the part explained read
   * "100%" as if the parameters' effects were known to make up all of the variation. It says it
   * is capped, and from what: each one's 10 bins of 10 hold all but (10^2 - 1)/(100^2 - 1) of the
   * ranks' variance, less the chance term, 0.989, twice: 198%.
   */
  @Test
  void aCappedPartExplainedSaysSo() {
    SearchSpace two = SearchSpace.of(Parameter.uniform("a", 0, 1), Parameter.uniform("b", 0, 1));
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      double u = ((i * 37) % 100 + 0.5) / 100;
      var p = two.pointFromValues(Map.of("a", u, "b", u));
      trials.add(TrialRecord.claimed(i, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, u, null, 0));
    }
    Importance.Result r = Importance.compute(new History(trials, Direction.MAXIMIZE), two);
    assertEquals(1.0, r.explained());
    assertTrue(r.capped());
    assertEquals("together they explain most of the variation in score (their shares summed to 198%: parameters the "
        + "sampler varied together overlap)", r.explainedNote());
    assertFalse(Importance.compute(noiseStudy(1, 100), LR).capped());
  }

  /** There is no part explained without shares, nor in a result made without it. */
  @Test
  void explainedIsNotKnownWithoutShares() {
    Importance.Result few = Importance.compute(randomStudy(4), THREE);
    assertTrue(Double.isNaN(few.explained()));
    assertFalse(few.explainsLittle());
    assertEquals("", few.explainedNote());
    assertTrue(Double.isNaN(new Importance.Result(Map.of("x", 1.0), "final values of 30 completed trials").explained()));
  }
}
