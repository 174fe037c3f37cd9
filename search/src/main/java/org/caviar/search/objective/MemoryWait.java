package org.caviar.search.objective;

import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

/**
 * Why a trial waits for memory, as its wait starts: what it needs, what the trials running hold
 * (by trial number), the trials in line before it, and the budget they share (the heap less the data).
 *
 * @param trial the waiting trial's number
 * @param bytes what it needs
 * @param held what each trial running holds, by number
 * @param ahead the trials that wait before it, first in line first
 * @param budget what the trials may hold together
 */
public record MemoryWait(int trial, long bytes, SortedMap<Integer, Long> held, List<Integer> ahead, long budget) {
  public MemoryWait {
    held = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(held));
    ahead = List.copyOf(ahead);
  }

  /** What the trials running hold together. */
  public long heldBytes() {
    return held.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * "trial 12 waits for memory: it needs 1.2 GB, and trials 10 and 11 hold 2.1 GB of the 3.0 GB
   * the trials share (the heap less the data)"; with the trials in line before it, "..., behind
   * trial 9: ...".
   */
  public String line() {
    String holders = held.isEmpty() ? "no trial holds any yet"
        : trials(List.copyOf(held.keySet())) + (held.size() == 1 ? " holds " : " hold ") + MlpSettings.bytes(heldBytes());
    return "trial " + trial + " waits for memory" + (ahead.isEmpty() ? "" : ", behind " + trials(ahead) + " in line")
        + ": it needs " + MlpSettings.bytes(bytes) + ", and " + holders + " of the " + MlpSettings.bytes(budget)
        + " the trials share (the heap less the data)";
  }

  /** "trial 12 has its memory after 41 s of waiting, and trains": the line that ends {@link #line()}'s. */
  public String goesOnLine(long waitedNanos) {
    return String.format(Locale.ROOT, "trial %d has its memory after %.1f s of waiting, and trains", trial,
        waitedNanos / (double) TimeUnit.SECONDS.toNanos(1));
  }

  /** "trial 10", "trials 10 and 11", "trials 9, 10 and 11". */
  private static String trials(List<Integer> numbers) {
    if (numbers.size() == 1) return "trial " + numbers.get(0);
    List<String> s = numbers.stream().map(String::valueOf).toList();
    return "trials " + String.join(", ", s.subList(0, s.size() - 1)) + " and " + s.getLast();
  }
}
