package org.caviar.search.objective;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.caviar.search.cli.TuneCommand;
import org.caviar.search.space.SearchSpace;
import org.junit.jupiter.api.Test;

class MlpSettingsTest {
  private static String rejected(String spec) {
    return assertThrows(IllegalArgumentException.class, () -> MlpSettings.checkSpace(SearchSpace.parse(spec))).getMessage();
  }

  @Test
  void theDefaultSpaceAndSoundOnesPass() {
    assertDoesNotThrow(() -> MlpSettings.checkSpace(SearchSpace.parse(TuneCommand.DEFAULT_SPACE)));
    assertDoesNotThrow(() -> MlpSettings.checkSpace(SearchSpace.parse("""
        units = int(1, 8)
        layers = int(0, 2)
        momentum = uniform(0, 0.99)
        batch_size = categorical(16, 32)
        epochs = fixed(3)
        """)));
  }

  /** A value some trials would draw and the objective rejects is an error before any trial runs. */
  @Test
  void aSpaceThatCanDrawABadValueIsRejectedNamingTheParameterAndTheValue() {
    assertEquals("parameter 'units' can take 0: units must be >= 1, got 0", rejected("units = int(0, 3)"));
    assertEquals("parameter 'momentum' can take 1: momentum must be in [0, 1), got 1", rejected("momentum = uniform(0.5, 1)"));
    // Below 1 as a double, 1 as the float the optimizer takes: only Adam's betas were built by the
    // check (Adam being the default optimizer), so momentum and rho failed trial by trial.
    assertEquals("parameter 'momentum' can take 0.99999999: momentum must be in [0, 1), got 0.99999999 (1 as a float)",
        rejected("optimizer = categorical(sgd, momentum); momentum = one_minus_log(0.9, 0.99999999) if optimizer = momentum"));
    assertEquals("parameter 'rho' can take 0.99999999: rho must be in [0, 1), got 0.99999999 (1 as a float)",
        rejected("rho = fixed(0.99999999)"));
    assertEquals("parameter 'activation' can take swish: unknown activation 'swish': expected one of relu, leaky_relu, tanh, sigmoid",
        rejected("activation = categorical(relu, swish)"));
    assertEquals("parameter 'epochs' can take 0: epochs must be >= 1, got 0", rejected("epochs = fixed(0)"));
    assertEquals("parameter 'units' can take 1e10: units must be at most 2,147,483,647, got 1e10", rejected("units = fixed(1e10)"));
    // Below the int range: not "at most 2,147,483,647", which it is, nor "at least -2,147,483,648", which
    // read as if -5 layers would do.
    assertEquals("parameter 'layers' can take -1e10: layers must be >= 0, got -1e10", rejected("layers = fixed(-1e10)"));
    assertEquals("parameter 'batch_size' can take -1e10: batch_size must be >= 1, got -1e10", rejected("batch_size = fixed(-1e10)"));
    assertEquals("parameter 'layers' takes whole numbers: give it int(lo, hi) or int_log(lo, hi)", rejected("layers = uniform(1, 3)"));
    assertEquals("unknown parameter 'units2' for the MLP objective; known: activation, batch_size, batchnorm, beta1, beta2, "
        + "dropout, epochs, layers, lr, momentum, optimizer, rho, units, weight_decay", rejected("units2 = int(1, 3)"));
  }

  private static String refused(String name, Object value) {
    return assertThrows(IllegalArgumentException.class, () -> MlpSettings.from(java.util.Map.of(name, value), 4, 3, 1, 0)).getMessage();
  }

  /**
   * A value is said as a person writes it, not as Java prints a double: `train --param epochs=1e12`
   * said "got 1.0E12", and --param dropout=1 "got 1.0". Dropout is checked here too, before it
   * becomes the network's float: 0.99999999 is 1 as a float, and the network said "got 1.0" of it.
   */
  @Test
  void valuesAreSaidInPlainForm() {
    assertEquals("epochs must be at most 2,147,483,647, got 1e12", refused("epochs", 1e12));
    assertEquals("units must be an integer, got 2.5", refused("units", 2.5));
    assertEquals("dropout must be in [0, 1), got 1", refused("dropout", 1.0));
    assertEquals("dropout must be in [0, 1), got 1", refused("dropout", 1));
    assertEquals("dropout must be in [0, 1), got 0.99999999 (1 as a float)", refused("dropout", 0.99999999));
    assertEquals("dropout must be in [0, 1), got -0.5", refused("dropout", -0.5));
    assertEquals("beta1 must be in [0, 1), got 1", refused("beta1", 1.0));
    // Not "(1 as a float)" of a value below 0, which no float rounding made.
    assertEquals("momentum must be in [0, 1), got -0.5", refused("momentum", -0.5));
    // Text, as the value of a categorical or fixed parameter, stands as given.
    assertEquals("epochs must be at most 2,147,483,647, got 1E12", refused("epochs", "1E12"));
    assertEquals("parameter 'dropout' can take 1: dropout must be in [0, 1), got 1", rejected("dropout = uniform(0, 1)"));
  }

