package org.caviar.search.study;

import org.caviar.search.space.Point;

/**
 * One evaluation of the objective, as the objective sees it: its parameters (already proposed by
 * the sampler for the whole space, so parallel proposals can take each other into account), a way
 * to report intermediate values, and the pruner's verdict.
 */
public final class Trial {
  private final Study study;
  private final int number;
  private final Point params;
  private final int kernelThreads;
  private final long seed;
  private int lastStep = Integer.MIN_VALUE;
  /** How many of this trial's reports the pruner has been asked of ({@link Study#shouldPrune}). */
  int askedReports;
  /** What the storage threw while this trial reported: the study's failure, not the trial's. */
  private volatile RuntimeException storageFailure;
  /** What a listener threw as this trial reported: thrown once the trial's outcome is recorded. */
  private volatile Throwable listenerFailure;
  /** The pruner's failure as this trial asked it: stops the study once the trial's outcome is recorded. */
  private volatile RuntimeException prunerFailure;

  Trial(Study study, int number, Point params, int kernelThreads, long seed) {
    this.study = study;
    this.number = number;
    this.params = params;
    this.kernelThreads = kernelThreads;
    this.seed = seed;
  }

  public int number() {
    return number;
  }

  public Point params() {
    return params;
  }

  /** The value of an active parameter (Double, Integer or String). */
  public Object get(String name) {
    return params.get(name);
  }

  public double getDouble(String name) {
    return params.getDouble(name);
  }

  public int getInt(String name) {
    return params.getInt(name);
  }

  public String getString(String name) {
    return params.getString(name);
  }

  /**
   * Whether {@code name} is active in this trial (conditional parameters may not be). A name the
   * space does not have is an error, as in {@link #get}: a misspelt name, taken as inactive, would
   * silently never apply.
   */
  public boolean isActive(String name) {
    return params.isActive(name);
  }

  /**
   * A seed for the objective's own randomness (weight initialization, batch order), derived from
   * the study seed and the trial number, so a trial re-run alone draws the same.
   */
  public long seed() {
    return seed;
  }

  /**
   * How many threads the objective may use inside this trial: 1 in {@link ExecutionMode#CAVIAR},
   * where trials run side by side, all cores in {@link ExecutionMode#PANDA}.
   */
  public int kernelThreads() {
    return kernelThreads;
  }

  /**
   * Records the value after {@code step} (e.g. the validation accuracy after an epoch). A value
   * that is not finite means the training diverged: it throws {@link TrialDivergedException}, which
   * fails the trial.
   */
  public void report(int step, double value) {
    if (!Double.isFinite(value)) {
      throw new TrialDivergedException("diverged: value " + value + " at step " + step);
    }
    study.report(this, step, value);
    lastStep = step;
  }

  /**
   * Whether the pruner would stop this trial after its last report. Reports made since the last
   * question are put to it too, in order, as if it had been asked after each (ASHA's rung at epoch
   * 1 still decides a trial that reported epochs 1 and 2 before asking); a report once asked of
   * is not asked again.
   */
  public boolean shouldPrune() {
    return lastStep != Integer.MIN_VALUE && study.shouldPrune(this);
  }

  /** Remembers {@code e}, thrown by the storage while this trial ran, and returns it to be thrown. */
  RuntimeException storageFailed(RuntimeException e) {
    if (storageFailure == null) storageFailure = e;
    return e;
  }

  /** The storage's failure while this trial ran, or null: see {@link #storageFailed}. */
  RuntimeException storageFailure() {
    return storageFailure;
  }

  /** Remembers {@code e}, the pruner's failure as this trial asked it (the first one only), and returns it to be thrown. */
  RuntimeException prunerFailed(RuntimeException e) {
    if (prunerFailure == null) prunerFailure = e;
    return e;
  }

  /** The pruner's failure as this trial asked it, or null: see {@link #prunerFailed}. */
  RuntimeException prunerFailure() {
    return prunerFailure;
  }

  /** Remembers {@code e}, thrown by a listener as this trial reported (the first one only). */
  void listenerFailed(Throwable e) {
    if (listenerFailure == null) listenerFailure = e;
  }

  /** A listener's failure as this trial reported, or null: see {@link #listenerFailed}. */
  Throwable listenerFailure() {
    return listenerFailure;
  }

  /** Reports, then throws {@link TrialPrunedException} if the pruner says stop. */
  public void reportAndMaybePrune(int step, double value) {
    report(step, value);
    if (shouldPrune()) throw new TrialPrunedException("pruned at step " + step);
  }
}
