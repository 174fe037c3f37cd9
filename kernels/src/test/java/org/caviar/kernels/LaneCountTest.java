package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Which code paths a run of these tests covers: the GEMM's tile follows the preferred species, and
 * the build's eight-lane run (kernels/pom.xml, {@code -XX:UseAVX=2}, which sets
 * {@code caviar.maxLanes}) really runs on at most 8 lanes, so that the AVX2 machines' paths are
 * the ones it tests.
 */
class LaneCountTest {
  @Test
  void theTileFollowsTheSpeciesAndTheEightLaneRunHasAtMostEight() {
    int lanes = FloatVector.SPECIES_PREFERRED.length();
    assertEquals(lanes, VectorGemm.L);
    assertEquals(lanes >= 16 ? 12 : 4, VectorGemm.MR);
    assertEquals(2 * lanes, VectorGemm.NR);
    int max = Integer.getInteger("caviar.maxLanes", Integer.MAX_VALUE);
    assertTrue(lanes <= max, "caviar.maxLanes is " + max + " but the preferred species has " + lanes + " lanes");
  }
}
