package org.caviar.model.optim;

/**
 * The learning rate as a function of the epoch (counted from 0), fixed for the whole epoch. A
 * decaying rate never goes below {@link Float#MIN_NORMAL}, or below {@code lr} if that is smaller:
 * the update kernels need a rate > 0, and no epoch's rate exceeds {@code lr}.
 */
public sealed interface LearningRateSchedule {

  /** The learning rate for {@code epoch} (0-based). */
  float rate(int epoch);

  /** {@code lr}. */
  record Constant(float lr) implements LearningRateSchedule {
    public Constant {
      positive("lr", lr);
    }

    @Override
    public float rate(int epoch) {
      checkEpoch(epoch);
      return lr;
    }

    @Override
    public String toString() {
      return "lr " + Floats.text(lr) + " constant";
    }
  }

  /** {@code lr / (1 + decay * epoch)}. */
  record InverseTime(float lr, float decay) implements LearningRateSchedule {
    public InverseTime {
      positive("lr", lr);
      nonNegative("decay", decay);
    }

    @Override
    public float rate(int epoch) {
      return floor(lr / (1.0 + decay * (double) checkEpoch(epoch)), lr);
    }

    @Override
    public String toString() {
      return "lr " + Floats.text(lr) + " / (1 + " + Floats.text(decay) + " epoch)";
    }
  }

  /** {@code lr * gamma^epoch}, {@code 0 < gamma <= 1}. */
  record Exponential(float lr, float gamma) implements LearningRateSchedule {
    public Exponential {
      positive("lr", lr);
      if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
    }

    @Override
    public float rate(int epoch) {
      return floor(lr * Math.pow(gamma, checkEpoch(epoch)), lr);
    }

    @Override
    public String toString() {
      return "lr " + Floats.text(lr) + " x " + Floats.text(gamma) + "^epoch";
    }
  }

  /** {@code lr * factor^(epoch / every)}: multiplied by {@code factor} every {@code every} epochs. */
  record Step(float lr, float factor, int every) implements LearningRateSchedule {
    public Step {
      positive("lr", lr);
      if (!(factor > 0 && factor <= 1)) throw new IllegalArgumentException("factor must be in (0, 1], got " + factor);
      if (every <= 0) throw new IllegalArgumentException("every must be > 0, got " + every);
    }

    @Override
    public float rate(int epoch) {
      return floor(lr * Math.pow(factor, checkEpoch(epoch) / every), lr);
    }

    @Override
    public String toString() {
      return "lr " + Floats.text(lr) + " x " + Floats.text(factor) + " every " + (every == 1 ? "epoch" : every + " epochs");
    }
  }

  /** Epochs count from 0: before it, inverse time would divide by zero or less and the others grow past lr. */
  private static int checkEpoch(int epoch) {
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    return epoch;
  }

  /** {@code rate}, but at least MIN_NORMAL, or {@code lr} when that is smaller (a subnormal lr: the floor was above it). */
  private static float floor(double rate, float lr) {
    return (float) Math.max(rate, Math.min(lr, Float.MIN_NORMAL));
  }

  private static void positive(String name, float v) {
    if (!(v > 0) || !Float.isFinite(v)) throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
  }

  private static void nonNegative(String name, float v) {
    if (!(v >= 0) || !Float.isFinite(v)) throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
  }
}
