package org.caviar.search.sampler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;

/**
 * Every combination of a few evenly spaced points per parameter, spaced on the parameter's own
 * scale (so a learning rate on a log scale gets 1e-4, 1e-3, ...), endpoints included. Categorical
 * parameters take every choice; integers take every value when there are no more than the
 * resolution. Conditional parameters branch only under the parent values that activate them, so
 * no combination repeats.
 *
 * <p>Trial n takes the grid point at position n of an order shuffled with the study seed, so the
 * best-so-far curve of a partial grid is not biased toward one corner and parallel workers never
 * share a point. Past the last point the study stops ({@link #pointCount}).
 */
public final class GridSampler implements Sampler {
  /** Refuse grids larger than this: the points are held in memory. */
  public static final int MAX_POINTS = 1_000_000;

  private final int defaultResolution;
  private final Map<String, Integer> resolutions;
  private SearchSpace cachedSpace;
  private long cachedSeed;
  private List<double[]> cachedPoints;

  /** {@code resolution} points per numeric parameter. */
  public GridSampler(int resolution) {
    this(resolution, Map.of());
  }

  /** {@code resolution} points per numeric parameter, except those named in {@code byName}. */
  public GridSampler(int resolution, Map<String, Integer> byName) {
    if (resolution < 1) throw new IllegalArgumentException("grid resolution must be >= 1, got " + resolution);
    byName.forEach((k, v) -> {
      if (v == null || v < 1) throw new IllegalArgumentException("grid resolution of '" + k + "' must be >= 1, got " + v);
    });
    this.defaultResolution = resolution;
    this.resolutions = new HashMap<>(byName);
  }

  @Override
  public synchronized Point propose(SearchSpace space, History history, int number, long seed) {
    List<double[]> points = points(space, seed);
    return space.pointFromUnit(points.get(number % points.size()));
  }

  @Override
  public synchronized long pointCount(SearchSpace space) {
    if (cachedPoints != null && space.equals(cachedSpace)) return cachedPoints.size();
    return count(space, axes(space), 0, new double[space.size()]);
  }

  /** The number of grid points below parameter i, given the positions before it; stops past the cap. */
  private static long count(SearchSpace space, double[][] axes, int i, double[] unit) {
    if (i == space.size()) return 1;
    if (!space.isActive(i, unit)) {
      unit[i] = Double.NaN;
      return count(space, axes, i + 1, unit);
    }
    long n = 0;
    for (double u : axes[i]) {
      unit[i] = u;
      n += count(space, axes, i + 1, unit);
      if (n > MAX_POINTS) return n;
    }
    return n;
  }

  private List<double[]> points(SearchSpace space, long seed) {
    if (cachedPoints == null || !space.equals(cachedSpace) || seed != cachedSeed) {
      List<double[]> pts = enumerate(space);
      // Fisher-Yates with a generator of its own, so the order depends on the seed alone.
      SplittableRandom r = Seeds.forPurpose(seed, 0x6772696400L);
      for (int i = pts.size() - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        double[] t = pts.get(i);
        pts.set(i, pts.get(j));
        pts.set(j, t);
      }
      cachedSpace = space;
      cachedSeed = seed;
      cachedPoints = pts;
    }
    return cachedPoints;
  }

  /** All grid points, as unit positions (NaN for inactive parameters), in a fixed order. */
  public List<double[]> enumerate(SearchSpace space) {
    double[][] axes = axes(space);
    long n = count(space, axes, 0, new double[space.size()]);
    if (n > MAX_POINTS) {
      throw new IllegalArgumentException("grid has more than " + MAX_POINTS + " points: lower the resolution");
    }
    List<double[]> out = new ArrayList<>((int) n);
    fill(space, axes, 0, new double[space.size()], out);
    return out;
  }

  private double[][] axes(SearchSpace space) {
    for (String name : resolutions.keySet()) {
      if (space.indexOf(name) < 0) throw new IllegalArgumentException("grid resolution given for unknown parameter '" + name + "'");
    }
    double[][] axes = new double[space.size()][];
    for (int i = 0; i < space.size(); i++) {
      Parameter p = space.get(i);
      axes[i] = axis(p, resolutions.getOrDefault(p.name(), defaultResolution));
    }
    return axes;
  }

  private static void fill(SearchSpace space, double[][] axes, int i, double[] unit, List<double[]> out) {
    if (i == space.size()) {
      out.add(unit.clone());
      return;
    }
    if (!space.isActive(i, unit)) {
      unit[i] = Double.NaN;
      fill(space, axes, i + 1, unit, out);
      return;
    }
    for (double u : axes[i]) {
      unit[i] = u;
      fill(space, axes, i + 1, unit, out);
    }
  }

  /** The unit positions of one parameter's grid values. */
  static double[] axis(Parameter p, int resolution) {
    return switch (p) {
      case FixedParameter f -> new double[] {0.5};
      case CategoricalParameter c -> {
        double[] a = new double[c.size()];
        for (int k = 0; k < a.length; k++) a[k] = c.unitOfIndex(k);
        yield a;
      }
      case FloatParameter f -> {
        if (resolution == 1) yield new double[] {0.5};
        double[] a = new double[resolution];
        for (int k = 0; k < resolution; k++) a[k] = (double) k / (resolution - 1);
        yield a;
      }
      case IntParameter n -> {
        TreeSet<Integer> values = new TreeSet<>();
        if ((long) n.hi() - n.lo() + 1 <= resolution) {
          for (int v = n.lo(); v <= n.hi(); v++) values.add(v);
        } else if (resolution == 1) {
          values.add(n.valueAt(0.5));
        } else {
          for (int k = 0; k < resolution; k++) values.add(n.valueAt((double) k / (resolution - 1)));
        }
        yield values.stream().mapToDouble(n::unitOf).toArray();
      }
    };
  }

  @Override
  public String name() {
    return "grid";
  }
}
