package org.caviar.search.sampler;

import java.util.SplittableRandom;
import org.caviar.search.space.IntParameter;

/**
 * TPE's joint estimator over several parameters (Optuna's multivariate TPE, Falkner et al. 2018):
 * one product kernel per observation plus a prior kernel, so that parameters that only work
 * together are proposed together. Numeric dimensions live on [0, 1] with one bandwidth per
 * dimension, {@code 0.2 n^(-1 / (D + 4))} (Scott's rule shape) clipped like the univariate one;
 * categorical dimensions hold a choice index and use the smoothed kernel of
 * {@link CategoricalEstimator}. Densities are summed in log space, since a product over many
 * dimensions underflows. An integer dimension scores a point by the probability of the whole share
 * of the value it rounds to (Optuna's discrete kernels), not by the density at the point itself.
 */
final class MultivariateParzen {
  private final int m;
  private final int dims;
  /** Per dimension: 0 for numeric, else the number of choices. */
  private final int[] choices;
  private final double[] logWeight;
  private final double[] mu; // [kernel * dims + d]
  private final double[] sigma; // per dimension and kernel, numeric only
  private final double[] invSigma;
  private final double[] logNorm; // -log(sigma * mass inside [0, 1] * sqrt(2 pi))
  private final double[] logInvInside; // -log(mass inside [0, 1]), for integer dimensions
  /** Per dimension: the integer parameter it is, or null. */
  private final IntParameter[] ints;
  private final double[] shareLo;
  private final double[] shareHi;
  private final double[] logHit; // per categorical dimension: log p(observed choice)
  private final double[] logMiss; // per categorical dimension: log p(any other choice)
  private final double[] logUniformChoice; // per categorical dimension: log(1 / choices), the prior's
  /**
   * [kernel * (dims + 1) + d]: the most that dimensions d.. can still add to a kernel's log term
   * (the sum of their positive log normalizers), so a kernel that is already hopeless can stop.
   */
  private final double[] headroom;
  private final double[] cumulative;
  private final double[] scratch;

  /**
   * @param obs {@code n x dims} row-major: unit positions, or choice indices for categorical dims
   * @param ints per dimension, the integer parameter it is, or null (then scored by density)
   */
  MultivariateParzen(double[] obs, double[] weights, int n, int[] choices, IntParameter[] ints, double priorWeight) {
    this.dims = choices.length;
    this.ints = ints.clone();
    shareLo = new double[dims];
    shareHi = new double[dims];
    this.choices = choices.clone();
    this.m = n + 1;
    mu = new double[m * dims];
    System.arraycopy(obs, 0, mu, 0, n * dims);
    for (int d = 0; d < dims; d++) mu[n * dims + d] = 0.5; // the prior (unused for categorical dims)

    double s = 0.2 * Math.pow(Math.max(n, 1), -1.0 / (dims + 4));
    double minSigma = 1.0 / Math.min(100, 1 + m);
    s = Math.min(1, Math.max(minSigma, s));
    sigma = new double[m * dims];
    invSigma = new double[m * dims];
    logNorm = new double[m * dims];
    logInvInside = new double[m * dims];
    // All observation kernels share one bandwidth: one log for the untruncated normalizer, and
    // another only for the few kernels near an edge that lose mass outside [0, 1].
    double logNormInside = -Math.log(s * Gaussians.SQRT_2PI);
    for (int j = 0; j < m; j++) {
      for (int d = 0; d < dims; d++) {
        if (choices[d] != 0) continue;
        double sj = j == n ? 1 : s;
        int at = j * dims + d;
        sigma[at] = sj;
        invSigma[at] = 1 / sj;
        double mass = Gaussians.massInUnit(mu[at], sj);
        logInvInside[at] = -Math.log(mass);
        logNorm[at] = j == n ? -Math.log(sj * mass * Gaussians.SQRT_2PI)
            : mass == 1 ? logNormInside : logNormInside - Math.log(mass);
      }
    }
    headroom = new double[m * (dims + 1)];
    for (int j = 0; j < m; j++) {
      double room = 0;
      for (int d = dims - 1; d >= 0; d--) {
        // The most a dimension's term can be: an integer's share has probability at most 1.
        if (choices[d] == 0) room += Math.max(0, ints[d] != null ? logInvInside[j * dims + d] : logNorm[j * dims + d]);
        headroom[j * (dims + 1) + d] = room;
      }
    }
    logHit = new double[dims];
    logMiss = new double[dims];
    logUniformChoice = new double[dims];
    double eps = priorWeight / (n + 1);
    for (int d = 0; d < dims; d++) {
      if (choices[d] == 0) continue;
      double norm = 1 + choices[d] * eps;
      logHit[d] = Math.log((1 + eps) / norm);
      logMiss[d] = Math.log(eps / norm);
      logUniformChoice[d] = -Math.log(choices[d]);
    }
    double total = priorWeight;
    for (int i = 0; i < n; i++) total += weights[i];
    logWeight = new double[m];
    cumulative = new double[m];
    double acc = 0;
    for (int j = 0; j < m; j++) {
      double w = (j == n ? priorWeight : weights[j]) / total;
      logWeight[j] = Math.log(w);
      acc += w;
      cumulative[j] = acc;
    }
    cumulative[m - 1] = 1;
    scratch = new double[m];
  }

