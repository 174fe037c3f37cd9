package org.caviar.search.study;

/** How a study spends the machine's cores. */
public enum ExecutionMode {
  /**
   * Many trials at once, one per core, each single-threaded inside: small networks do not keep
   * several cores busy, so running one per core gives the most trials per second.
   */
  CAVIAR,
  /** One trial at a time with every core inside its matrix products, and a live per-epoch display. */
  PANDA
}
