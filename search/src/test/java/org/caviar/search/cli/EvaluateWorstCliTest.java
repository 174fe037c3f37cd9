package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --worst K} ranks rows by the probability of their true class, so beyond the
 * misclassified rows it went on with rows classified right under the same heading ("worst 12:"),
 * and with no error at all it listed right rows as the worst without a word. Its heading now says
 * how many rows are misclassified and how many of them are shown.
 */
class EvaluateWorstCliTest {
  @TempDir Path dir;

  /**
   * A 2-2 network whose logits are (20 x0, 0): a row is predicted a when x0 > 0, and an even guess
   * when x0 = 0 (the lower index, a, wins the tie).
   */
  private Path model() throws Exception {
    Network network = Network.create(NetworkSpec.parse("2-2"), 1);
    float[] w = network.parameters().get(0).values();
    Arrays.fill(w, 0);
    w[0] = 20;
    Arrays.fill(network.parameters().get(1).values(), 0);
    Path file = dir.resolve("m.caviar");
    new Model(network, null, List.of("a", "b")).save(file);
    return file;
  }

  private String heading(String csv, int k) throws Exception {
    Path data = Files.writeString(dir.resolve("d" + k + ".csv"), "x0,x1,label\n" + csv);
    CliRun r = run("evaluate", "--model", model().toString(), "--csv", data.toString(), "--all", "--worst", Integer.toString(k));
    assertEquals(0, r.code(), r.out() + r.err());
    return r.out().lines().filter(l -> l.startsWith("worst ")).findFirst().orElse("(no heading) " + r.out());
  }

  /** Rows 0, 2 and 3 are b predicted a (misclassified); row 1 is a, right at p 0.5. */
  private static final String THREE_WRONG = "1,0,b\n0,0,a\n0.35,0,b\n0.27,0,b\n";

  @Test
  void moreAskedThanMisclassifiedSaysAllAreShown() throws Exception {
    assertEquals("worst 4 (every row; 10 asked): 3 misclassified rows, all shown, and 1 row classified right, ranked by the "
        + "probability of its true class:", heading(THREE_WRONG, 10));
    assertEquals("worst 4: 3 misclassified rows, all shown, and 1 row classified right, ranked by the probability of its true class:",
        heading(THREE_WRONG, 4));
  }

  @Test
  void exactlyTheMisclassifiedSaysAllAreShown() throws Exception {
    assertEquals("worst 3: 3 misclassified rows, all shown:", heading(THREE_WRONG, 3));
  }

  @Test
  void fewerAskedThanMisclassifiedSaysOfHowMany() throws Exception {
    assertEquals("worst 2: 2 of the 3 misclassified rows:", heading(THREE_WRONG, 2));
  }

  @Test
  void noErrorSaysSo() throws Exception {
    // Every row is a, predicted a: p(a) = 1 / (1 + e^-20 x0), least at the smallest x0.
    assertEquals("worst 2: no row is misclassified; 2 rows classified right, ranked by the probability of their true class:",
        heading("0.1,0,a\n0.2,0,a\n0.3,0,a\n", 2));
    assertEquals("worst 3 (every row; 5 asked): no row is misclassified; 3 rows classified right, ranked by the probability of "
        + "their true class:", heading("0.1,0,a\n0.2,0,a\n0.3,0,a\n", 5));
  }

  @Test
  void oneMisclassifiedRowIsSingular() throws Exception {
    assertEquals("worst 1: 1 misclassified row, shown:", heading("1,0,b\n0.2,0,a\n", 1));
  }
}
