package org.caviar.search;

import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;

/** Search spaces shared by the tests. */
public final class Spaces {
  private Spaces() {}

  /** One parameter of every kind, with conditional ones under two branches. */
  public static SearchSpace everyKind() {
    return SearchSpace.of(
        Parameter.logUniform("lr", 1e-4, 1),
        Parameter.oneMinusLog("beta1", 0.9, 0.999),
        Parameter.uniform("dropout", 0, 0.5),
        Parameter.intUniform("layers", 1, 3),
        Parameter.intLog("units", 16, 512),
        Parameter.categorical("optimizer", "sgd", "momentum", "adam"),
        Parameter.oneMinusLog("beta2", 0.99, 0.9999).when("optimizer", "adam"),
        Parameter.uniform("momentum", 0.5, 0.99).when("optimizer", "momentum"),
        Parameter.fixed("epochs", 30));
  }
}
