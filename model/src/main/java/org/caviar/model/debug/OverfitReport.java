package org.caviar.model.debug;

/**
 * The outcome of {@link Diagnostics#overfitTinyBatch}.
 *
 * @param passed whether the network classified every example of the tiny set right
 * @param accuracy final training accuracy on the tiny set
 * @param loss final training loss on the tiny set
 * @param epochs full-batch steps taken
 * @param examples size of the tiny set
 * @param message what it means
 */
public record OverfitReport(boolean passed, double accuracy, double loss, int epochs, int examples, String message) {
  @Override
  public String toString() {
    return message;
  }
}
