package org.caviar.search.sampler;

import static org.caviar.search.sampler.ParallelProposals.median;
import static org.caviar.search.sampler.ParallelProposals.pendingSpread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
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

  /**
   * One completed trial among pruned and diverged ones, as early in an ASHA study: at the worst
   * completed loss they would tie with it, every target equal, and the model would be flat. They
   * count above it; with two different completed losses, at the worst of them as before. (A probe
   * of 20 seeds, lr log-uniform in [1e-4, 1], one trial completed at 0.01 and 14 diverged above
   * 0.1: every proposal at lr 0.0025-0.0026 this way, and at 1.00e-4-1.02e-4, the far edge, when
   * they tied with it.)
   */
  @Test
  void stoppedTrialsCountAboveALoneCompletedOne() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    List<TrialRecord> trials = new ArrayList<>();
    trials.add(complete(space, 0, Map.of("x", 0.5), 0.25));
    for (int n = 1; n <= 4; n++) {
      TrialRecord t = TrialRecord.claimed(n, 0).withParams(space.pointFromValues(Map.of("x", 0.2 * n - 0.1)), -1);
      trials.add(n % 2 == 0 ? t.withIntermediate(1, 0.9).withOutcome(TrialState.PRUNED, 0.9, null, 0)
          : t.withOutcome(TrialState.FAILED, Double.NaN, TrialRecord.DIVERGED + ": value NaN at step 1", 0));
    }
    GpSampler gp = GpSampler.builder().build();
    double[] losses = gp.data(new History(trials, Direction.MINIMIZE), 5).losses();
    assertEquals(0.25, losses[0]);
    for (int j = 1; j < losses.length; j++) assertTrue(losses[j] > 0.25, java.util.Arrays.toString(losses));
    trials.add(complete(space, 5, Map.of("x", 0.05), 0.75));
    losses = gp.data(new History(trials, Direction.MINIMIZE), 6).losses();
    assertEquals(List.of(0.25, 0.75, 0.75, 0.75, 0.75, 0.75), java.util.Arrays.stream(losses).boxed().toList());
  }

  /**
   * The stand-in above a lone completed loss is that loss plus its size, which overflowed past
   * Double.MAX_VALUE / 2: the stopped trials then stood at infinity and every target at NaN. Those
   * losses only matter up to scale and shift (they are standardized), so two levels do.
   */
  @Test
  void stoppedTrialsStayFiniteAboveAHugeLoneCompletedLoss() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    for (double value : new double[] {1e308, Double.MAX_VALUE, -Double.MAX_VALUE}) {
      List<TrialRecord> trials = new ArrayList<>();
      trials.add(complete(space, 0, Map.of("x", 0.5), value));
      trials.add(TrialRecord.claimed(1, 0).withParams(space.pointFromValues(Map.of("x", 0.1)), -1)
          .withIntermediate(1, value).withOutcome(TrialState.PRUNED, value, null, 0));
      double[] losses = GpSampler.builder().build().data(new History(trials, Direction.MINIMIZE), 2).losses();
      assertTrue(Double.isFinite(losses[0]) && Double.isFinite(losses[1]) && losses[1] > losses[0],
          value + ": " + java.util.Arrays.toString(losses));
    }
  }

  /**
   * The model standardizes the losses, so scaling the objective changes nothing: losses around 1e180
   * overflowed the variance (every target 0, a flat model) and losses around 1e-180 underflowed it
   * (the targets left near 0, as flat), and the proposals after the start-up were not the
   * unscaled ones. A power of two scales every loss, sum and square root exactly, so the points must
   * be the very same.
   */
  @Test
  void proposalsDoNotDependOnTheScaleOfTheObjective() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.logUniform("y", 1e-4, 1));
    List<List<Point>> runs = new ArrayList<>();
    for (int exponent : new int[] {0, 600, -600}) {
      Study study = Study.builder(space).sampler(GpSampler.builder().startupTrials(4).candidates(200).build())
          .seed(5).workers(1).build();
      List<Point> points = new ArrayList<>();
      for (TrialRecord t : study.optimize(t -> Math.scalb(bumpy(t.params()) + 3, exponent), Budget.trials(12)).trials()) {
        points.add(t.params());
      }
      runs.add(points);
    }
    assertEquals(runs.get(0), runs.get(1), "losses times 2^600");
    assertEquals(runs.get(0), runs.get(2), "losses times 2^-600");
  }

  /** Trial {@code number}, complete at {@code value}, with the given parameter values. */
  static TrialRecord complete(SearchSpace space, int number, Map<String, ?> values, double value) {
    return TrialRecord.claimed(number, 0).withParams(space.pointFromValues(values), -1)
        .withOutcome(TrialState.COMPLETE, value, null, 0);
  }

  /**
   * A candidate is scored at the positions of the point it becomes: snap gives exactly the unit
   * positions of pointFromUnit's point (which recomputes them from the values), integers included,
   * and moves a float by rounding only.
   */
  @Property(tries = 30)
  void snapGivesThePositionsOfThePointProposed(@ForAll long seed) {
    Random r = new Random(seed);
    SearchSpace space = randomSpace(r);
    for (int draw = 0; draw < 20; draw++) {
      double[] u = new double[space.size()];
      for (int i = 0; i < u.length; i++) u[i] = r.nextDouble();
      double[] snapped = u.clone();
      GpSampler.snap(space, snapped);
      assertArrayEquals(space.pointFromUnit(u).units(), snapped, 0, space + " at " + java.util.Arrays.toString(u));
      for (int i = 0; i < u.length; i++) {
        if (space.get(i) instanceof FloatParameter && !Double.isNaN(snapped[i])) assertEquals(u[i], snapped[i], 1e-12);
      }
    }
  }

  @Test
  void snapPutsAnIntegerAtItsValuesCentre() {
    SearchSpace space = SearchSpace.of(Parameter.intUniform("k", 1, 3), Parameter.intLog("units", 8, 256));
    double[] u = {0.4, 0.3};
    GpSampler.snap(space, u);
    // k = int(1, 3): the unit interval covers [0.5, 3.5], so 0.4 is 1.7, which rounds to 2, whose centre is 0.5.
    assertEquals(0.5, u[0], 1e-15);
    IntParameter units = (IntParameter) space.get(1);
    assertEquals(units.unitOf(units.valueAt(0.3)), u[1], 0);
    assertEquals(space.pointFromUnit(new double[] {0.4, 0.3}).unit(1), u[1], 0);
  }

  /**
   * k = int(1, 3) with k = 1 and k = 3 tried, equally good: the model knows nothing of k = 2, so
   * that is where expected improvement is. Scored between the tried integers' centres (1/6, 1/2 and
   * 5/6), candidates near 0 or 1 look farther from the data than 1/2 under the long length scales
   * two values fit, and round to 1 or 3: every seed proposed the better tried integer (3 on a tie).
   */
  @Test
  void theUntriedIntegerBetweenTwoTriedOnesIsProposed() {
    SearchSpace space = SearchSpace.of(Parameter.intUniform("k", 1, 3));
    for (double[] losses : new double[][] {{0, 0}, {0, 1}, {1, 0}}) {
      History history = new History(List.of(
          complete(space, 0, Map.of("k", 1), losses[0]), complete(space, 1, Map.of("k", 3), losses[1])), Direction.MINIMIZE);
      for (long seed = 0; seed < 5; seed++) {
        Point p = GpSampler.builder().startupTrials(2).build().propose(space, history, 2, seed);
        assertEquals(2, p.getInt("k"), "losses " + java.util.Arrays.toString(losses) + ", seed " + seed);
      }
    }
  }

  /**
   * On k = int(1, 8) and k = int_log(1, 8), 20 histories each of two different random integers
   * tried, with losses (k - c)^2 for a random c in [1, 8], no noise: 6 untried integers remain, so
   * proposing a tried one again is waste. Counted over the 40 proposals. Measured: none with
   * candidates snapped to integers, 32 of 40 when scored between them. Two tried values, not more:
   * with three or four the old grid fit's likelihood could prefer the shortest length scales and a
   * noise of 0.08 (not re-measured with the MAP fit), under which the best tried value may rightly
   * be worth a second look (3 to 9 proposals in 40 then, in trials of this kind): for a fit that
   * finds such noise in two values, 2 are allowed.
   */
  @Test
  void triedIntegersAreNotProposedAgainWhileOthersAreUntried() {
    int repeats = 0;
    int proposals = 0;
    for (IntParameter k : List.of(Parameter.intUniform("k", 1, 8), Parameter.intLog("k", 1, 8))) {
      SearchSpace space = SearchSpace.of(k);
      for (long seed = 0; seed < 20; seed++) {
        SplittableRandom r = new SplittableRandom(seed);
        double c = 1 + 7 * r.nextDouble();
        int a = 1 + r.nextInt(8);
        int b = 1 + r.nextInt(7);
        if (b >= a) b++; // b != a
        History history = new History(List.of(
            complete(space, 0, Map.of("k", a), (a - c) * (a - c)), complete(space, 1, Map.of("k", b), (b - c) * (b - c))),
            Direction.MINIMIZE);
        int proposed = GpSampler.builder().startupTrials(2).build().propose(space, history, 2, seed).getInt("k");
        if (proposed == a || proposed == b) repeats++;
        proposals++;
      }
    }
    assertEquals(40, proposals);
    assertTrue(repeats <= 2, repeats + " of 40 proposals were an integer already tried");
  }

  /**
   * Two workers ask in turn: the second proposal is made while the first is pending. On
   * k = int(1, 6), 40 histories of four different values tried, losses (k - c)^2 for a random c in
   * [1, 6]. At least one value is neither tried nor pending, so a repeat is never forced, and none is
   * expected: the pending point's improvement is 0, an untried value's positive unless the model is
   * sure of it too.
   * Measured: none; 15 of 40 when the lie was a noisy observation fitted with the data, which kept
   * variance and improvement at the pending point; 10 of 40 with the lie exact but the jitter's
   * variance left in the improvement (see GaussianProcess.isKnown).
   */
  @Test
  void aSecondProposalWhileTheFirstIsPendingDiffersFromIt() {
    SearchSpace space = SearchSpace.of(Parameter.intUniform("k", 1, 6));
    int repeats = 0;
    for (long seed = 0; seed < 40; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      double c = 1 + 5 * r.nextDouble();
      List<Integer> order = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6));
      java.util.Collections.shuffle(order, new Random(r.nextLong()));
      List<TrialRecord> trials = new ArrayList<>();
      for (int n = 0; n < 4; n++) {
        int k = order.get(n);
        trials.add(complete(space, n, Map.of("k", k), (k - c) * (k - c)));
      }
      GpSampler gp = GpSampler.builder().startupTrials(4).build();
      trials.add(TrialRecord.claimed(4, 0));
      Point first = gp.propose(space, new History(trials, Direction.MINIMIZE), 4, seed);
      trials.set(4, trials.get(4).withParams(first, -1)); // running: pending for the next proposal
      trials.add(TrialRecord.claimed(5, 0));
      Point second = gp.propose(space, new History(trials, Direction.MINIMIZE), 5, seed);
      if (first.equals(second)) repeats++;
    }
    assertEquals(0, repeats, "second proposals that were the pending first one, of 40");
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
