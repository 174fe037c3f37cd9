package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** One run of the command line in this JVM: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
  static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CaviarCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /**
   * The command line in a second JVM, for what would disturb this one (a signal, a small heap),
   * its error stream merged into its output.
   */
  static Process startChild(List<String> jvmOptions, String... args) throws IOException {
    return startChild(CaviarCli.class, jvmOptions, args);
  }

  /** The same with another main class that runs the command line (one that first changes a setting for the test). */
  static Process startChild(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
    return startChildIn(null, main, jvmOptions, args);
  }

  /** The same in the working directory {@code directory} (null: this JVM's). */
  static Process startChildIn(Path directory, Class<?> main, List<String> jvmOptions, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("--add-modules=jdk.incubator.vector");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(directory == null ? null : directory.toFile()).redirectErrorStream(true).start();
  }

  /**
   * A child's output; once a line passes {@code stop}, the child gets SIGTERM (through its handle:
   * {@link Process#destroy} would also close the stream read here). Returns when the child has ended.
   */
  static String stopAfter(Process p, Predicate<String> stop) throws Exception {
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean sent = false;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (!sent && stop.test(line)) {
          p.toHandle().destroy();
          sent = true;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    return out.toString();
  }

  /** Sleeps, for a stop condition that waits before the signal. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
