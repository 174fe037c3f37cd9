package org.caviar.model;

import java.lang.management.ManagementFactory;

/** Whether this JVM runs with the JaCoCo agent ({@code ./mvnw verify -Pcoverage}). */
public final class CoverageAgent {
  private CoverageAgent() {}

  public static boolean attached() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("jacoco"));
  }
}