  /**
   * The learning rate and weight decay train as floats: lr=1e-50 is 0 there and lr=1e39 infinite,
   * which the trainer refused by its own fields' names and the float ("learningRate ... got 0.0",
   * "weightDecay must be finite and >= 0, got Infinity"). Said by the parameters' names, as given.
   */
  @Test
  void rateAndDecayOutsideTheFloatsAreSaidByTheirNames() {
    assertEquals("lr must be finite and > 0, got 0", refused("lr", 0.0));
    assertEquals("lr must be finite and > 0, got 1e-50 (0 as a float)", refused("lr", 1e-50));
    assertEquals("lr must be finite and > 0, got 1e39 (Infinity as a float)", refused("lr", 1e39));
    assertEquals("lr must be finite and > 0, got NaN", refused("lr", Double.NaN));
    assertEquals("weight_decay must be finite and >= 0, got -1e-4", refused("weight_decay", -1e-4));
    assertEquals("weight_decay must be finite and >= 0, got 1e39 (Infinity as a float)", refused("weight_decay", 1e39));
    assertEquals("weight_decay must be finite and >= 0, got Infinity", refused("weight_decay", Double.POSITIVE_INFINITY));
    // 1e-50 is 0 as a float, a weight decay of none: allowed, as 0 is.
    assertDoesNotThrow(() -> MlpSettings.from(java.util.Map.of("weight_decay", 1e-50), 4, 3, 1, 0));
  }

