package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network larger than the heap: one line, exit code, and no stack trace. These run the command
 * line in a second JVM with a 64 MB heap, since running out of memory in the test JVM would disturb
 * the other tests, and a heap that small shows the refusal without allocating gigabytes.
 */
class OutOfMemoryCliTest {
  @TempDir Path dir;

  /** The child's output and exit code, with the lines that begin "caviar" (its messages) apart. */
  private record Child(int code, String out, List<String> messages) {}

  private static Child run(String... args) throws Exception {
    Process p = CliRun.startChild(List.of("-Xmx64m"), args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    assertFalse(out.contains("Exception in thread") || out.contains("\tat "), "a stack trace: " + out);
    return new Child(p.exitValue(), out, out.lines().filter(l -> l.startsWith("caviar")).toList());
  }

  /**
   * train estimates the memory before it allocates the network, and refuses one that cannot fit,
   * naming the estimate, the heap, what sizes it and how to raise the heap through ./caviar. It
   * allocated instead until the heap ran out (half a minute for 64-30000-30000-30000-10 on a heap
   * of 5 GB), then said "out of memory ... a larger -Xmx", an option ./caviar does not take.
   */
  @Test
  void aNetworkLargerThanTheHeapIsRefusedBeforeItIsAllocated() throws Exception {
    Path model = dir.resolve("m.caviar");
    // 4000 x 4000 weights are 64 MB in one float[]: within NetworkSpec's array limit, beyond the heap.
    Child spec = run("train", "--spec", "64-4000-4000-10", "--epochs", "1", "--out", model.toString());
    assertEquals(CaviarCli.USAGE, spec.code(), spec.out());
    assertEquals(1, spec.messages().size(), spec.out());
    String line = spec.messages().get(0);
    assertTrue(line.startsWith("caviar train: training 64-4000-4000-10 relu needs about "), line);
    assertTrue(line.contains(" of memory, and the Java heap holds at most 6"), line); // 64 MB less a survivor space
    assertTrue(line.contains("16,304,010 parameters x "), line);
    assertTrue(line.contains("The network's size comes from --spec '64-4000-4000-10';"), line);
    // One GB or more: a quarter above the estimate, whatever the threads (1 GB on one, 2 on more).
    assertTrue(line.matches(".*give the JVM a larger heap: JDK_JAVA_OPTIONS=-Xmx[12]g caviar train --spec 64-4000-4000-10 --epochs 1 "
        + "--out \\S+m\\.caviar"), line);
    assertFalse(spec.out().contains("caviar train on "), "refused before the data line: " + spec.out());
    assertFalse(Files.exists(model), "no model is saved");
    // The settings that size it, by the names --param gives them.
    Child params = run("train", "--param", "units=3000", "--param", "layers=2", "--param", "optimizer=sgd", "--epochs", "1",
        "--out", model.toString());
    assertEquals(CaviarCli.USAGE, params.code(), params.out());
    assertTrue(params.messages().get(0).contains("The network's size comes from units=3000, layers=2;"), params.out());
    assertTrue(params.messages().get(0).contains("(weights, gradients, the best epoch's copy"), params.out());
  }

  /** What the estimate does not cover still ends in one line (gradcheck builds its network unchecked). */
  @Test
  void runningOutOfMemoryElsewhereIsOneLine() throws Exception {
    Child c = run("gradcheck", "--spec", "64-4000-4000-10");
    assertEquals(CaviarCli.FAILED, c.code(), c.out());
    assertEquals(1, c.messages().size(), c.out());
    String line = c.messages().get(0);
    assertTrue(line.startsWith("caviar: out of memory (Java heap space; the heap holds at most "), line);
    // ./caviar passes no JVM options of its own; the java launcher reads JDK_JAVA_OPTIONS. Twice
    // the child's 64 MB heap, in whole GB as -Xmx takes them: 1g.
    assertTrue(line.endsWith("use a smaller network or batch, or a larger heap: JDK_JAVA_OPTIONS=-Xmx1g ./caviar ..."), line);
  }
}
