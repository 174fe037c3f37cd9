package org.caviar.model.optim;

/**
 * Which update rule to use and its coefficients (the learning rate comes from a
 * {@link LearningRateSchedule}, the weight decay from the training configuration). Averages use the
 * exponentially weighted form of the Optimizers kernel: {@code v = beta * v + (1 - beta) * x}.
 */
public sealed interface OptimizerSpec {

  /**
   * The averages the rule keeps per parameter value, each an array as large as the parameter:
   * none for SGD, the gradients' for momentum, the squares' for RMSprop, both for Adam.
   */
  default int moments() {
    return switch (this) {
      case Sgd sgd -> 0;
      case Momentum momentum -> 1;
      case RmsProp rmsProp -> 1;
      case Adam adam -> 2;
    };
  }

  /**
   * The rule's name, as a search's {@code optimizer} parameter gives it and as its text starts:
   * "sgd", "momentum", "rmsprop", "adam" (what {@code Trainer.memoryEstimate} names its moments by).
   */
  default String name() {
    return switch (this) {
      case Sgd sgd -> "sgd";
      case Momentum momentum -> "momentum";
      case RmsProp rmsProp -> "rmsprop";
      case Adam adam -> "adam";
    };
  }

  /** Plain stochastic gradient descent: {@code w -= lr * g}. */
  record Sgd() implements OptimizerSpec {
    @Override
    public String toString() {
      return name();
    }
  }

  /**
   * Momentum as an average of gradients: {@code v = beta v + (1 - beta) g; w -= lr v}. Unlike the
   * "heavy ball" form ({@code v = beta v + g}) its step does not grow by {@code 1 / (1 - beta)},
   * so the learning rate means the same as for SGD.
   */
  record Momentum(float beta) implements OptimizerSpec {
    public Momentum {
      unit("beta", beta);
    }

    public Momentum() {
      this(0.9f);
    }

    @Override
    public String toString() {
      return name() + "(beta=" + Floats.text(beta) + ")";
    }
  }

  /** RMSprop: {@code s = beta s + (1 - beta) g^2; w -= lr g / (sqrt(s) + eps)}. */
  record RmsProp(float beta, float eps) implements OptimizerSpec {
    public RmsProp {
      unit("beta", beta);
      positive("eps", eps);
    }

    public RmsProp() {
      this(0.9f, 1e-8f);
    }

    @Override
    public String toString() {
      return name() + "(beta=" + Floats.text(beta) + ", eps=" + Floats.text(eps) + ")";
    }
  }

  /** Adam (Kingma and Ba 2015) with bias correction; defaults beta1 0.9, beta2 0.999, eps 1e-8. */
  record Adam(float beta1, float beta2, float eps) implements OptimizerSpec {
    public Adam {
      unit("beta1", beta1);
      unit("beta2", beta2);
      positive("eps", eps);
    }

    public Adam() {
      this(0.9f, 0.999f, 1e-8f);
    }

    @Override
    public String toString() {
      return name() + "(beta1=" + Floats.text(beta1) + ", beta2=" + Floats.text(beta2) + ", eps=" + Floats.text(eps) + ")";
    }
  }

  private static void unit(String name, float v) {
    if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
  }

  private static void positive(String name, float v) {
    if (!(v > 0) || !Float.isFinite(v)) throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
  }
}
