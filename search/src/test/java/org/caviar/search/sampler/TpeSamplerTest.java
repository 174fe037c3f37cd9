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
