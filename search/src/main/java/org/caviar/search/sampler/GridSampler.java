package org.caviar.search.sampler;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntUnaryOperator;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.Scale;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/**
 * Every combination of a few evenly spaced points per parameter, spaced on the parameter's own
 * scale (so a learning rate on a log scale gets 1e-4, 1e-3, ...), endpoints included. Categorical
 * parameters take every choice; integers take every value when there are no more than the
 * resolution, else the points rounded (int_log(1, 1000) at 4 gets 1, 10, 100, 1000), fewer where
 * rounding merges two. Conditional parameters branch only under the parent values that activate
 * them, so no combination repeats.
 *
 * <p>Trials take the grid points in an order shuffled with the study seed, so the best-so-far
 * curve of a partial grid is not biased toward one corner; each takes the first point no trial has
 * yet (in a clean run trial n takes position n), so parallel workers never share a point and a
 * study resumed after a crash still covers every point once (but for a point whose re-run was
 * interrupted while it ran too, {@link TrialRecord#isInterruptedWhileRunning()}, killed or stopped:
 * given up, as {@link org.caviar.search.study.Study} gives it up; a re-run that never ran gives up
 * nothing). Past the last point the study stops
 * ({@link #pointCount}).
 */
public final class GridSampler implements Sampler {
  /** Refuse grids larger than this: the points are held in memory. */
  public static final int MAX_POINTS = 1_000_000;

  private final int defaultResolution;
  private final Map<String, Integer> resolutions;
  private SearchSpace cachedSpace;
  private long cachedSeed;
  private List<double[]> cachedPoints;
  /** The points of the first positions of {@link #cachedPoints} looked at so far. */
  private final List<Point> cachedPointObjects = new ArrayList<>();

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

  /**
   * The first point of the shuffled order that no trial of the history has, skipping one more for
   * each lower-numbered trial that has no point yet but will take one (claimed by another worker, or
   * missing from the history): trial numbers are not grid positions once a crash has re-run a
   * trial's point under a new number or used a number up without one. In a clean run, trial n
   * takes position n. Past the last point: one whose trials were all interrupted, none of them a
   * re-run interrupted while it ran (such a point is given up, as by the study), else position
   * {@code number} again.
   */
  @Override
  public synchronized Point propose(SearchSpace space, History history, int number, long seed) {
    List<double[]> points = points(space, seed);
    Map<Point, Boolean> taken = new HashMap<>(); // point -> whether a trial not interrupted has it
    int settledBelow = 0;
    for (TrialRecord t : history.trials()) {
      // A point whose re-run was interrupted while it ran is given up, as the study gives it up: taken.
      if (t.params() != null) {
        taken.merge(t.params(), !t.isInterrupted() || (t.retryOf() >= 0 && t.isInterruptedWhileRunning()), Boolean::logicalOr);
      }
      if (t.number() < number && (t.params() != null || t.state().isFinished())) settledBelow++;
    }
    int skip = Math.max(0, number - settledBelow);
    List<Point> onlyInterrupted = new ArrayList<>();
    for (int k = 0; k < points.size(); k++) {
      Point p = pointAt(space, points, k);
      Boolean counted = taken.get(p);
      if (counted == null) {
        if (skip-- == 0) return p;
      } else if (!counted) {
        onlyInterrupted.add(p);
      }
    }
    // Every point is taken: a lost trial not re-run yet (on a shared storage, say) left its point unevaluated.
    if (skip < onlyInterrupted.size()) return onlyInterrupted.get(skip);
    return pointAt(space, points, number % points.size());
  }

  /** The point at position k of the order, built once (a clean run looks at positions 0..n at trial n). */
  private Point pointAt(SearchSpace space, List<double[]> order, int k) {
    while (cachedPointObjects.size() <= k) cachedPointObjects.add(null);
    Point p = cachedPointObjects.get(k);
    if (p == null) {
      p = space.pointFromUnit(order.get(k));
      cachedPointObjects.set(k, p);
    }
    return p;
  }

