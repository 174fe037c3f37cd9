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
      // Every option QuickRun takes is in the usage: --out was not, though the summary's place is one a user picks.
      for (String option : new String[] {"--full", "--forks", "-p ", "--out", "--no-build"}) {
        assertTrue(out.contains(option), option + " missing from the usage: " + out);
      }
      assertTrue(!out.contains("set -euo"), "the usage ends with the comment: " + out);
    }
  }

  /**
   * An unknown option (a typo: --fulll) is refused before the build, which it cost first (QuickRun
   * refused it only then); the same words and usage as QuickRun's. An option's value that starts
   * with '-' is not taken for an option.
   */
  @Test
  void anUnknownOptionIsRefusedBeforeTheBuild() throws Exception {
    Path script = Path.of("run-quick").toAbsolutePath();
    Process p = new ProcessBuilder(script.toString(), "--fulll", "Peak").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor(), out);
    assertEquals("run-quick: unknown option --fulll\n" + QuickRun.USAGE + "\n", out);
    // --forks -1 reaches QuickRun (here without a build: --no-build on a jar that may be missing), whose check names the value.
    p = new ProcessBuilder(script.toString(), "--no-build", "--forks", "-1").redirectErrorStream(true).start();
    out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(!out.contains("unknown option -1"), out);
    // The script's list of options is QuickRun's: each option of QuickRun's usage passes the script
    // (then --help answers, before any build), so an option QuickRun gains fails here until the script knows it.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(-{1,2}[a-z-]+)( [A-Za-z=0-9,]+)?").matcher(QuickRun.USAGE);
    int options = 0;
    while (m.find()) {
      options++;
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(script.toString(), m.group(1)));
      if (m.group(2) != null) command.add(m.group(2).strip());
      command.add("--help");
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), command + ": " + out);
    }
    assertEquals(5, options, QuickRun.USAGE); // --no-build, --full, --forks, --out, -p
  }
}
