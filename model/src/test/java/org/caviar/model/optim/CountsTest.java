package org.caviar.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class CountsTest {
  /** From 1,000 on, digits in threes with a comma; below, as they are. */
  @Test
  void countsOfAThousandOrMoreAreGroupedInThrees() {
    assertEquals("0", Counts.grouped(0));
    assertEquals("999", Counts.grouped(999));
    assertEquals("1,000", Counts.grouped(1000));
    assertEquals("1,797", Counts.grouped(1797));
    assertEquals("3,000,000,000", Counts.grouped(3_000_000_000L));
    assertEquals("2,147,483,639", Counts.grouped(Integer.MAX_VALUE - 8));
    assertEquals("-1,000", Counts.grouped(-1000));
    assertEquals("-9,223,372,036,854,775,808", Counts.grouped(Long.MIN_VALUE));
  }

  /** The README's comma whatever the machine's locale: a German one groups with '.', a French one with a space. */
  @Test
  void theGroupingIgnoresTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      for (Locale l : new Locale[] {Locale.GERMANY, Locale.FRANCE, Locale.forLanguageTag("hi-IN-u-nu-deva")}) {
        Locale.setDefault(l);
        assertEquals("1,802,310,010", Counts.grouped(1_802_310_010L), l.toString());
      }
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void aCountNamesItsNounInThePluralUnlessOne() {
    assertEquals("0 trials", Counts.of(0, "trial"));
    assertEquals("1 trial", Counts.of(1, "trial"));
    assertEquals("2,000 trials", Counts.of(2000, "trial"));
  }
}