  /** The number of grid points, exact even past {@link #MAX_POINTS} (up to Long.MAX_VALUE). */
  @Override
  public synchronized long pointCount(SearchSpace space) {
    if (cachedPoints != null && space.equals(cachedSpace)) return cachedPoints.size();
    return count(space, Long.MAX_VALUE);
  }

  /**
   * {@link #pointCount}, exact up to {@code limit}; past it, exact or Long.MAX_VALUE (more than
   * {@code limit}, not counted to the end): for a check against a limit, which need not count a
   * narrow band of a log-scale integer axis one grid value at a time past it.
   */
  public synchronized long pointCount(SearchSpace space, long limit) {
    if (cachedPoints != null && space.equals(cachedSpace)) return cachedPoints.size();
    return count(space, limit);
  }

  /**
   * The number of grid points, from each axis's length: only the axes of parents of conditional
   * parameters (categorical, short) are built, so a huge resolution is counted at once.
   */
  private long count(SearchSpace space, long limit) {
    checkNames(space);
    boolean[] parent = new boolean[space.size()];
    for (int i = 0; i < space.size(); i++) if (space.parentOf(i) >= 0) parent[space.parentOf(i)] = true;
    double[][] parentAxes = new double[space.size()][];
    long[] lengths = new long[space.size()];
    for (int i = 0; i < space.size(); i++) {
      Parameter p = space.get(i);
      int resolution = resolutions.getOrDefault(p.name(), defaultResolution);
      if (parent[i]) parentAxes[i] = axis(p, resolution);
      lengths[i] = parent[i] ? parentAxes[i].length : axisLength(p, resolution, limit);
    }
    return count(space, parentAxes, lengths, 0, new double[space.size()]);
  }

  /**
   * The number of grid points below parameter i, given the positions before it. Only a parent
   * branches; any other parameter multiplies, as no later one reads its position.
   */
  private static long count(SearchSpace space, double[][] parentAxes, long[] lengths, int i, double[] unit) {
    if (i == space.size()) return 1;
    if (!space.isActive(i, unit)) {
      unit[i] = Double.NaN;
      return count(space, parentAxes, lengths, i + 1, unit);
    }
    if (parentAxes[i] == null) {
      unit[i] = 0.5;
      long below = count(space, parentAxes, lengths, i + 1, unit);
      return below > Long.MAX_VALUE / lengths[i] ? Long.MAX_VALUE : below * lengths[i];
    }
    long n = 0;
    for (double u : parentAxes[i]) {
      unit[i] = u;
      long below = count(space, parentAxes, lengths, i + 1, unit);
      n = below > Long.MAX_VALUE - n ? Long.MAX_VALUE : n + below;
    }
    return n;
  }

  /** The length of {@link #axis}{@code (p, resolution)}, without building it. */
  static long axisLength(Parameter p, int resolution) {
    return axisLength(p, resolution, Long.MAX_VALUE);
  }

  /** {@link #axisLength(Parameter, int)}, exact up to {@code limit}; past it, exact or Long.MAX_VALUE (see {@link #distinctGridValues(IntParameter, int, IntUnaryOperator, long)}). */
  static long axisLength(Parameter p, int resolution, long limit) {
    return switch (p) {
      case FixedParameter f -> 1;
      case CategoricalParameter c -> c.size();
      case FloatParameter f -> resolution;
      case IntParameter n -> {
        long range = (long) n.hi() - n.lo() + 1;
        if (range <= resolution) yield range;
        if (resolution == 1) yield 1;
        yield distinctGridValues(n, resolution, k -> gridValue(n, k, resolution), limit);
      }
    };
  }

  /**
   * The number of distinct {@link #gridValue}s of k = 0 .. resolution - 1 on a parameter with
   * more integers than the resolution, without evaluating each k (a loop over 2 * 10^8 of them
   * took seconds before the first trial). gridValue is non-decreasing in k, so the count is one
   * more than the number of k at which it rises. Before rounding, the step from k to k + 1 is
   * constant on a linear scale and grows with k on a log one. Where it is below 1 by more than
   * rounding error, the value rises by 0 or 1 at each k, so the rises on [i, j] number
   * gridValue(j) - gridValue(i); where it is above 1 by as much, it rises at every k, so they
   * number j - i. Only the k around a step of 1 are counted one by one (on a log scale, where
   * that is a narrow band of k; a linear scale is counted exactly without a margin, see
   * {@link #distinctLinearGridValues}).
   */
  static long distinctGridValues(IntParameter n, int resolution) {
    return distinctGridValues(n, resolution, k -> gridValue(n, k, resolution));
  }

