package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSpecTest {
  /**
   * A layer past one array names its sizes, its weights and the limit as the other messages write
   * counts, grouped in threes: "3000000000 weights ... (2147483639)" was hard to read at a glance.
   */
  @Test
  void aLayerBeyondOneArrayNamesItsCountsGrouped() {
    var e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.of(64, List.of(30_000, 100_000), 10));
    assertEquals("layer 2 (30,000 x 100,000) has 3,000,000,000 weights, more than one array holds (2,147,483,639)", e.getMessage());
    // Parsed, the spec is named as written, its sizes as typed; the counts of the message grouped.
    e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("64-30000-100000-10"));
    assertEquals("network spec '64-30000-100000-10': layer 2 (30,000 x 100,000) has 3,000,000,000 weights, more than one array "
        + "holds (2,147,483,639)", e.getMessage());
  }
}
