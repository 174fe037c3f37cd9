package org.caviar.model.debug;

import java.util.ArrayList;
import java.util.List;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.TrainingListener;

/**
 * A listener that records {@link LayerStatistics} of every layer after every epoch, on a fixed
 * probe batch (the first rows of a dataset, e.g. the validation set). Probing runs in PROBE mode,
 * so it changes neither the weights, nor batch norm's statistics, nor the dropout masks to come:
 * training with and without the recorder gives the same weights.
 *
 * <p>The probe's labels give the gradients. When {@link org.caviar.model.train.Trainer#fit} starts,
 * the probe's classes are matched to the training data's by name ({@link Dataset#inClasses}), as
 * the trainer matches its validation set's: a validation file without some class numbers the others
 * differently, and probed by its own numbers every gradient would be that of another label. Used
 * without a trainer, the probe's labels must be numbered as the network's outputs.
 */
public final class HistogramRecorder implements TrainingListener {
  /** One epoch's statistics. */
  public record Snapshot(int epoch, List<LayerStatistics> layers) {}

  private final Network network;
  /** The rows as given, and as matched to the training data's classes (the rows given until a fit starts). */
  private final Dataset given;
  private Dataset probe;
  private final int bins;
  private final List<Snapshot> snapshots = new ArrayList<>();

  /** Probes with up to {@code rows} rows of {@code data} (at least 2 for batch norm). */
  public HistogramRecorder(Network network, Dataset data, int rows, int bins) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    if (rows < 2) throw new IllegalArgumentException("rows must be >= 2, got " + rows);
    if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    network.checkFits(data, "data");
    // Checked here, not at the first epoch's end, when an epoch of training has been spent.
    if (data.rows() < 2) throw new IllegalArgumentException("data must have at least 2 rows to probe, has " + data.rows());
    this.network = network;
    this.given = data.head(rows);
    this.probe = given;
    this.bins = bins;
  }

  /** Matches the probe's classes to the training data's by name; a class it does not know is refused before the first epoch. */
  @Override
  public void onTrainingStart(Network network, org.caviar.model.train.TrainingConfig config, List<String> classes) {
    probe = given.inClasses(classes, "the probe data", "the training data");
  }

  @Override
  public Action onEpochEnd(EpochMetrics metrics) {
    snapshots.add(new Snapshot(metrics.epoch(), LayerStatistics.probe(network, probe.features(), probe.labels(), probe.rows(), bins)));
    return Action.CONTINUE;
  }

  /** The rows each snapshot probes. */
  public int probeRows() {
    return probe.rows();
  }

  public List<Snapshot> snapshots() {
    return List.copyOf(snapshots);
  }
}
