package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Choice i of n covers [i / n, (i + 1) / n) of the unit interval, its ends the doubles nearest
 * i / n: {@link CategoricalParameter#indexAt} gives i on the whole share, its start included (the
 * product u * n rounds 1.0 / 49 * 49 to 0.9999999999999999, which truncated to choice 0), and the
 * choice before it just below; each choice's middle, its unit position, gives it back.
 */
class CategoricalShareProperties {
  private static CategoricalParameter choices(int n) {
    List<String> c = new ArrayList<>(n);
    for (int i = 0; i < n; i++) c.add("c" + i);
    return Parameter.categorical("c", c);
  }

  @Test
  void everyShareStartsExactlyAtItsBoundary() {
    int wrong = 0;
    String first = null;
    for (int n = 1; n <= 1000; n++) {
      CategoricalParameter p = choices(n);
      for (int i = 0; i < n; i++) {
        double start = (double) i / n;
        boolean ok = p.indexAt(start) == i && (i == 0 || p.indexAt(Math.nextDown(start)) == i - 1);
        ok &= p.indexAt(p.unitOfIndex(i)) == i && p.fromUnit(p.toUnit("c" + i)).equals("c" + i); // the round trip
        if (!ok && wrong++ == 0) {
          first = "n = " + n + ", u = " + i + "/" + n + ": " + p.indexAt(start) + ", just below: " + p.indexAt(Math.nextDown(start));
        }
      }
      assertEquals(n - 1, p.indexAt(1.0), "n = " + n + " at 1");
      assertEquals(n - 1, p.indexAt(Math.nextDown(1.0)), "n = " + n + " just below 1");
    }
    assertEquals(0, wrong, wrong + " share starts give the wrong choice, the first " + first);
  }

  @Property(tries = 2000)
  void anyPositionIsInTheShareOfItsChoiceAndChoicesRoundTrip(@ForAll @IntRange(min = 1, max = 1000) int n,
      @ForAll @DoubleRange(min = 0, max = 1) double u) {
    CategoricalParameter p = choices(n);
    int i = p.indexAt(u);
    assertTrue(i >= 0 && i < n, "index " + i + " of " + n);
    assertTrue((double) i / n <= u, u + " below the share of " + i + " of " + n);
    assertTrue(i == n - 1 || u < (double) (i + 1) / n, u + " past the share of " + i + " of " + n);
    String choice = (String) p.fromUnit(u);
    assertEquals("c" + i, choice);
    assertEquals(choice, p.fromUnit(p.toUnit(choice)));
    assertEquals(p.unitOfIndex(i), p.toUnit(choice), 0);
  }
}
