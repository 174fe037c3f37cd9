package org.caviar.model.debug;

import java.util.List;
import org.caviar.model.optim.Floats;

/**
 * What a {@link GradientCheck} found. The gradient checked is that of the mean cross-entropy over
 * the batch in {@link org.caviar.model.layer.Mode#PROBE} (batch norm on the batch's own statistics,
 * dropout off: a spec's dropout is not part of what is checked), plus
 * {@code weightDecay / 2 * ||w||^2} over the decayed tensors (the dense layers' weights; not biases,
 * nor batch norm's gamma and beta) when the weight decay given is above 0. Entries whose central
 * difference straddles a kink are left out of every figure below but {@code kinks}.
 *
 * @param relativeError {@code ||g - g_num|| / (||g|| + ||g_num||)} over every checked entry (0 when
 *     both norms are 0)
 * @param threshold the largest relative error that passes, overall and per tensor
 * @param passed whether the check passed: at least one entry was compared; every tensor with a
 *     compared entry {@linkplain TensorError#passed() passed}; and overall, the relative error is at
 *     most {@code threshold} or the differences are within what float32 rounding can leave (the RMS
 *     of the differences at most that of the entries' allowances, {@link GradientCheck#NOISE}).
 *     A tensor over the threshold within rounding passes (the report says so); a tensor whose
 *     sampled entries were all at kinks is not judged
 * @param tensors the same error per parameter tensor, in network order (a broken layer shows here)
 * @param worst the entries with the largest {@code |g - g_num|}, worst first
 * @param checkedEntries how many parameter entries were compared
 * @param kinks entries left out because their difference straddled a kink (see GradientCheck)
 * @param totalEntries how many the network has
 */
public record GradientCheckResult(
    double relativeError, double threshold, boolean passed, List<TensorError> tensors, List<EntryError> worst,
    int checkedEntries, int kinks, long totalEntries) {

  public GradientCheckResult {
    tensors = List.copyOf(tensors);
    worst = List.copyOf(worst);
  }

  /**
   * One parameter tensor's relative error over its checked entries. A tensor whose sampled entries
   * all straddled kinks is listed with {@code checked} 0 and a NaN error: nothing in it was judged.
   *
   * @param checked entries compared (kinks not counted)
   * @param kinks entries of this tensor left out at kinks
   * @param passed whether the error is within the threshold, or the differences within what float32
   *     rounding can leave (see {@link GradientCheck#NOISE})
   */
  public record TensorError(String name, double relativeError, int checked, int kinks, boolean passed) {}

  /**
   * One parameter entry.
   *
   * @param name e.g. {@code dense1.weight[3,5]}
   * @param analytic what backward computed (plus the L2 term when decayed)
   * @param numeric the central difference of the double-precision reference loss
   * @param relativeError {@code |analytic - numeric| / (|analytic| + |numeric|)} (0 when both are 0)
   */
  public record EntryError(String name, double analytic, double numeric, double relativeError) {}

  /**
   * The tensors that failed: error over the threshold and differences beyond float32 rounding (a
   * tensor over the threshold within rounding passed, and is not among them).
   */
  public List<TensorError> failingTensors() {
    return tensors.stream().filter(t -> !t.passed()).toList();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(java.util.Locale.ROOT, "gradient check %s: relative error %.3e (threshold %s), %d of %d entries checked%s%n",
        passed ? "PASSED" : "FAILED", relativeError, Floats.text(threshold), checkedEntries, totalEntries,
        kinks > 0 ? ", " + kinks + " left out at kinks" : ""));
    for (TensorError t : tensors) {
      if (t.checked() == 0) {
        b.append(String.format(java.util.Locale.ROOT, "  %-24s not judged: %s at a kink%n", t.name(), t.kinks() == 1 ? "its 1 sampled entry" : "all " + t.kinks() + " sampled entries"));
        continue;
      }
      String note = !t.passed() ? "  <-- FAILS" : t.relativeError() > threshold ? "  (within float32 rounding)" : "";
      b.append(String.format(java.util.Locale.ROOT, "  %-24s %.3e%s%n", t.name(), t.relativeError(), note));
    }
    b.append("  worst entries:\n");
    for (EntryError e : worst) {
      b.append(String.format(java.util.Locale.ROOT, "    %-28s analytic % .6e  numeric % .6e  rel %.2e%n", e.name(), e.analytic(), e.numeric(), e.relativeError()));
    }
    return b.toString();
  }
}
