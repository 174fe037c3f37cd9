package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.caviar.search.sampler.GridSampler;

/**
 * A float parameter's range [lo, hi] is inclusive at both ends, on every scale: unit position 0 is
 * lo and 1 is hi, bit for bit (a grid's endpoints are the user's own numbers, not 0.49999999999999994
 * for 0.5), and every position in between gives a value inside the range.
 */
class BoundsProperties {
  private static void assertEndpointsExact(FloatParameter p) {
    assertEquals(p.lo(), p.valueAt(0), 0, p + " at 0");
    assertEquals(p.hi(), p.valueAt(1), 0, p + " at 1");
    assertEquals(p.lo(), (Double) p.fromUnit(-0.5), 0, p + " below 0");
    assertEquals(p.hi(), (Double) p.fromUnit(1.5), 0, p + " above 1");
  }

  @Property
  void logRangesKeepTheirEndpoints(@ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = -8, max = 3) double exponent,
      @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 1e-3, max = 8) double decades, @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 0, max = 1) double u) {
    double lo = Math.pow(10, exponent);
    double hi = lo * Math.pow(10, decades);
    assertEndpointsExact(Parameter.logUniform("lr", lo, hi));
    double v = Parameter.logUniform("lr", lo, hi).valueAt(u);
    assertTrue(v >= lo && v <= hi, v + " outside [" + lo + ", " + hi + "]");
  }

  @Property
  void oneMinusLogRangesKeepTheirEndpoints(@ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 0, max = 0.99) double lo,
      @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 1e-3, max = 1) double share, @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 0, max = 1) double u) {
    double hi = lo + share * (1 - lo);
    Assume.that(hi < 1 && Math.log10(1 - lo) != Math.log10(1 - hi));
    assertEndpointsExact(Parameter.oneMinusLog("beta", lo, hi));
    double v = Parameter.oneMinusLog("beta", lo, hi).valueAt(u);
    assertTrue(v >= lo && v <= hi, v + " outside [" + lo + ", " + hi + "]");
  }

  @Property
  void linearRangesKeepTheirEndpoints(@ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = -1e6, max = 1e6) double lo,
      @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 1e-6, max = 1e6) double width) {
    Assume.that(lo + width > lo);
    assertEndpointsExact(Parameter.uniform("x", lo, lo + width));
  }

  /** The numbers a user writes for a learning rate: a grid of 2 takes exactly them. */
  @Property(tries = 50)
  void aGridTakesTheUsersOwnEndpoints(@ForAll("round") double lo, @ForAll("round") double hi) {
    Assume.that(lo < hi);
    SearchSpace space = SearchSpace.of(Parameter.logUniform("lr", lo, hi));
    TreeSet<Double> values = new TreeSet<>();
    for (double[] u : new GridSampler(2).enumerate(space)) values.add(space.pointFromUnit(u).getDouble("lr"));
    assertEquals(new TreeSet<>(List.of(lo, hi)), values);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Double> round() {
    return net.jqwik.api.Arbitraries.of(1e-6, 5e-6, 1e-5, 3e-5, 5e-5, 1e-4, 3e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.3,
        0.5, 0.9, 0.99, 0.999, 1.0, 5.0, 50.0);
  }

  /**
   * An integer's share of the unit interval is exactly where {@link IntParameter#valueAt} gives it,
   * as documented: [shareStart(v), shareEnd(v)), so its start gives v and the double just below it
   * the value before. Rounding in log and exp (or in a long linear range) put a share's start on
   * the value before it (int(-220, 37399): shareStart(13958) gave 13957).
   */
  @Property
  void integerSharesAreHalfOpenAsDocumented(@ForAll @net.jqwik.api.constraints.IntRange(min = -100_000, max = 100_000) int lo,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 1_000_000) int width,
      @ForAll @net.jqwik.api.constraints.Scale(12) @DoubleRange(min = 0, max = 1) double at, @ForAll boolean log) {
    int low = log ? Math.abs(lo) + 1 : lo;
    IntParameter p = log ? Parameter.intLog("k", low, low + width) : Parameter.intUniform("k", low, low + width);
    int v = (int) Math.min(p.hi(), p.lo() + (long) (at * ((long) p.hi() - p.lo() + 1)));
    double start = p.shareStart(v);
    double end = p.shareEnd(v);
    assertEquals(v, p.valueAt(start), p + ": start of " + v);
    assertEquals(v, p.valueAt(Math.nextDown(end)), p + ": end of " + v);
    if (v > p.lo()) assertEquals(v - 1, p.valueAt(Math.nextDown(start)), p + ": just before " + v);
    if (v < p.hi()) assertEquals(v + 1, p.valueAt(end), p + ": end of " + v + " is the start of the next");
  }
}
