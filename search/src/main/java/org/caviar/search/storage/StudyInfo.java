package org.caviar.search.storage;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;

/**
 * What defines a study, stored once when it is created: its name, direction, search space, seed
 * and settings. A resumed study must have the same name, direction and space; the stored seed
 * wins, so that the resumed trials draw as the original run would have.
 *
 * <p>{@code settings} are what else a trial depends on, as text (e.g. the command line's objective
 * and search options: option name to canonical value), kept sorted by name. Storages keep them but
 * do not compare them: only the code that wrote them knows which differences matter (a dataset
 * found under another path may be the same file). Empty means none were recorded, as in a study
 * created before they were.
 */
public record StudyInfo(String name, Direction direction, SearchSpace space, long seed, Map<String, String> settings) {
  public StudyInfo {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("study name must not be blank, got '" + name + "'");
    if (direction == null) throw new IllegalArgumentException("study direction must not be null");
    if (space == null) throw new IllegalArgumentException("study space must not be null");
    settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings == null ? Map.of() : settings));
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (e.getValue() == null) throw new IllegalArgumentException("study setting '" + e.getKey() + "' must not be null");
    }
  }

  /** A study without recorded settings. */
  public StudyInfo(String name, Direction direction, SearchSpace space, long seed) {
    this(name, direction, space, seed, null);
  }

  /** Whether settings were stored with the study (not with one created before they were). */
  public boolean settingsRecorded() {
    return !settings.isEmpty();
  }

  /**
   * Throws {@link IllegalStateException} when {@code requested} cannot resume this stored study,
   * naming what differs. Settings are not compared (see the class comment).
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
