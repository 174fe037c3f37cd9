package org.caviar.search.sampler;

import static org.caviar.search.sampler.ParallelProposals.median;
import static org.caviar.search.sampler.ParallelProposals.pendingSpread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;

class GpSamplerTest {
  /** A space of 1 to 4 numeric parameters of random kinds, sometimes with a categorical and a conditional child. */
  static SearchSpace randomSpace(Random r) {
    List<Parameter> ps = new ArrayList<>();
    int numeric = 1 + r.nextInt(4);
    for (int i = 0; i < numeric; i++) {
      String name = "p" + i;
      ps.add(switch (r.nextInt(5)) {
        case 0 -> Parameter.uniform(name, -3, 2);
        case 1 -> Parameter.logUniform(name, 1e-4, 1);
        case 2 -> Parameter.oneMinusLog(name, 0.9, 0.999);
        case 3 -> Parameter.intUniform(name, 1, 4);
        default -> Parameter.intLog(name, 8, 256);
      });
    }
    if (r.nextBoolean()) {
      ps.add(Parameter.categorical("kind", "a", "b", "c"));
      ps.add(Parameter.uniform("onlyB", 0, 1).when("kind", "b"));
    }
    if (r.nextBoolean()) ps.add(Parameter.fixed("epochs", 5));
    return SearchSpace.of(ps);
  }

  /** A bumpy function of every active number and choice, so the model has something to fit. */
  static double bumpy(Point p) {
    double v = 0;
    for (int i = 0; i < p.space().size(); i++) {
      double u = p.unit(i);
      if (!Double.isNaN(u)) v += Math.sin(7 * u + i) + (u - 0.3) * (u - 0.3);
    }
    return v;
  }

  static List<Point> run(Sampler s, SearchSpace space, long seed, int trials, Direction dir) {
    Study study = Study.builder(space).sampler(s).seed(seed).direction(dir).workers(1).build();
    List<Point> out = new ArrayList<>();
    for (TrialRecord t : study.optimize(t -> bumpy(t.params()), Budget.trials(trials)).trials()) out.add(t.params());
    return out;
  }

  @Property(tries = 12)
  void proposalsLieInRandomSpaces(@ForAll long seed) {
    SearchSpace space = randomSpace(new Random(seed));
    Direction dir = (seed & 1) == 0 ? Direction.MINIMIZE : Direction.MAXIMIZE;
    List<Point> points = run(GpSampler.builder().startupTrials(3).candidates(200).build(), space, seed, 20, dir);
    assertEquals(20, points.size());
    for (Point p : points) SamplerProperties.assertInSpace(space, p);
  }

  @Property(tries = 10)
  void sameSeedSameSequence(@ForAll long seed) {
    SearchSpace space = randomSpace(new Random(seed));
    GpSampler gp = GpSampler.builder().startupTrials(4).candidates(200).build();
    List<Point> a = run(gp, space, seed, 15, Direction.MINIMIZE);
    assertEquals(a, run(gp, space, seed, 15, Direction.MINIMIZE));
  }

  /**
   * The model-based proposals depend on the seed, not only the startup draws: on one fixed history
   * (20 random trials on Branin, well past the 4 startup trials) the same seed gives the same
   * proposal and five seeds give five different ones. A proposal could also come from the random
   * fallback when the model cannot be fitted, which depends on the seed too: none is that draw, so
   * the model made them. Checked on Branin's two continuous parameters: in a space of one small
   * integer the GP rightly proposes the same best point whatever the seed.
   */
  @Test
  void modelBasedProposalsDependOnTheSeed() {
    GpSampler gp = GpSampler.builder().startupTrials(4).candidates(200).build();
    SearchSpace space = TestFunction.BRANIN.space();
    History history = new History(ParallelProposals.randomBranin(20, 7), Direction.MINIMIZE);
    Set<Point> proposals = new HashSet<>();
    for (long seed = 0; seed < 5; seed++) {
      Point p = gp.propose(space, history, 20, seed);
      assertEquals(p, gp.propose(space, history, 20, seed), "seed " + seed + ": same history and seed, same proposal");
      assertNotEquals(new RandomSampler().propose(space, history, 20, seed), p, "seed " + seed + ": the fallback's random draw");
      proposals.add(p);
    }
    assertEquals(5, proposals.size(), "five seeds, one history: " + proposals);
  }

  private static double bestOf(Sampler s, TestFunction f, long seed, int trials, Direction dir) {
    Study study = Study.builder(f.space()).sampler(s).seed(seed).direction(dir).workers(1).build();
    double sign = dir == Direction.MINIMIZE ? 1 : -1;
    return sign * study.optimize(t -> sign * f.evaluate(t.params()), Budget.trials(trials)).best().value();
  }


