package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;

/**
 * The length of an integer parameter's grid axis (the number of distinct grid values) is counted
 * without a loop over every grid index, and is the count that loop gives.
 */
class GridAxisLengthProperties {
  private static final int MAX_RESOLUTION = 100_000; // keeps the reference loop short

  /** The count as a loop over every grid index takes it: the reference. */
  private static long byLoop(IntParameter n, int resolution) {
    long distinct = 1;
    int last = GridSampler.gridValue(n, 0, resolution);
    for (int k = 1; k < resolution; k++) {
      int v = GridSampler.gridValue(n, k, resolution);
      if (v != last) distinct++;
      last = v;
    }
    return distinct;
  }

  /** hi from lo and a fraction of the room above it, spread over magnitudes; a resolution below the range. */
  private static void check(IntParameter n, double resolutionShare) {
    long range = (long) n.hi() - n.lo() + 1;
    int resolution = 2 + (int) ((Math.min(range - 1, MAX_RESOLUTION) - 2) * resolutionShare);
    Assume.that(resolution < range);
    assertEquals(byLoop(n, resolution), GridSampler.axisLength(n, resolution), n + " at " + resolution);
  }

  private static int hiAbove(int lo, double room) {
    long above = (long) Math.ceil(Math.pow((double) Integer.MAX_VALUE - lo, room));
    return (int) Math.min(Integer.MAX_VALUE, lo + Math.max(2, above));
  }

