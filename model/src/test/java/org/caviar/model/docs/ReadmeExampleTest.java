package org.caviar.model.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Datasets;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.optim.OptimizerSpec;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.caviar.model.train.TrainingListener;
import org.caviar.model.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example at the top of model/README.md, run as written: every line of it must appear in
 * {@link #runTheExample} (the saved file in a temporary folder instead of the working one), so the
 * README cannot drift from the API without this test failing.
 */
class ReadmeExampleTest {
  @TempDir Path dir;

  private static final Path README = Path.of("README.md");
  private static final Path SOURCE = Path.of("src/test/java/org/caviar/model/docs/ReadmeExampleTest.java");

  @Test
  void everyLineOfTheReadmeExampleIsRunHere() throws Exception {
    List<String> example = javaBlock(Files.readAllLines(README));
    assertTrue(example.size() >= 10, "model/README.md's first java block: " + example);
    String source = Files.readString(SOURCE);
    for (String line : example) {
      String here = line.replace("Path.of(\"digits.cvm\")", "dir.resolve(\"digits.cvm\")");
      assertTrue(source.contains(here), "README line not in the test: " + line);
    }
  }

  @Test
  void runTheExample() throws Exception {
    float[] rawPixels = Datasets.digits().row(0);
    Split split = Split.stratified(Datasets.digits(), 0.6, 0.2, 42);      // seeded, per class
    Standardizer standardizer = Standardizer.fit(split.train());           // training split only
    Dataset train = standardizer.apply(split.train());
    Dataset validation = standardizer.apply(split.validation());

    Network network = Network.create(NetworkSpec.parse("64-128-128-10 relu batchnorm"), 1);
    Trainer trainer = new Trainer(network, TrainingConfig.builder()
        .epochs(30).batchSize(64).optimizer(new OptimizerSpec.Adam()).learningRate(1e-3f)
        .patience(5).seed(1).build());
    TrainingResult result = trainer.fit(train, validation, metrics -> {
      System.out.println(metrics);                       // per-epoch loss, accuracy, val_loss, val_acc, ex/s
      return TrainingListener.Action.CONTINUE;           // or STOP (a pruner does)
    });
    Model model = new Model(network, standardizer, split.train().classNames());
    model.save(dir.resolve("digits.cvm"));
    int digit = Model.load(dir.resolve("digits.cvm")).predict(rawPixels);   // one example, inference mode

    // The README promises a trained digits classifier; 97% is the bar for this network.
    assertTrue(result.last().validationAccuracy() >= 0.97, result.message());
    assertEquals(model.predict(rawPixels), digit, "the loaded model predicts what the saved one did");
  }

  /** The lines of the first ```java block, without their indentation. */
  private static List<String> javaBlock(List<String> lines) {
    int start = lines.indexOf("```java");
    int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
    return lines.subList(start + 1, end).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
