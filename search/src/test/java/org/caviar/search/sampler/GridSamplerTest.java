package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.caviar.search.Spaces;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;

class GridSamplerTest {
  @Test
  void gridCoversEachAxisOnItsOwnScale() {
    SearchSpace s = SearchSpace.of(
        Parameter.logUniform("lr", 1e-4, 1),
        Parameter.uniform("x", 0, 1),
        Parameter.oneMinusLog("beta", 0.9, 0.999),
        Parameter.intUniform("layers", 1, 3),
        Parameter.categorical("act", "relu", "tanh"));
    GridSampler grid = new GridSampler(5, Map.of("beta", 3));
    Study study = Study.builder(s).sampler(grid).seed(1).workers(1).build();
    History h = study.optimize(t -> 0, Budget.trials(10_000));
    // 5 x 5 x 3 x 3 (all of 1..3) x 2 = 450 points, each once, then the study stops.
    assertEquals(450, grid.pointCount(s));
    assertEquals(450, h.size());
    Set<Point> distinct = new HashSet<>();
    TreeSet<Double> lr = new TreeSet<>();
    TreeSet<Double> x = new TreeSet<>();
    TreeSet<Double> beta = new TreeSet<>();
    TreeSet<Integer> layers = new TreeSet<>();
    TreeSet<String> act = new TreeSet<>();
    for (TrialRecord t : h.trials()) {
      Point p = t.params();
      distinct.add(p);
      lr.add(p.getDouble("lr"));
      x.add(p.getDouble("x"));
      beta.add(p.getDouble("beta"));
      layers.add(p.getInt("layers"));
      act.add(p.getString("act"));
    }
    assertEquals(450, distinct.size());
    // Powers of ten on the log scale, to the rounding of pow: a few ulps, 1e-14 relative.
    assertClose(new double[] {1e-4, 1e-3, 1e-2, 1e-1, 1}, lr);
    assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), List.copyOf(x));
    assertClose(new double[] {0.9, 0.99, 0.999}, beta);
    assertEquals(List.of(1, 2, 3), List.copyOf(layers));
    assertEquals(List.of("relu", "tanh"), List.copyOf(act));
  }

  private static void assertClose(double[] expected, TreeSet<Double> actual) {
    assertEquals(expected.length, actual.size(), actual.toString());
    int i = 0;
    for (double v : actual) {
      assertEquals(expected[i], v, 1e-14 * expected[i], actual.toString());
      i++;
    }
  }

  @Test
  void conditionalParametersBranchWithoutRepeats() {
    SearchSpace s = Spaces.everyKind();
    GridSampler grid = new GridSampler(2);
    List<double[]> points = grid.enumerate(s);
    // lr, beta1, dropout: 2 each; layers 1..3 at resolution 2 -> {1, 3}; units {16, 512};
    // optimizer: sgd (1) + momentum (2 values) + adam (2 values) = 5. 2^3 * 2 * 2 * 5 = 160.
    assertEquals(160, points.size());
    Set<Point> distinct = new HashSet<>();
    for (double[] u : points) {
      Point p = s.pointFromUnit(u);
      SamplerProperties.assertInSpace(s, p);
      distinct.add(p);
    }
    assertEquals(160, distinct.size());
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new GridSampler(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GridSampler(3, Map.of("nope", 2)).enumerate(Spaces.everyKind()));
    assertTrue(e.getMessage().contains("'nope'"));
    e = assertThrows(IllegalArgumentException.class, () -> new GridSampler(100).enumerate(Spaces.everyKind()));
    assertTrue(e.getMessage().contains("resolution"));
  }
}