  /**
   * The log density at x (dims entries). A kernel whose partial log term, plus all that its
   * remaining dimensions could add, falls more than 40 below the best kernel so far is dropped
   * there: it would add under e^-40 = 4e-18 of the sum. With many observations most kernels are far
   * from x in some dimension, so most stop after a dimension or two.
   */
  double logDensity(double[] x) {
    for (int d = 0; d < dims; d++) {
      if (ints[d] == null) continue;
      int v = ints[d].valueAt(x[d]);
      shareLo[d] = ints[d].shareStart(v);
      shareHi[d] = ints[d].shareEnd(v);
    }
    double max = Double.NEGATIVE_INFINITY;
    int prior = m - 1;
    // The prior kernel first (j = m - 1, then 0, 1, ...): it is never far from x, so the running
    // maximum, and with it the cut-off, is set from the start.
    for (int i = 0; i < m; i++) {
      int j = i == 0 ? prior : i - 1;
      double t = logWeight[j];
      int base = j * dims;
      int roomBase = j * (dims + 1);
      double floor = max - 40;
      for (int d = 0; d < dims; d++) {
        int k = choices[d];
        if (k == 0 && ints[d] != null) {
          t += logInvInside[base + d]
              + Math.log(Gaussians.massBetween(mu[base + d], sigma[base + d], shareLo[d], shareHi[d]));
        } else if (k == 0) {
          double z = (x[d] - mu[base + d]) * invSigma[base + d];
          t += logNorm[base + d] - 0.5 * z * z;
        } else if (j == prior) {
          t += logUniformChoice[d];
        } else {
          t += x[d] == mu[base + d] ? logHit[d] : logMiss[d];
        }
        if (t + headroom[roomBase + d + 1] < floor) {
          t = Double.NEGATIVE_INFINITY;
          break;
        }
      }
      scratch[j] = t;
      if (t > max) max = t;
    }
    // Terms more than 40 below the largest add under e^-40 = 4e-18 each: skip their exp.
    double sum = 0;
    double floor = max - 40;
    for (int j = 0; j < m; j++) if (scratch[j] > floor) sum += Math.exp(scratch[j] - max);
    return max + Math.log(sum);
  }

  /** A draw from the mixture into {@code out}. */
  void sample(SplittableRandom r, double[] out) {
    double p = r.nextDouble();
    int j = 0;
    while (j < m - 1 && cumulative[j] <= p) j++;
    int base = j * dims;
    for (int d = 0; d < dims; d++) {
      int k = choices[d];
      if (k == 0) {
        out[d] = Gaussians.sampleInUnit(mu[base + d], sigma[base + d], r);
      } else if (j == m - 1) {
        out[d] = r.nextInt(k);
      } else {
        // The kernel keeps (1 + eps) / norm on its choice and spreads the rest evenly.
        double hit = Math.exp(logHit[d]);
        if (r.nextDouble() < hit - Math.exp(logMiss[d])) {
          out[d] = mu[base + d];
        } else {
          out[d] = r.nextInt(k);
        }
      }
    }
  }
}
