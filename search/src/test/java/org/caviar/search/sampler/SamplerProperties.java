package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.caviar.search.Spaces;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class SamplerProperties {
  static List<Sampler> samplers() {
    return List.of(new RandomSampler(), new GridSampler(3), new CoarseToFineSampler(8, 0.25),
        TpeSampler.builder().startupTrials(5).multivariate(false).build(),
        TpeSampler.builder().startupTrials(5).multivariate(true).build(),
        GpSampler.builder().startupTrials(5).candidates(200).build());
  }

  /** A bumpy objective of every parameter, so that model-based samplers have something to model. */
  static double objective(Point p) {
    double v = Math.log10(p.getDouble("lr")) + 2 * p.getDouble("dropout") - Math.log10(1 - p.getDouble("beta1"));
    v += Math.abs(p.getInt("units") - 100) / 100.0 + p.getInt("layers");
    v += switch (p.getString("optimizer")) {
      case "adam" -> -Math.log10(1 - p.getDouble("beta2"));
      case "momentum" -> p.getDouble("momentum");
      default -> 2;
    };
    return v;
  }

  static List<Point> run(Sampler sampler, long seed, int trials) {
    Study study = Study.builder(Spaces.everyKind()).sampler(sampler).seed(seed).workers(1).build();
    List<Point> out = new ArrayList<>();
    for (TrialRecord t : study.optimize(t -> objective(t.params()), Budget.trials(trials)).trials()) out.add(t.params());
    return out;
  }

  /** Every value of p is a value of its parameter, and exactly the parameters whose condition holds are active. */
  static void assertInSpace(SearchSpace space, Point p) {
    for (int i = 0; i < space.size(); i++) {
      Parameter param = space.get(i);
      boolean shouldBeActive = !param.isConditional()
          || (p.value(space.indexOf(param.condition().parent())) != null
              && param.condition().values().contains(p.getString(param.condition().parent())));
      Object v = p.value(i);
      if (!shouldBeActive) {
        assertNull(v, param.name() + " should be inactive in " + p);
        assertTrue(Double.isNaN(p.unit(i)));
        continue;
      }
      assertNotNull(v, param.name() + " should be active in " + p);
      assertTrue(p.unit(i) >= 0 && p.unit(i) <= 1, param.name() + " unit " + p.unit(i));
      switch (param) {
        case FloatParameter f -> {
          double x = (Double) v;
          assertTrue(x >= f.lo() && x <= f.hi(), param.name() + " = " + x);
        }
        case IntParameter n -> {
          int x = (Integer) v;
          assertTrue(x >= n.lo() && x <= n.hi(), param.name() + " = " + x);
        }
        case CategoricalParameter c -> assertTrue(c.choices().contains((String) v), param.name() + " = " + v);
        case FixedParameter f -> assertEquals(f.value(), v);
      }
    }
  }

  @Property(tries = 8)
  void samplesAlwaysLieInTheSpace(@ForAll long seed) {
    SearchSpace space = Spaces.everyKind();
    for (Sampler s : samplers()) {
      for (Point p : run(s, seed, 30)) assertInSpace(space, p);
    }
  }

  @Property(tries = 5)
  void sameSeedSameSequence(@ForAll long seed) {
    for (Sampler s : samplers()) {
      List<Point> a = run(s, seed, 25);
      List<Point> b = run(s, seed, 25);
      assertEquals(a, b, s.name());
      // A different seed changes the sequence (the grid's order, the random draws).
      assertNotEquals(a, run(s, seed + 1, 25), s.name());
    }
  }

  /**
   * Maximizing -f is minimizing f: every sampler reads values through the direction's loss, so the
   * two studies propose the same points (one that compared raw values would chase the worst).
   */
  @Property(tries = 3)
  void maximizingTheNegationProposesTheSamePoints(@ForAll long seed) {
    for (Sampler s : samplers()) {
      List<List<Point>> runs = new ArrayList<>();
      for (Direction d : Direction.values()) {
        Study study = Study.builder(Spaces.everyKind()).sampler(s).direction(d).seed(seed).workers(1).build();
        double sign = d == Direction.MINIMIZE ? 1 : -1;
        List<Point> points = new ArrayList<>();
        for (TrialRecord t : study.optimize(t -> sign * objective(t.params()), Budget.trials(25)).trials()) points.add(t.params());
        runs.add(points);
      }
      assertEquals(runs.get(0), runs.get(1), s.name());
    }
  }

  @Property(tries = 5)
  void eachTrialsDrawsDependOnlyOnSeedAndNumber(@ForAll long seed) {
    // A sampler without history: trial 7's proposal is the same whatever came before it.
    SearchSpace space = Spaces.everyKind();
    RandomSampler r = new RandomSampler();
    Point alone = r.propose(space, org.caviar.search.trial.History.empty(Direction.MINIMIZE), 7, seed);
    List<Point> run = run(r, seed, 8);
    assertEquals(alone, run.get(7));
  }
}
