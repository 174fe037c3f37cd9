package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study whose journal holds its space as an older version wrote it (Java's forms, 1.0E-4 and
 * 0.0, then one short form, 1e-4 and 0) resumes with the space typed as the user types it, and
 * without --param; a space of other values is still refused, naming the stored parameter as stored.
 */
class OldSpaceSpecCliTest {
  @TempDir Path dir;

  private static final String[] TYPED = {"--param", "lr = log(1e-4, 1e-1)", "--param", "units = int_log(8, 16)",
      "--param", "layers = fixed(1)", "--param", "dropout = uniform(0, 2.5e-1)"};

  @Test
  void aSpaceStoredInAnOlderFormResumes() throws IOException {
    String[] olderSpecs = {
        "lr = log(1.0E-4, 0.1)\nunits = int_log(8, 16)\nlayers = fixed(1)\ndropout = uniform(0.0, 0.25)\n",
        "lr = log(1e-4, 0.1)\nunits = int_log(8, 16)\nlayers = fixed(1)\ndropout = uniform(0, 0.25)\n"};
    for (int k = 0; k < olderSpecs.length; k++) {
      Path study = dir.resolve("old" + k);
      assertOk(tune(study, 1, TYPED));
      storeSpace(study, olderSpecs[k]);
      CliRun typed = tune(study, 2, TYPED);
      assertOk(typed);
      assertTrue(typed.out().contains("resuming the study"), typed.out());
      assertOk(tune(study, 3));
      // The journal keeps the space as it was stored.
      assertTrue(Files.readAllLines(study.resolve("journal.jsonl")).get(0)
          .contains(new ObjectMapper().writeValueAsString(olderSpecs[k])), olderSpecs[k]);
      String[] other = TYPED.clone();
      other[1] = "lr = log(1e-3, 1e-1)";
      CliRun refused = tune(study, 4, other);
      assertEquals(2, refused.code(), refused.out() + refused.err());
      String stored = olderSpecs[k].lines().findFirst().orElseThrow();
      assertTrue(refused.err().contains("was created with " + stored + ", not lr = log(1e-3, 1e-1)"), refused.err());
    }
  }

  private static CliRun tune(Path study, int trials, String... space) {
    return run(Stream.concat(Stream.of("tune", "--study", study.toString(), "--trials", Integer.toString(trials), "--epochs", "1",
        "--pruner", "none", "--workers", "1", "--no-report", "--no-progress"), Stream.of(space)).toArray(String[]::new));
  }

  /** Rewrites the journal's study line with {@code spec} as its space, as an older version wrote it. */
  private static void storeSpace(Path study, String spec) throws IOException {
    Path journal = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journal);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    header.put("space", spec);
    lines.set(0, json.writeValueAsString(header));
    Files.writeString(journal, String.join("\n", lines) + "\n");
  }

  private static void assertOk(CliRun r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }
}
