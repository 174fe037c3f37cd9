package org.caviar.search.sampler;

import java.util.SplittableRandom;

/**
 * TPE's estimator for a categorical parameter: a weighted mixture of one kernel per observation,
 * which puts most of its mass on the observed choice and {@code eps = priorWeight / (n + 1)} on
 * each choice before normalizing, plus a uniform prior kernel of weight {@code priorWeight}. That is
 * counts smoothed so that no choice ever has zero probability.
 */
final class CategoricalEstimator {
  private final double[] p;

  /** @param choice observed choice indices in [0, k), the first {@code n} used */
  CategoricalEstimator(int[] choice, double[] weights, int n, int k, double priorWeight) {
    p = new double[k];
    double eps = priorWeight / (n + 1);
    double norm = 1 + k * eps;
    double total = priorWeight;
    for (int i = 0; i < n; i++) total += weights[i];
    double base = priorWeight / total / k; // the prior's share of each choice
    for (int c = 0; c < k; c++) p[c] = base;
    for (int i = 0; i < n; i++) {
      double wi = weights[i] / total;
      for (int c = 0; c < k; c++) p[c] += wi * eps / norm;
      p[choice[i]] += wi / norm;
    }
  }

  double probability(int c) {
    return p[c];
  }

  int sample(SplittableRandom r) {
    double u = r.nextDouble();
    double acc = 0;
    for (int c = 0; c < p.length - 1; c++) {
      acc += p[c];
      if (u < acc) return c;
    }
    return p.length - 1;
  }
}
