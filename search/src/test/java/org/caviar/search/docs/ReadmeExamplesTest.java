package org.caviar.search.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each module README's Java example is the code of a test that runs it: every line of the
 * README's first java block must appear in that test's source (after the listed replacements,
 * which move files the example writes into a temporary folder), so a README cannot drift from the
 * API without a failing build. Here, in the last module, because it sees the whole project (tests
 * run in their module's folder).
 */
class ReadmeExamplesTest {
  private static final Map<String, Map<String, String>> REPLACEMENTS = Map.of(
      "model", Map.of("Path.of(\"digits.cvm\")", "dir.resolve(\"digits.cvm\")"),
      "search", Map.of("Path.of(\"study.jsonl\")", "dir.resolve(\"study.jsonl\")"));

  @ParameterizedTest
  @CsvSource({
    "kernels, org/caviar/kernels/docs/ReadmeExampleTest.java",
    "model, org/caviar/model/docs/ReadmeExampleTest.java",
    "search, org/caviar/search/docs/ReadmeExampleTest.java"})
  void everyLineOfTheReadmeExampleIsInItsTest(String module, String test) throws IOException {
    Path root = Path.of("..");
    List<String> example = javaBlock(Files.readAllLines(root.resolve(module).resolve("README.md")));
    assertTrue(example.size() >= 8, module + "/README.md's java block: " + example);
    String source = Files.readString(root.resolve(module).resolve("src/test/java").resolve(test));
    for (String line : example) {
      String here = line;
      for (Map.Entry<String, String> r : REPLACEMENTS.getOrDefault(module, Map.of()).entrySet()) {
        here = here.replace(r.getKey(), r.getValue());
      }
      assertTrue(source.contains(here), module + "/README.md line not in " + test + ": " + line);
    }
  }

  /** The lines of the first java block, without their indentation or blank lines. */
  private static List<String> javaBlock(List<String> lines) {
    int start = lines.indexOf("```java");
    assertTrue(start >= 0, "no ```java block");
    int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
    return lines.subList(start + 1, end).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
