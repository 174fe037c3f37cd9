package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The build's eight-lane run of these tests (model/pom.xml, {@code -XX:UseAVX=2}, which sets
 * {@code caviar.maxLanes}) really runs the network on at most 8 lanes, the AVX2 machines' kernel
 * paths.
 */
class LaneCountTest {
  @Test
  void theEightLaneRunHasAtMostEight() {
    int lanes = FloatVector.SPECIES_PREFERRED.length();
    int max = Integer.getInteger("caviar.maxLanes", Integer.MAX_VALUE);
    assertTrue(lanes <= max, "caviar.maxLanes is " + max + " but the preferred species has " + lanes + " lanes");
  }
}
