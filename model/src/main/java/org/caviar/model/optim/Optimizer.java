package org.caviar.model.optim;

import java.util.List;
import org.caviar.kernels.Optimizers;
import org.caviar.model.layer.Parameter;

/**
 * Applies an {@link OptimizerSpec} to a fixed list of parameters: one fused kernel call per
 * parameter tensor and step, with L2 weight decay ({@code g + weightDecay * w}) on the tensors
 * marked {@linkplain Parameter#decayed() decayed} (weights, not biases or batch norm's scale and
 * shift). The state (velocities, squared-gradient averages) is allocated once here.
 *
 * <p>A separate pass, not fused into the weight-gradient product: Adam applied to each tile or each
 * block of whole rows as the product finished it (same bits) made 784-256-256-10 at batch 32 train
 * at 0.78-0.94x the speed, on one thread and sharded (bench/RESULTS.md, 2026-12-04).
 */
public final class Optimizer {
  private final OptimizerSpec spec;
  private final Parameter[] parameters;
  private final float weightDecay;
  private final Optimizers kernel;
  private final float[][] first;
  private final float[][] second;
  private int steps;

  public Optimizer(OptimizerSpec spec, List<Parameter> parameters, float weightDecay, Optimizers kernel) {
    if (spec == null || parameters == null || kernel == null) {
      throw new IllegalArgumentException("spec, parameters and kernel must not be null");
    }
    if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
    }
    this.spec = spec;
    this.parameters = parameters.toArray(new Parameter[0]);
    // Identity, not names: a tensor listed twice was updated twice a step, silently.
    java.util.Map<Parameter, Integer> seen = new java.util.IdentityHashMap<>();
    for (int i = 0; i < this.parameters.length; i++) {
      if (this.parameters[i] == null) throw new IllegalArgumentException("parameters[" + i + "] must not be null");
      Integer before = seen.putIfAbsent(this.parameters[i], i);
      if (before != null) {
        throw new IllegalArgumentException("parameters[" + i + "] is parameters[" + before + "] (" + this.parameters[i].name()
            + "): each tensor once, or it is updated twice a step");
      }
    }
    this.weightDecay = weightDecay;
    this.kernel = kernel;
    boolean needsFirst = spec.moments() >= 1;
    boolean needsSecond = spec.moments() >= 2;
    this.first = new float[this.parameters.length][];
    this.second = new float[this.parameters.length][];
    for (int i = 0; i < this.parameters.length; i++) {
      if (needsFirst) first[i] = new float[this.parameters[i].size()];
      if (needsSecond) second[i] = new float[this.parameters[i].size()];
    }
  }

  public OptimizerSpec spec() {
    return spec;
  }

  public float weightDecay() {
    return weightDecay;
  }

  /** Steps taken so far (Adam's bias correction uses it). */
  public int steps() {
    return steps;
  }

  /** One update of every parameter from its current gradient, with learning rate {@code lr}. */
  public void step(float lr) {
    // Counted once the updates are made: a rate the kernels refuse (before writing anything) must
    // not leave Adam's bias correction a step ahead.
    int t = steps + 1;
    for (int i = 0; i < parameters.length; i++) {
      Parameter p = parameters[i];
      float wd = p.decayed() ? weightDecay : 0f;
      int len = p.size();
      switch (spec) {
        case OptimizerSpec.Sgd s -> kernel.sgd(len, lr, wd, p.values(), p.gradient());
        case OptimizerSpec.Momentum m -> kernel.momentum(len, lr, m.beta(), wd, p.values(), p.gradient(), first[i]);
        case OptimizerSpec.RmsProp r ->
            kernel.rmsprop(len, lr, r.beta(), r.eps(), wd, p.values(), p.gradient(), first[i]);
        case OptimizerSpec.Adam a ->
            kernel.adam(len, lr, a.beta1(), a.beta2(), a.eps(), wd, t, p.values(), p.gradient(), first[i], second[i]);
      }
    }
    steps = t;
  }

  /** Forgets the state: zero averages and step count. */
  public void reset() {
    steps = 0;
    for (float[] a : first) if (a != null) java.util.Arrays.fill(a, 0f);
    for (float[] a : second) if (a != null) java.util.Arrays.fill(a, 0f);
  }
}
