package org.caviar.model;

import java.lang.management.ManagementFactory;

/**
 * Whether this JVM runs with the JaCoCo agent ({@code ./mvnw verify -Pcoverage}). The tests that
 * count allocations skip themselves then: the agent's probes keep C2 from removing the Vector API's
 * boxes (the two-thread steps of ParallelTrainingTest allocated 59 MB each), so the count would
 * measure the agent, not the trainer.
 */
public final class CoverageAgent {
  private CoverageAgent() {}

  public static boolean attached() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("jacoco"));
  }
}