  /** {@link #distinctGridValues}, evaluating {@link #gridValue}{@code (n, k, resolution)} as {@code value} (k). */
  static long distinctGridValues(IntParameter n, int resolution, IntUnaryOperator value) {
    return distinctGridValues(n, resolution, value, Long.MAX_VALUE);
  }

  /**
   * {@link #distinctGridValues(IntParameter, int, IntUnaryOperator)}, exact up to {@code limit};
   * past it, exact, or Long.MAX_VALUE once the values counted one by one pass it.
   */
  static long distinctGridValues(IntParameter n, int resolution, IntUnaryOperator value, long limit) {
    if (n.scale() != Scale.LOG) return distinctLinearGridValues(n, resolution, value);
    int last = resolution - 1;
    // Rounding error of a value before rounding, and of the unit shares valueAt compares (their
    // width 1 / range against the grid's spacing): below 1e-14 of the largest magnitude.
    double margin = 1e-9 + 1e-12 * ((double) Math.abs((long) n.lo()) + Math.abs((long) n.hi()));
    double lnLo = Math.log(n.lo());
    double span = Math.log(n.hi()) - lnLo;
    double growth = Math.expm1(span / last); // the step at k is lo e^(span k / last) growth
    // The steps before dense are below 1 - margin, those from sparse on above 1 + margin.
    int dense = clampIndex(Math.floor((Math.log((1 - margin) / growth) - lnLo) / span * last) - 2, last, 0);
    int sparse = Math.max(dense, clampIndex(Math.ceil((Math.log((1 + margin) / growth) - lnLo) / span * last) + 2, last, last));
    int atDense = value.applyAsInt(dense);
    int atSparse = value.applyAsInt(sparse);
    long denseRises = (long) atDense - value.applyAsInt(0);
    long sparseRises = last - sparse;
    if (denseRises > dense || (long) value.applyAsInt(last) - atSparse < sparseRises) {
      // Cannot be if the margins hold: count every k rather than trust them.
      dense = 0;
      sparse = last;
      denseRises = 0;
      sparseRises = 0;
      atDense = value.applyAsInt(0);
    }
    long rises = denseRises + sparseRises;
    int previous = atDense;
    for (int k = dense + 1; k <= sparse; k++) {
      // Past the limit after more than limit values looked at one by one: stop (a count that is
      // cheap, the band short, stays exact). The band's steps are near 1, so this ends the loop
      // soon after limit evaluations.
      if (rises >= limit && k - dense > limit) return Long.MAX_VALUE;
      int v = value.applyAsInt(k);
      if (v != previous) rises++;
      previous = v;
    }
    return rises + 1;
  }

  /**
   * {@link #distinctGridValues} on a linear scale, R = hi - lo + 1 integers above the resolution
   * L + 1, without a margin (one of 2e-4 around a step of 1 looped over all 2e8 grid values of
   * int(0, 2e8), seconds before the "too many points" refusal). Value k is lo + J(k), J(k) the
   * largest j with fl(j / R) <= fl(k / L) (valueAt's shares, quotients of integers below 2^33 each
   * rounded once; the last value at k = L): floor(k R / L), or one more where (floor(k R / L) + 1)
   * / R rounds to the double k / L rounds to. The step k R / L is above 1, so J(k + 1) >= floor(k R
   * / L) + 1 and two values merge only at such a k: there m L - k R = e for m = floor(k R / L) + 1
   * and e within the doubles' spacing, 0 < e <= R L 2^-52. Those k solve k R = -e (mod L), a few
   * thousand at most: each is looked at.
   */
  private static long distinctLinearGridValues(IntParameter n, int resolution, IntUnaryOperator value) {
    long last = resolution - 1; // L >= 1
    long range = (long) n.hi() - n.lo() + 1; // R > L + 1
    // R L 2^-52, rounded up, and one spare; e = m L - k R is also at most L (m L > k R >= m L - L),
    // and each e up to L is one residue: no k is looked at twice.
    long maxE = Math.min(last, (long) Math.ceil((double) range * last * 0x1p-52) + 1);
    long r = range % last;
    long g = BigInteger.valueOf(r).gcd(BigInteger.valueOf(last)).longValueExact(); // gcd(0, L) = L
    long period = last / g; // k R = -e (mod L) needs g | e, then k = -(e / g) (r / g)^-1 (mod L / g)
    long inverse = period == 1 ? 0
        : BigInteger.valueOf(r / g).modInverse(BigInteger.valueOf(period)).longValueExact();
    long merges = 0;
    for (long e = g; e <= maxE; e += g) {
      long k0 = Math.floorMod(-((e / g) % period) * inverse, period);
      for (long k = k0; k < last; k += period) {
        if (value.applyAsInt((int) k) == value.applyAsInt((int) k + 1)) merges++;
      }
    }
    return resolution - merges;
  }