  /**
   * Batch norm cannot train on one row: the trainer refused it by its own field's name ("batchSize
   * must be >= 2 with batch norm"), which is not what `train --param batch_size=1` or a trial's
   * reason should say. Without hidden layers there is no batch norm to train, and one row is fine.
   */
  @Test
  void batchNormWithBatchesOfOneRowIsRefusedByTheParametersNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MlpSettings.from(java.util.Map.of("batch_size", 1, "batchnorm", "true"), 4, 3, 1, 0));
    assertEquals("batch_size must be >= 2 with batchnorm=true (batch norm normalizes over a batch's rows), got 1", e.getMessage());
    assertDoesNotThrow(() -> MlpSettings.from(java.util.Map.of("batch_size", 2, "batchnorm", "true"), 4, 3, 1, 0));
    assertDoesNotThrow(() -> MlpSettings.from(java.util.Map.of("batch_size", 1, "batchnorm", "false"), 4, 3, 1, 0));
    assertDoesNotThrow(() -> MlpSettings.from(java.util.Map.of("batch_size", 1, "batchnorm", "true", "layers", 0), 4, 3, 1, 0));
  }

  /** units=1000, layers=2 on 64 inputs and 10 classes with SGD: 1,076,010 parameters. */
  private static MlpSettings thousandWide() {
    return MlpSettings.from(java.util.Map.of("units", 1000, "layers", 2, "optimizer", "sgd"), 64, 10, 1, 1);
  }

  /**
   * A network too large for the heap is refused before anything is allocated, naming the estimate,
   * the heap, what it is made of, the settings that size it and how to raise the heap. The heap is
   * given (1 MB), so nothing large is allocated here.
   */
  @Test
  void settingsLargerThanTheHeapAreRefusedWithTheEstimateAndTheRemedy() {
    String message = assertThrows(IllegalArgumentException.class, () -> thousandWide().requireMemory(1, 1078, 1 << 20, 16L << 30,
        "units=1000, layers=2", n -> "JDK_JAVA_OPTIONS=-Xmx" + n + "g ./caviar train")).getMessage();
    // 4 x (1,076,010 x 3 + 256 rows x 8,148 floats) = 21,255,672 bytes: 20 MB; the workspaces 8 MB.
    assertEquals("training 64-1000-1000-10 relu needs about 20 MB of memory, and the Java heap holds at most 1 MB: 1,076,010 parameters "
        + "x 3 floats (weights, gradients, the best epoch's copy), and 8 MB of workspaces for batches of 64 rows. The network's size "
        + "comes from units=1000, layers=2; the optimizer (sgd keeps no moments) and the threads multiply it, batch_size sets the "
        + "workspaces: make it smaller, or give the JVM a larger heap: JDK_JAVA_OPTIONS=-Xmx1g ./caviar train", message);
    // A heap the machine cannot give is no remedy.
    String small = assertThrows(IllegalArgumentException.class, () -> thousandWide().requireMemory(1, 1078, 1 << 20, 512L << 20,
        "units=1000, layers=2", n -> "-Xmx" + n + "g")).getMessage();
    assertTrue(small.endsWith("batch_size sets the workspaces: make it smaller (this machine has 512 MB of memory in all, too little "
        + "for such a heap)"), small);
    // The suggested heap is a quarter above the estimate, in whole GB.
    MlpSettings wide = MlpSettings.from(java.util.Map.of("units", 30000, "layers", 3), 64, 10, 1, 1);
    String huge = assertThrows(IllegalArgumentException.class, () -> wide.requireMemory(2, 1078, 5358L << 20, 1L << 40, wide.sizes(),
        n -> "-Xmx" + n + "g")).getMessage();
    long bytes = wide.requireMemory(2, 1078, Long.MAX_VALUE, 0, "", n -> "").bytes();
    assertTrue(huge.startsWith("training 64-30000-30000-30000-10 relu needs about " + Math.round(bytes / (double) (1L << 30))
        + " GB of memory, and the Java heap holds at most 5.2 GB: 1,802,310,010 parameters x 11 floats (weights, gradients, adam's 2 "
        + "moments, the best epoch's copy, the step split over 2 threads (4 more), 2 evaluation replicas' weights)"), huge);
    assertTrue(huge.contains("The network's size comes from units=30000, layers=3;"), huge);
    // Rows of a batch are a count too; batch_size=4096 in the settings stays as given.
    MlpSettings wideBatches = MlpSettings.from(java.util.Map.of("units", 1000, "layers", 2, "optimizer", "sgd", "batch_size", 4096),
        64, 10, 1, 1);
    String batches = assertThrows(IllegalArgumentException.class, () -> wideBatches.requireMemory(1, 5000, 1 << 20, 0,
        "units=1000, layers=2, batch_size=4096", n -> "-Xmx" + n + "g")).getMessage();
    assertTrue(batches.contains(" of workspaces for batches of 4,096 rows. The network's size comes from units=1000, layers=2, "
        + "batch_size=4096;"), batches);
    assertTrue(huge.endsWith("give the JVM a larger heap: -Xmx" + (long) Math.ceil(bytes * 1.25 / (1L << 30)) + "g"), huge);
  }

  /**
   * Beside data that the heap holds for as long as the training runs (a search's trials share
   * them), the training may have only the rest: 20 MB of it do not fit 30 MB of which the data take
   * 15, and the message says so; the suggested heap counts the data too.
   */
  @Test
  void settingsThatFitTheHeapButNotBesideTheDataAreRefused() {
    String message = assertThrows(IllegalArgumentException.class, () -> thousandWide().requireMemory(1, 1078, 30L << 20, 15L << 20,
        16L << 30, "units=1000, layers=2", n -> "-Xmx" + n + "g")).getMessage();
    assertTrue(message.startsWith("training 64-1000-1000-10 relu needs about 20 MB of memory, and the Java heap holds at most 30 MB, "
        + "15 MB of it taken by the data: 1,076,010 parameters x 3 floats"), message);
    assertTrue(message.endsWith("give the JVM a larger heap: -Xmx1g"), message);
    // (20 MB + 1.5 GB) x 1.25 = 1.9 GB: a heap of 2 GB.
    String large = assertThrows(IllegalArgumentException.class, () -> thousandWide().requireMemory(1, 1078, 1536L << 20, 1536L << 20,
        16L << 30, "units=1000, layers=2", n -> "-Xmx" + n + "g")).getMessage();
    assertTrue(large.contains("the Java heap holds at most 1.5 GB, 1.5 GB of it taken by the data: "), large);
    assertTrue(large.endsWith("give the JVM a larger heap: -Xmx2g"), large);
    assertEquals(21_255_672, thousandWide().requireMemory(1, 1078, 30L << 20, 9L << 20, 0, "", n -> "").bytes());
    assertEquals("heldBytes must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> thousandWide().requireMemory(1, 1078, 30L << 20, -1, 0, "", n -> "")).getMessage());
  }

  @Test
  void settingsThatFitTheHeapPass() {
    var e = thousandWide().requireMemory(1, 1078, 1L << 30, 0, "units=1000, layers=2", n -> "");
    assertEquals(21_255_672, e.bytes());
  }

  @Test
  void bytesAreWrittenAsAPersonReadsThem() {
    assertEquals("1 MB", MlpSettings.bytes(1));
    assertEquals("870 MB", MlpSettings.bytes(870L << 20));
    assertEquals("5.2 GB", MlpSettings.bytes(5358L << 20));
    assertEquals("88 GB", MlpSettings.bytes(88L << 30));
    // Grouped as counts are from 1,000 on: "1500 GB" read as one of the counts before the grouping.
    assertEquals("1,500 GB", MlpSettings.bytes(1500L << 30));
  }
}
