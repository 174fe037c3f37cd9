package org.caviar.model.layer;

/** How a forward pass computes. */
public enum Mode {
  /**
   * Training: batch norm normalizes by the batch statistics and updates its running averages,
   * dropout draws a fresh mask. Backward may follow.
   */
  TRAIN,
  /**
   * Inference: batch norm uses its running averages (so one example can be classified alone),
   * dropout passes through. No backward.
   */
  INFERENCE,
  /**
   * Training arithmetic with nothing random and no state change: batch norm normalizes by the batch
   * statistics but leaves its running averages alone, dropout passes through. Backward may follow.
   * Gradient checks and diagnostics use it so that looking at a network does not change it.
   */
  PROBE;

  /** Whether backward may follow a forward pass in this mode. */
  public boolean allowsBackward() {
    return this != INFERENCE;
  }
}
