package org.caviar.model.train;

import org.caviar.model.optim.LearningRateSchedule;
import org.caviar.model.optim.OptimizerSpec;

/**
 * How to train: epochs, batch size, optimizer, learning-rate schedule, L2 weight decay, early
 * stopping and the shuffling seed. Build with {@link #builder()}.
 *
 * @param epochs maximum number of epochs
 * @param batchSize examples per mini-batch
 * @param optimizer update rule
 * @param schedule learning rate per epoch
 * @param weightDecay L2 coefficient {@code lambda} on the weights (the loss gains {@code lambda/2 ||W||^2})
 * @param patience epochs without validation-loss improvement before stopping early; 0 turns early
 *     stopping off
 * @param minDelta how much the validation loss must fall to count as an improvement
 * @param restoreBest whether to end with the weights of the best epoch: the last one whose validation
 *     loss beat the best before it by more than {@code minDelta} (with {@code minDelta} 0, the lowest);
 *     a run that diverges before any epoch's validation loss is finite ends with the weights it
 *     started from
 * @param seed seed of the mini-batch order, and of the dropout masks of a step split over threads
 *     (on one thread they come from the network's seed)
 */
public record TrainingConfig(
    int epochs, int batchSize, OptimizerSpec optimizer, LearningRateSchedule schedule,
    float weightDecay, int patience, float minDelta, boolean restoreBest, long seed) {

  public TrainingConfig {
    if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
    if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    if (optimizer == null) throw new IllegalArgumentException("optimizer must not be null");
    if (schedule == null) throw new IllegalArgumentException("schedule must not be null");
    if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
    }
    if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
    if (!(minDelta >= 0) || !Float.isFinite(minDelta)) {
      throw new IllegalArgumentException("minDelta must be finite and >= 0, got " + minDelta);
    }
  }

  /** Defaults: 30 epochs, batch 64, Adam at 1e-3, no weight decay, no early stopping, restore best, seed 0. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.optimizer = optimizer;
    b.schedule = schedule;
    b.weightDecay = weightDecay;
    b.patience = patience;
    b.minDelta = minDelta;
    b.restoreBest = restoreBest;
    b.seed = seed;
    return b;
  }

  public static final class Builder {
    private int epochs = 30;
    private int batchSize = 64;
    private OptimizerSpec optimizer = new OptimizerSpec.Adam();
    private LearningRateSchedule schedule = new LearningRateSchedule.Constant(1e-3f);
    private float weightDecay;
    private int patience;
    private float minDelta;
    private boolean restoreBest = true;
    private long seed;

    private Builder() {}

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder optimizer(OptimizerSpec v) {
      optimizer = v;
      return this;
    }

    public Builder schedule(LearningRateSchedule v) {
      schedule = v;
      return this;
    }

    /** A constant learning rate. */
    public Builder learningRate(float lr) {
      schedule = new LearningRateSchedule.Constant(lr);
      return this;
    }

    public Builder weightDecay(float v) {
      weightDecay = v;
      return this;
    }

    /** Early stopping after {@code epochs} epochs without improvement (0: off). */
    public Builder patience(int v) {
      patience = v;
      return this;
    }

    public Builder minDelta(float v) {
      minDelta = v;
      return this;
    }

    public Builder restoreBest(boolean v) {
      restoreBest = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public TrainingConfig build() {
      return new TrainingConfig(epochs, batchSize, optimizer, schedule, weightDecay, patience, minDelta, restoreBest, seed);
    }
  }
}
