package org.caviar.search.objective;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    assertEquals("parameter 'units' can take 1e10: units must be at most 2147483647, got 1e10", rejected("units = fixed(1e10)"));
    // Below the int range: not "at most 2147483647", which it is, nor "at least -2147483648", which
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
    assertEquals("epochs must be at most 2147483647, got 1e12", refused("epochs", 1e12));
    assertEquals("units must be an integer, got 2.5", refused("units", 2.5));
    assertEquals("dropout must be in [0, 1), got 1", refused("dropout", 1.0));
    assertEquals("dropout must be in [0, 1), got 1", refused("dropout", 1));
    assertEquals("dropout must be in [0, 1), got 0.99999999 (1 as a float)", refused("dropout", 0.99999999));
    assertEquals("dropout must be in [0, 1), got -0.5", refused("dropout", -0.5));
    assertEquals("beta1 must be in [0, 1), got 1", refused("beta1", 1.0));
    // Not "(1 as a float)" of a value below 0, which no float rounding made.
    assertEquals("momentum must be in [0, 1), got -0.5", refused("momentum", -0.5));
    // Text, as the value of a categorical or fixed parameter, stands as given.
    assertEquals("epochs must be at most 2147483647, got 1E12", refused("epochs", "1E12"));
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
}
