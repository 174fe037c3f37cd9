package org.caviar.search.storage;

import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;

/**
 * What defines a study, stored once when it is created: its name, direction, search space and seed.
 * A resumed study must have the same name, direction and space; the stored seed wins, so that the
 * resumed trials draw as the original run would have.
 */
public record StudyInfo(String name, Direction direction, SearchSpace space, long seed) {
  public StudyInfo {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("study name must not be blank, got '" + name + "'");
    if (direction == null) throw new IllegalArgumentException("study direction must not be null");
    if (space == null) throw new IllegalArgumentException("study space must not be null");
  }

  /**
   * Throws {@link IllegalStateException} when {@code requested} cannot resume this stored study,
   * naming what differs.
   */
  public void checkResumableAs(StudyInfo requested) {
    if (!name.equals(requested.name)) {
      throw new IllegalStateException("stored study is '" + name + "', asked to resume '" + requested.name + "'");
    }
    if (direction != requested.direction) {
      throw new IllegalStateException("stored study '" + name + "' is " + direction + ", asked to resume it as " + requested.direction);
    }
    if (!space.equals(requested.space)) {
      throw new IllegalStateException("stored study '" + name + "' has the space\n" + space.spec()
          + "which differs from the one given:\n" + requested.space.spec()
          + "use a new study folder, or the stored space");
    }
  }
}
