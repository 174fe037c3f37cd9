package org.caviar.model.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
 * The example at the top of model/README.md, run as written (the saved file in a temporary folder
 * instead of the working one); search's {@code ReadmeExamplesTest} fails if a line of the README's
 * example is missing here.
 */
class ReadmeExampleTest {
  @TempDir Path dir;



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
}