  @Property(tries = 400)
  void logAxesCountAsTheLoop(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 3) int lo,
      @ForAll @DoubleRange(min = 0, max = 1) double room, @ForAll @DoubleRange(min = 0, max = 1) double resolutionShare) {
    check(Parameter.intLog("n", lo, hiAbove(lo, room)), resolutionShare);
  }

  @Property(tries = 400)
  void linearAxesCountAsTheLoop(@ForAll @IntRange(min = Integer.MIN_VALUE, max = Integer.MAX_VALUE - 3) int lo,
      @ForAll @DoubleRange(min = 0, max = 1) double room, @ForAll @DoubleRange(min = 0, max = 1) double resolutionShare) {
    check(Parameter.intUniform("n", lo, hiAbove(lo, room)), resolutionShare);
  }

  /** A resolution just below the range: a step of about 1 before rounding, where the loop must decide. */
  @Property(tries = 200)
  void axesWithAStepOfAboutOneCountAsTheLoop(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - MAX_RESOLUTION - 2) int lo,
      @ForAll @IntRange(min = 2, max = MAX_RESOLUTION) int resolution, @ForAll @IntRange(min = 1, max = 3) int extra, @ForAll boolean log) {
    int hi = lo + resolution - 1 + extra;
    IntParameter n = log ? Parameter.intLog("n", lo, hi) : Parameter.intUniform("n", lo, hi);
    assertEquals(byLoop(n, resolution), GridSampler.axisLength(n, resolution), n + " at " + resolution);
  }

  /**
   * Linear, a step between 1 and 2 before rounding on ranges of any magnitude (and so any common
   * divisor of the range and the resolution): where rounding may merge two grid values.
   */
  @Property(tries = 300)
  void linearAxesWithAStepBelowTwoCountAsTheLoop(@ForAll @IntRange(min = Integer.MIN_VALUE, max = Integer.MAX_VALUE - 2 * MAX_RESOLUTION) int lo,
      @ForAll @IntRange(min = 2, max = MAX_RESOLUTION) int resolution, @ForAll @DoubleRange(min = 0, max = 1) double extraShare) {
    int hi = lo + resolution - 1 + 1 + (int) ((resolution - 1) * extraShare);
    IntParameter n = Parameter.intUniform("n", lo, hi);
    assertEquals(byLoop(n, resolution), GridSampler.axisLength(n, resolution), n + " at " + resolution);
  }

  /** The count of {@code n}'s grid values at {@code resolution}, and how many grid values it evaluated. */
  private static long[] countAndEvaluations(IntParameter n, int resolution) {
    long[] evaluations = {0};
    long count = GridSampler.distinctGridValues(n, resolution, k -> {
      evaluations[0]++;
      return GridSampler.gridValue(n, k, resolution);
    });
    return new long[] {count, evaluations[0]};
  }

  /**
   * 'tune --grid-resolution 200000000' on int(0, 200000000), a step within 1e-8 of 1, evaluated
   * every grid value (~2 s before the "too many points" refusal; the others here 16 s and 30 s): the count
   * evaluates only where rounding may merge two values. Expected counts: the loop's, taken once.
   */
  @Example
  void aLinearStepNearOneIsCountedWithoutEvaluatingEveryGridValue() {
    record Case(IntParameter n, int resolution, long loopCount) {}
    for (Case c : List.of(new Case(Parameter.intUniform("n", 0, 200_000_000), 200_000_000, 199_999_999L),
        new Case(Parameter.intUniform("n", 0, 2_000_000_000), 1_999_999_999, 1_999_999_917L),
        new Case(Parameter.intUniform("n", -(1 << 30), 1 << 30), Integer.MAX_VALUE, 2_147_483_646L))) {
      long[] got = countAndEvaluations(c.n(), c.resolution());
      assertEquals(c.loopCount(), got[0], c.n() + " at " + c.resolution());
      // At most a few thousand candidates (the rounding error of two quotients of integers below
      // 2^32, over the shares' width): far from the resolution's hundreds of millions.
      assertTrue(got[1] < 20_000, c.n() + " at " + c.resolution() + ": " + got[1] + " grid values evaluated");
    }
  }

  /**
   * On a log scale a range far from 1 has steps near 1 all along: int_log(2000000000, 2147483647)
   * at --grid-resolution 147483640 counted its 147 million grid values one by one (~1.2 s) before
   * the ">1,000,000 points" refusal. Counted up to a limit, the count stops once it is past it.
   */
  @Example
  void aCountUpToALimitStopsOncePastIt() {
    IntParameter n = Parameter.intLog("n", 2_000_000_000, Integer.MAX_VALUE);
    int resolution = 147_483_640;
    long[] evaluations = {0};
    long count = GridSampler.distinctGridValues(n, resolution, k -> {
      evaluations[0]++;
      return GridSampler.gridValue(n, k, resolution);
    }, GridSampler.MAX_POINTS);
    assertTrue(count > GridSampler.MAX_POINTS, "count " + count);
    // The band's values rise at nearly every grid index (each step is within 0.5% of 1): past the
    // limit after a little more than the limit's evaluations; 3x leaves room, far below 147 million.
    assertTrue(evaluations[0] < 3L * GridSampler.MAX_POINTS, evaluations[0] + " grid values evaluated");
  }

  /** Counted up to a limit, a count is exact up to it, and past it exact or Long.MAX_VALUE. */
  @Property(tries = 200)
  void aCountUpToALimitIsExactUpToIt(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 3) int lo,
      @ForAll @DoubleRange(min = 0, max = 1) double room, @ForAll @DoubleRange(min = 0, max = 1) double resolutionShare,
      @ForAll @IntRange(min = 1, max = MAX_RESOLUTION) int limit) {
    IntParameter n = Parameter.intLog("n", lo, hiAbove(lo, room));
    long range = (long) n.hi() - n.lo() + 1;
    int resolution = 2 + (int) ((Math.min(range - 1, MAX_RESOLUTION) - 2) * resolutionShare);
    Assume.that(resolution < range);
    long exact = byLoop(n, resolution);
    long limited = GridSampler.axisLength(n, resolution, limit);
    if (exact <= limit) assertEquals(exact, limited, n + " at " + resolution + " up to " + limit);
    else assertTrue(limited == exact || limited == Long.MAX_VALUE, n + " at " + resolution + " up to " + limit + ": " + limited);
  }

  /** './caviar tune --grid-resolution 200000000' on int_log(1, 2^31 - 1) spent ~25 s here before its first trial. */
  @Example
  void aHugeResolutionOnAWideRangeIsCountedAtOnce() {
    int max = Integer.MAX_VALUE;
    assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
      // The loop's counts (taken once; they take seconds to minutes).
      assertEquals(59_952_904L, GridSampler.axisLength(Parameter.intLog("n", 1, max), 200_000_000));
      assertEquals(406_506_530L, GridSampler.distinctGridValues(Parameter.intLog("n", 1, max), max));
      // Linear, 2^32 integers: the grid's spacing of about 2 keeps every one of its points apart.
      // (The loop's count too.)
      assertEquals(max, GridSampler.axisLength(Parameter.intUniform("n", Integer.MIN_VALUE, max), max));
      GridSampler.axisLength(Parameter.intLog("n", 1 << 20, max), 1 << 30);
    });
  }
}