  /**
   * On Branin (minimum 0.398) random search's 40-trial best has a median of about 1.3: 1.72% of the
   * square lies below 1.29, and (1 - 0.0172)^40 = 1/2 (2000 seeded random runs: 1.34). On these five
   * seeds its median is 1.96. The GP's should be near the minimum. Run once minimizing f and once
   * maximizing -f: the direction must not matter.
   */
  @Test
  void beatsRandomOnBraninInMedianEitherDirection() {
    int seeds = 5;
    double[] gpMin = new double[seeds];
    double[] gpMax = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      gpMin[s] = bestOf(new GpSampler(), TestFunction.BRANIN, s, 40, Direction.MINIMIZE);
      gpMax[s] = bestOf(new GpSampler(), TestFunction.BRANIN, s, 40, Direction.MAXIMIZE);
      random[s] = bestOf(new RandomSampler(), TestFunction.BRANIN, s, 40, Direction.MINIMIZE);
    }
    assertTrue(median(gpMin) < median(random), "GP median best " + median(gpMin) + " vs random " + median(random));
    assertTrue(median(gpMax) < median(random), "GP (maximizing -f) median best " + median(gpMax) + " vs random " + median(random));
    // And it finds the optimum itself, in either direction: a median within 0.05 of 0.398. Measured:
    // 0.3986 both ways, every seed below 0.404. Random search meets it 6 times in 10,000: 0.1% of the
    // square lies below 0.45, so one 40-trial run gets there with probability 0.039, and three of five
    // runs with 0.0006.
    assertTrue(median(gpMin) < 0.45, "GP median best " + median(gpMin));
    assertTrue(median(gpMax) < 0.45, "GP (maximizing -f) median best " + median(gpMax));
  }

  /**
   * Eight proposals in a row on Branin after 20 random trials, each left RUNNING as parallel workers
   * leave them. Without the liar every proposal chases the same expected-improvement maximum; with it
   * each pending point has no improvement left around it. Compared by the median over seeds of the
   * mean distance from each pending proposal to its nearest other one, in the unit square.
   */
  @Test
  void pendingPointsAreAvoided() {
    int seeds = 5;
    double[] withLiar = new double[seeds];
    double[] without = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      withLiar[s] = pendingSpread(GpSampler.builder().constantLiar(true).build(), 20, s);
      without[s] = pendingSpread(GpSampler.builder().constantLiar(false).build(), 20, s);
    }
    assertTrue(median(withLiar) > 3 * median(without),
        "spread with liar " + median(withLiar) + " vs without " + median(without));
  }


  /**
   * Past maxObservations finished trials the model keeps the best half of that many and then the
   * most recent others, in trial order; pruned trials count at the worst completed loss.
   */
  @Test
  void pastMaxObservationsTheBestHalfAndTheMostRecentAreKept() {
    SearchSpace space = TestFunction.BRANIN.space();
    // Loss = trial number, except trials 5, 11 and 13, the best three (losses -3, -2, -1), and trial 17, pruned.
    var history = Study.builder(space).sampler(new RandomSampler()).pruner(
            new org.caviar.search.pruner.Pruner() {
              @Override
              public boolean shouldPrune(org.caviar.search.trial.History h, TrialRecord t) {
                return t.number() == 17;
              }

              @Override
              public String name() {
                return "prunes-17";
              }
            })
        .seed(2).workers(1).build()
        .optimize(t -> {
          t.reportAndMaybePrune(1, 99);
          return switch (t.number()) {
            case 5 -> -3.0;
            case 11 -> -2.0;
            case 13 -> -1.0;
            default -> (double) t.number();
          };
        }, Budget.trials(20));
    GpSampler.Data data = GpSampler.builder().maxObservations(6).build().data(history, 20);
    assertEquals(20, data.observed());
    // The best three (5, 11, 13), then the three latest of the rest (17 pruned, 18, 19), in trial order.
    assertEquals(List.of(-3.0, -2.0, -1.0, 19.0, 18.0, 19.0),
        java.util.Arrays.stream(data.losses()).boxed().toList(), "17 counts at the worst completed loss, 19");
    List<Integer> kept = new ArrayList<>();
    for (double[] u : data.units()) {
      for (TrialRecord t : history.trials()) if (java.util.Arrays.equals(t.params().units(), u)) kept.add(t.number());
    }
    assertEquals(List.of(5, 11, 13, 17, 18, 19), kept);
  }

  @Test
  void badSettingsAreClearErrors() {
    var e = assertThrows(IllegalArgumentException.class, () -> GpSampler.builder().startupTrials(-1));
    assertTrue(e.getMessage().contains("startupTrials") && e.getMessage().contains("-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GpSampler.builder().candidates(0));
    assertTrue(e.getMessage().contains("candidates") && e.getMessage().contains("0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GpSampler.builder().maxObservations(1));
    assertTrue(e.getMessage().contains("maxObservations") && e.getMessage().contains("1"), e.getMessage());
  }
}
