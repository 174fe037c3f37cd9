package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The allocation tests' diagnosis names the method that allocates and what it allocates. */
class AllocationSitesTest {
  private static volatile Object sink;

  @Test
  void namesTheAllocatingMethodAndClass() {
    String sites = AllocationSites.during(AllocationSitesTest::allocate);
    // 64 MB in arrays of 1 MB: larger than any TLAB, so every one is an event outside one.
    assertTrue(sites.contains("[J at org.caviar.model.train.AllocationSitesTest.allocate:"), sites);
  }

  @Test
  void saysWhenNothingOfOursAllocated() {
    String sites = AllocationSites.during(() -> {});
    assertTrue(sites.contains("no allocation events"), sites);
  }

  private static void allocate() {
    for (int i = 0; i < 64; i++) sink = new long[1 << 17];
  }
}
