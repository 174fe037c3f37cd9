package org.caviar.search.sampler;

import static org.caviar.search.sampler.ParallelProposals.median;
import static org.caviar.search.sampler.ParallelProposals.pendingSpread;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.caviar.search.bench.TestFunction;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
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

}
