package org.caviar.search.study;

/**
 * What a study optimizes. It reads its parameters from the trial, may report an intermediate value
 * after each epoch and stop when {@link Trial#shouldPrune()} says so (by throwing
 * {@link TrialPrunedException}, or calling {@link Trial#reportAndMaybePrune}), and returns its final
 * value. Anything it throws, and any value that is not finite, fails the trial with the reason
 * recorded, and the study goes on; but an {@link InterruptedException} (or an interrupt flag set
 * as it ends) stops the study, and the trial is re-run (see {@link Study#optimize}). Several trials may run at once, each on its own thread.
 */
@FunctionalInterface
public interface Objective {
  double evaluate(Trial trial) throws Exception;
}
