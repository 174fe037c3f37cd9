package org.caviar.search.sampler;

import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;

/**
 * Proposes the parameters of the next trial. Every sampler works on the unit positions of each
 * parameter's own scale (see {@link org.caviar.search.space.Parameter#fromUnit}) and returns a point
 * built by {@link SearchSpace#pointFromUnit}, so a user's sampler needs to know nothing about log
 * scales or integer rounding.
 *
 * <p>The history holds every trial so far, including RUNNING ones with their parameters (the
 * pending points) so that a sampler can keep parallel workers apart. A sampler must draw all its
 * randomness from {@link Seeds#forTrial}{@code (seed, number)}, so that a study with a seed and one
 * worker is the same from run to run, and with several workers each trial's own draws still are.
 * Studies call {@code propose} from one thread at a time.
 */
public interface Sampler {
  /**
   * The parameters of trial {@code number}.
   *
   * @param space the space to sample
   * @param history all trials of the study so far, finished and running
   * @param number the number of the trial being proposed (already claimed, not in the history's
   *     parameters)
   * @param seed the study seed
   */
  Point propose(SearchSpace space, History history, int number, long seed);

  /**
   * How many distinct points this sampler can propose in {@code space}; a study stops claiming
   * trials past it. Unbounded for samplers that draw at random.
   */
  default long pointCount(SearchSpace space) {
    return Long.MAX_VALUE;
  }

  /** A short name for reports, e.g. {@code tpe}. */
  String name();
}
