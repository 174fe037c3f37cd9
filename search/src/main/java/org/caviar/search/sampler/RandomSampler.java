package org.caviar.search.sampler;

import java.util.SplittableRandom;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;

/** Independent uniform draws on each parameter's scale; seeded per trial, so reproducible. */
public final class RandomSampler implements Sampler {
  @Override
  public Point propose(SearchSpace space, History history, int number, long seed) {
    return space.pointFromUnit(draw(space.size(), Seeds.forTrial(seed, number)));
  }

  /** One uniform position per parameter (inactive ones are ignored by the space). */
  static double[] draw(int size, SplittableRandom random) {
    double[] u = new double[size];
    for (int i = 0; i < size; i++) u[i] = random.nextDouble();
    return u;
  }

  @Override
  public String name() {
    return "random";
  }
}
