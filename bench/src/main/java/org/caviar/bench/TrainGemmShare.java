package org.caviar.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * GEMM's share of training time, from a {@link TrainBench} result and its {@link GemmShareBench} replay: the epoch and the
 * replay of its GEMM calls ({@link TrainGemmReplay}) process the same examples per operation, so
 * {@code time(replay) / time(training)} is the ratio of their examples/s.
 */
final class TrainGemmShare {
  static final String TRAIN_KERNEL = "train";
  static final String REPLAY_KERNEL = "train-gemm";
  static final String SHARE_KERNEL = "train-gemm-share";
  static final String PERCENT = "%";

  private TrainGemmShare() {}

  /**
   * A share row, in %, for each training row in examples/s that has a replay row of the same
   * implementation, shape and thread count. Its error combines the two relative errors in
   * quadrature (first order, as if independent).
   */
  static List<SummaryRow> rows(List<SummaryRow> rows) {
    List<SummaryRow> shares = new ArrayList<>();
    for (SummaryRow train : rows) {
      if (!train.kernel().equals(TRAIN_KERNEL) || !train.unit().equals(Summary.EXAMPLES_PER_SECOND)) continue;
      for (SummaryRow replay : rows) {
        if (replay.kernel().equals(REPLAY_KERNEL) && replay.unit().equals(Summary.EXAMPLES_PER_SECOND)
            && replay.impl().equals(train.impl()) && replay.shape().equals(train.shape())
            && replay.threads() == train.threads()) {
          double share = 100 * train.score() / replay.score();
          double relative = Math.hypot(train.error() / train.score(), replay.error() / replay.score());
          shares.add(new SummaryRow(
              SHARE_KERNEL, train.impl(), train.shape(), train.threads(), share, share * relative, PERCENT, Double.NaN));
        }
      }
    }
    return shares;
  }
}
