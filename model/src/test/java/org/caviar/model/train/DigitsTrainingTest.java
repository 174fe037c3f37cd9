package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.junit.jupiter.api.Test;

/**
 * The acceptance run: the shipped digits set, 64-128-128-10 with batch norm, ReLU, Adam
 * (defaults, lr 1e-3), batch 64, a seeded stratified 60/20/20 split. Over network seeds 1..6 this
 * split gave 97.5% to 98.6% test accuracy (other split seeds: 96.1% to 98.6%), so 97% on seed 1
 * (98.1%, 353 of 360) is a claim with a margin, not a lucky draw. Determinism for a seed is tested
 * in TrainerTest; here the figure itself.
 */
class DigitsTrainingTest {
  @Test
  void reaches97PercentTestAccuracyInSeconds() {
    Dataset train = DigitsSplit.TRAIN;
    Dataset validation = DigitsSplit.VALIDATION;
    Dataset test = DigitsSplit.TEST;
    Network network = Network.create(NetworkSpec.parse("64-128-128-10 relu batchnorm"), 1);
    Trainer trainer = new Trainer(network, TrainingConfig.builder().epochs(30).batchSize(64).seed(1).build());
    long start = System.nanoTime();
    TrainingResult result = trainer.fit(train, validation, null);
    double seconds = (System.nanoTime() - start) * 1e-9;
    Evaluation evaluation = trainer.evaluate(test);
    System.out.printf("digits: %s, test %s, %.2f s%n", result.message(), evaluation, seconds);
    assertEquals(TrainingStatus.COMPLETED, result.status());
    assertTrue(evaluation.accuracy() >= 0.97, "test accuracy " + evaluation.accuracy());
    // "In seconds": ~0.1 s of arithmetic after warm-up; the rest is the JIT compiling the kernels,
    // which on a loaded 2-core machine takes several seconds. 60 s flags a real regression only.
    assertTrue(seconds < 60, "took " + seconds + " s");
  }
}