  /** k within [0, last]; ifNaN (never expected) for NaN, the end that counts every k. */
  private static int clampIndex(double k, int last, int ifNaN) {
    return Double.isNaN(k) ? ifNaN : k <= 0 ? 0 : k >= last ? last : (int) k;
  }

  private void checkNames(SearchSpace space) {
    for (String name : resolutions.keySet()) {
      int i = space.indexOf(name);
      if (i < 0) throw new IllegalArgumentException("grid resolution given for unknown parameter '" + name + "'");
      // Its grid is its choices (or its one value): a resolution would be silently ignored.
      Parameter p = space.get(i);
      if (p instanceof CategoricalParameter || p instanceof FixedParameter) {
        throw new IllegalArgumentException("grid resolution given for '" + name + "', a " + (p instanceof FixedParameter ? "fixed" : "categorical")
            + " parameter: the grid takes " + (p instanceof FixedParameter ? "its one value" : "each of its choices") + ", give resolutions to numeric ones only");
      }
    }
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
      cachedPointObjects.clear();
    }
    return cachedPoints;
  }

  /** All grid points, as unit positions (NaN for inactive parameters), in a fixed order. */
  public List<double[]> enumerate(SearchSpace space) {
    long n = count(space, MAX_POINTS);
    if (n > MAX_POINTS) {
      throw new IllegalArgumentException("grid has " + (n == Long.MAX_VALUE ? "more than " + MAX_POINTS + " points" : n + " points, more than "
          + MAX_POINTS) + ": lower the resolution");
    }
    double[][] axes = axes(space);
    List<double[]> out = new ArrayList<>((int) n);
    fill(space, axes, 0, new double[space.size()], out);
    return out;
  }

  private double[][] axes(SearchSpace space) {
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
          for (long v = n.lo(); v <= n.hi(); v++) values.add((int) v); // an int v would wrap at Integer.MAX_VALUE
        } else if (resolution == 1) {
          values.add(n.valueAt(0.5));
        } else {
          for (int k = 0; k < resolution; k++) values.add(gridValue(n, k, resolution));
        }
        yield values.stream().mapToDouble(n::unitOf).toArray();
      }
    };
  }

  /**
   * Value k of a grid of {@code resolution} >= 2 points on an integer parameter with more values.
   * On a log scale, the points evenly spaced in log(value) from lo to hi, rounded (several may round
   * to one value). Linear, the value at unit position k / (resolution - 1) as always: unit positions
   * span [lo - 1/2, hi + 1/2], evenly enough on a linear scale, but on a log scale that widening
   * crowds the points toward lo (int_log(1, 1000) at 4 gave 1, 6, 79, 1000).
   */
  static int gridValue(IntParameter n, int k, int resolution) {
    double t = (double) k / (resolution - 1);
    if (n.scale() != Scale.LOG) return n.valueAt(t);
    double lnLo = Math.log(n.lo());
    long v = Math.round(Math.exp(lnLo + t * (Math.log(n.hi()) - lnLo)));
    return (int) Math.max(n.lo(), Math.min(n.hi(), v));
  }

  @Override
  public String name() {
    return "grid";
  }
}
