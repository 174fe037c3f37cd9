package org.caviar.search.sampler;

import static org.caviar.search.sampler.ParallelProposals.median;
import static org.caviar.search.sampler.ParallelProposals.pendingSpread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

import org.caviar.search.bench.TestFunction;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.study.TrialPrunedException;
import org.junit.jupiter.api.Test;

class TpeSamplerTest {
  private static double bestOf(Sampler s, TestFunction f, long seed, int trials) {
    Study study = Study.builder(f.space()).sampler(s).seed(seed).workers(1).build();
    return study.optimize(t -> f.evaluate(t.params()), Budget.trials(trials)).best().value();
  }


  @Test
  void defaultTpeBeatsRandomOnBraninInMedian() {
    int seeds = 7;
    double[] tpe = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      tpe[s] = bestOf(new TpeSampler(), TestFunction.BRANIN, s, 60);
      random[s] = bestOf(new RandomSampler(), TestFunction.BRANIN, s, 60);
    }
    assertTrue(median(tpe) < median(random),
        "TPE median best " + median(tpe) + " should beat random's " + median(random));
    // And near Branin's minimum, 0.398. Measured: 0.462, and the fifth of the seven 0.509, under it
    // too (on 20 other seeds TPE's 60-trial best is below 0.55 14 times). Random search meets it 1.6% of the time:
    // 0.29% of the square lies below 0.55, so one 60-trial run gets there with probability 0.16, and
    // four of seven runs with 0.016. Its median on these seeds is 0.906.
    assertTrue(median(tpe) < 0.55, "TPE median best " + median(tpe));
  }

  @Test
  void optunasTpeBeatsRandomOnHartmann6InMedian() {
    int seeds = 5;
    double[] tpe = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      tpe[s] = bestOf(TpeSampler.optunaDefaults(), TestFunction.HARTMANN6, s, 60);
      random[s] = bestOf(new RandomSampler(), TestFunction.HARTMANN6, s, 60);
    }
    assertTrue(median(tpe) < median(random),
        "TPE median best " + median(tpe) + " should beat random's " + median(random));
    // And well into the minimum's basin (-3.32). Measured: -2.71, a margin of 0.21 (on 20 other seeds
    // TPE's 60-trial best is below -2.5 14 times). Random search meets it 1% of the time: 0.18% of the cube lies below -2.5,
    // so one 60-trial run gets there with probability 0.10, and three of five runs with 0.0095. Its
    // median on these seeds is -2.15.
    assertTrue(median(tpe) < -2.5, "TPE median best " + median(tpe));
  }

  /**
   * Eight proposals in a row, each left RUNNING as parallel workers would leave them. With the
   * constant liar the pending points count as bad, so the proposals spread out; without it they pile
   * onto the current favourite. Compared by the median over seeds of the mean distance to the
   * nearest other pending proposal, in the unit square.
   */
  @Test
  void constantLiarKeepsParallelProposalsApart() {
    int seeds = 9;
    double[] withLiar = new double[seeds];
    double[] without = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      withLiar[s] = pendingSpread(TpeSampler.builder().constantLiar(true).build(), 30, s);
      without[s] = pendingSpread(TpeSampler.builder().constantLiar(false).build(), 30, s);
    }
    assertTrue(median(withLiar) > 1.5 * median(without),
        "spread with liar " + median(withLiar) + " vs without " + median(without));
  }

  /**
   * A trial pruned before it reported anything (an objective that throws TrialPrunedException for
   * a configuration it will not run, Optuna's idiom) is a bad observation, last among the pruned,
   * as in Optuna. TPE left such trials out: here x > 0.5 is refused and the best value lies just
   * below 0.5, so l straddled 0.5 while g never saw the refused side, and of trials 10-59 over 10
   * seeds 89% (multivariate) and 90% (univariate) went to refused points, against random search's
   * 53%. Counted, 36% and 40%. The bound, half, sits between those and below random's share: each
   * figure is over 500 trials, whose binomial standard deviation is at most 2.2%.
   */
  @Test
  void trialsPrunedBeforeAnyReportAreBadObservations() {
    SearchSpace space = SearchSpace.parse("x = uniform(0, 1); y = uniform(0, 1)");
    for (Sampler s : List.of(new TpeSampler(), TpeSampler.optunaDefaults())) {
      int refused = 0;
      int total = 0;
      for (int seed = 0; seed < 10; seed++) {
        Study study = Study.builder(space).sampler(s).seed(seed).workers(1).build();
        History h = study.optimize(t -> {
          double x = t.getDouble("x");
          if (x > 0.5) throw new TrialPrunedException("not run: x > 0.5");
          return -x + 0.1 * t.getDouble("y");
        }, Budget.trials(60));
        for (TrialRecord t : h.trials()) {
          if (t.number() < 10) continue;
          total++;
          if (t.state() == TrialState.PRUNED) refused++;
        }
      }
      assertTrue(refused < total / 2, s.name() + ": " + refused + " of " + total + " trials after the start-up were refused");
    }
  }

  /**
   * A trial pruned before any report has no value to rank, as a diverged one has none: it is never
   * good. While every observation is such a trial, nothing is known to be good and the proposal is
   * the random one; ranked among the pruned, the refused points made up the good group and TPE
   * drew around two of them.
   */
  @Test
  void trialsPrunedBeforeAnyReportAreNeverGood() {
    SearchSpace space = SearchSpace.parse("x = uniform(0, 1); y = uniform(0, 1)");
    List<TrialRecord> trials = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      TrialRecord t = TrialRecord.claimed(n, 0).withParams(new RandomSampler().propose(space, History.empty(Direction.MINIMIZE), n, 3), -1);
      trials.add(t.withOutcome(TrialState.PRUNED, Double.NaN, "not run", 0));
    }
    History h = new History(trials, Direction.MINIMIZE);
    for (Sampler s : List.of(new TpeSampler(), TpeSampler.optunaDefaults())) {
      assertEquals(new RandomSampler().propose(space, h, 12, 3), s.propose(space, h, 12, 3), s.name());
    }
  }

  /**
   * An integer candidate is scored by the probability l and g give the share of the value it
   * rounds to (Optuna's discrete kernels), not by the density at the unrounded draw. Here k = 2 has
   * the best ratio by far: good k = 2, 2, 1, bad k = 1 x 10, 3 x 10, 2 x 7, so l / g is about
   * (2/3) / (7/27) = 2.6 on 2 against (1/3) / (10/27) = 0.9 on 1 (before the prior's share). Scored
   * at the unrounded draw, the ratio peaked in the gaps between 1, 2 and 3, where the narrow bad
   * kernels thin out, and rounding then went either way: 2 only 335 times of 400 (univariate) and
   * 362 (multivariate). Scored by shares, 2 wins whenever one of the 24 candidates from l rounds to
   * 2, and l gives 2 over 40% of its mass: every seed misses it with probability under 0.6^24 = 5e-6.
   */
  @Test
  void integerCandidatesAreScoredByTheShareOfTheirValue() {
    SearchSpace space = SearchSpace.of(Parameter.intUniform("k", 1, 3));
    int[] good = {2, 2, 1};
    List<TrialRecord> trials = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < 27; i++) {
      int bad = i < 10 ? 1 : i < 20 ? 3 : 2;
      trials.add(GpSamplerTest.complete(space, n++, Map.of("k", bad), 1.0 + i * 0.01));
      if (i % 9 == 0) trials.add(GpSamplerTest.complete(space, n++, Map.of("k", good[i / 9]), 0.0));
    }
    History history = new History(trials, Direction.MINIMIZE);
    // gamma 0.1 in both, so that the good group is exactly the three trials at loss 0.
    Map<String, Integer> twos = new java.util.TreeMap<>();
    for (TpeSampler s : List.of(TpeSampler.optunaDefaults(), TpeSampler.builder().gamma(0.1, 25).build())) {
      int count = 0;
      for (long seed = 0; seed < 400; seed++) if ((Integer) s.propose(space, history, n, seed).get("k") == 2) count++;
      twos.put(s.name(), count);
    }
    assertEquals(Map.of("tpe", 400, "tpe-univariate", 400), twos, "proposals of k = 2 in 400 seeds");
  }
}

