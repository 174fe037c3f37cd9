package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunQuickScriptTest {
  /** The usage comes from the script's header at once: no JDK search, no build, no JMH. */
  @Test
  void helpPrintsTheUsageWithoutBuilding() throws Exception {
    Path script = Path.of("run-quick").toAbsolutePath(); // surefire runs in the module's folder
    assertTrue(Files.isExecutable(script), script + " is missing or not executable");
    for (String flag : new String[] {"--help", "-h"}) {
      Process p = new ProcessBuilder(script.toString(), flag).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), out);
      assertTrue(out.startsWith("Builds the benchmarks and runs a short version"), out);
      assertTrue(out.contains("bench/run-quick --no-build ...") && !out.contains("Building"), out);
      assertTrue(!out.contains("#"), "comment markers stripped: " + out);
    }
  }
}
