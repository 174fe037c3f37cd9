package org.caviar.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerSpecTest {
  /**
   * Each rule's name is the one a search's 'optimizer' parameter gives it, whatever its
   * coefficients, and its text starts with it: Trainer.memoryEstimate names the moments by it
   * ("adam's 2 moments"), where it had cut the name out of the text with a regular expression.
   */
  @Test
  void eachRuleIsNamedAsTheSettingsNameIt() {
    assertEquals("sgd", new OptimizerSpec.Sgd().name());
    assertEquals("momentum", new OptimizerSpec.Momentum(0.5f).name());
    assertEquals("rmsprop", new OptimizerSpec.RmsProp(0.99f, 1e-6f).name());
    assertEquals("adam", new OptimizerSpec.Adam(0.8f, 0.9f, 1e-7f).name());
    for (OptimizerSpec o : List.of(new OptimizerSpec.Sgd(), new OptimizerSpec.Momentum(), new OptimizerSpec.RmsProp(), new OptimizerSpec.Adam())) {
      assertTrue(o.toString().equals(o.name()) || o.toString().startsWith(o.name() + "("), o.toString());
    }
  }
}
