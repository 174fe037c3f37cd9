package org.caviar.kernels;

/**
 * Batch normalization over a row-major {@code n x f} matrix (n examples, f features), per feature.
 *
 * <p>Training forward: {@code mean = sum_i x / n}, biased {@code var = sum_i (x - mean)^2 / n},
 * {@code xhat = (x - mean) / sqrt(var + eps)}, {@code y = gamma * xhat + beta}; it keeps
 * {@code xhat} and {@code invStd = 1 / sqrt(var + eps)} for backward and updates the running
 * statistics as exponentially weighted averages:
 * {@code running = momentum * running + (1 - momentum) * batch}, where the running variance takes
 * the unbiased batch variance {@code var * n / (n - 1)} (it estimates the population's). A batch of
 * one has no variance: training with {@code n == 1} is an error; inference with one example works.
 * The variance takes two passes (the mean, then the squared deviations from it), and a constant
 * feature gets a mean equal to its value and a variance of exactly 0, hence {@code xhat = 0} and
 * {@code y = beta}.
 *
 * <p>Inference forward: {@code y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta}.
 * The reference evaluates it as written; the vector implementation folds
 * {@code gamma / sqrt(runningVar + eps)} into one factor per feature where that factor is a normal
 * float (or gamma is 0), and evaluates the expression as written, with the reference's bits, for
 * the features where it is not (parameters at the ends of the float range, such as gamma = 1e30
 * over {@code sqrt(0 + 1e-45)}: a folded infinite factor would give NaN at x = runningMean).
 *
 * <p>Backward (closed form, with {@code dxhat = dy * gamma}):
 * {@code dbeta = sum_i dy}, {@code dgamma = sum_i dy * xhat},
 * {@code dx = invStd / n * (n * dxhat - sum_i dxhat - xhat * sum_i dxhat * xhat)}.
 *
 * <p>{@code y} may be {@code x} (in place); {@code dx} may be {@code dy} (or {@code xhat}). Every
 * other output is an array of its own, none of the call's other arrays (inputs may share one):
 * one that is not is an {@link IllegalArgumentException}, since the kernels write the per-feature
 * sums and statistics while they still read them and the rest.
 *
 * <p>Arguments: {@code n, f >= 1} ({@code n >= 2} in training); {@code eps} finite and
 * {@code > 0}; {@code momentum} in {@code [0, 1)}; arrays not null, the per-example ones holding
 * {@code n * f} floats and the per-feature ones {@code f}; in inference every
 * {@code runningVar[j] >= 0} (NaN passes, and propagates). Otherwise an
 * {@link IllegalArgumentException} naming the argument, before anything is written.
 */
public abstract class BatchNorm {
  /** The plain reference. */
  public static BatchNorm scalar() {
    return ScalarBatchNorm.INSTANCE;
  }

  /** The Vector API implementation. */
  public static BatchNorm vector() {
    return VectorBatchNorm.INSTANCE;
  }

  /** Training forward with batch statistics; writes y, xhat, mean, invStd, updates running stats. */
  public final void forwardTraining(
      int n, int f, float[] x, float[] gamma, float[] beta, float eps, float momentum,
      float[] runningMean, float[] runningVar,
      float[] y, float[] xhat, float[] mean, float[] invStd) {
    if (n < 2) {
      throw new IllegalArgumentException(
          "n must be >= 2 in training, got " + n + ": a batch of 1 has no variance to normalize by (use inference)");
    }
    Checks.positive("f", f);
    Checks.positiveFinite("eps", eps);
    Checks.unitInterval("momentum", momentum);
    long size = (long) n * f;
    Checks.length("x", x, size);
    Checks.length("gamma", gamma, f);
    Checks.length("beta", beta, f);
    Checks.length("runningMean", runningMean, f);
    Checks.length("runningVar", runningVar, f);
    Checks.length("y", y, size);
    Checks.length("xhat", xhat, size);
    Checks.length("mean", mean, f);
    Checks.length("invStd", invStd, f);
    // The per-feature outputs, each an array of its own (y may be x; xhat is kept for backward):
    // the kernels sum into mean and invStd while they read x, and write y and xhat from gamma and beta.
    // Call by call, not over arrays of them: this runs at every training step, which allocates nothing.
    distinctFromTrainingArrays("runningMean", runningMean, x, gamma, beta, y, xhat);
    distinctFromTrainingArrays("runningVar", runningVar, x, gamma, beta, y, xhat);
    distinctFromTrainingArrays("mean", mean, x, gamma, beta, y, xhat);
    distinctFromTrainingArrays("invStd", invStd, x, gamma, beta, y, xhat);
    Checks.distinct("runningMean", runningMean, "runningVar", runningVar);
    Checks.distinct("runningMean", runningMean, "mean", mean);
    Checks.distinct("runningMean", runningMean, "invStd", invStd);
    Checks.distinct("runningVar", runningVar, "mean", mean);
    Checks.distinct("runningVar", runningVar, "invStd", invStd);
    Checks.distinct("mean", mean, "invStd", invStd);
    Checks.distinct("xhat", xhat, "x", x);
    Checks.distinct("xhat", xhat, "y", y);
    Checks.distinct("xhat", xhat, "gamma", gamma);
    Checks.distinct("xhat", xhat, "beta", beta);
    Checks.distinct("y", y, "gamma", gamma);
    Checks.distinct("y", y, "beta", beta);
    forwardTrainingImpl(n, f, x, gamma, beta, eps, momentum, runningMean, runningVar, y, xhat, mean, invStd);
  }

  private static void distinctFromTrainingArrays(
      String name, float[] written, float[] x, float[] gamma, float[] beta, float[] y, float[] xhat) {
    Checks.distinct(name, written, "x", x);
    Checks.distinct(name, written, "gamma", gamma);
    Checks.distinct(name, written, "beta", beta);
    Checks.distinct(name, written, "y", y);
    Checks.distinct(name, written, "xhat", xhat);
  }

  /** Inference forward with the running statistics. */
  public final void forwardInference(
      int n, int f, float[] x, float[] gamma, float[] beta,
      float[] runningMean, float[] runningVar, float eps, float[] y) {
    Checks.positive("n", n);
    Checks.positive("f", f);
    Checks.positiveFinite("eps", eps);
    long size = (long) n * f;
    Checks.length("x", x, size);
    Checks.length("gamma", gamma, f);
    Checks.length("beta", beta, f);
    Checks.length("runningMean", runningMean, f);
    Checks.length("runningVar", runningVar, f);
    Checks.length("y", y, size);
    // A variance below 0 is no variance: its square root would make the column NaN with no NaN
    // in sight. (A NaN statistic, from a diverged network, propagates as every NaN input does.)
    for (int j = 0; j < f; j++) {
      if (runningVar[j] < 0) throw new IllegalArgumentException("runningVar[" + j + "] must be >= 0, got " + runningVar[j]);
    }
    // y may be x, but not a parameter that later rows still read.
    Checks.distinct("y", y, "gamma", gamma);
    Checks.distinct("y", y, "beta", beta);
    Checks.distinct("y", y, "runningMean", runningMean);
    Checks.distinct("y", y, "runningVar", runningVar);
    forwardInferenceImpl(n, f, x, gamma, beta, runningMean, runningVar, eps, y);
  }

  /** Backward from what training forward kept: writes dx, dGamma, dBeta (overwritten, not added). */
  public final void backward(
      int n, int f, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dx, float[] dGamma, float[] dBeta) {
    Checks.positive("n", n);
    Checks.positive("f", f);
    long size = (long) n * f;
    Checks.length("dy", dy, size);
    Checks.length("xhat", xhat, size);
    Checks.length("gamma", gamma, f);
    Checks.length("invStd", invStd, f);
    Checks.length("dx", dx, size);
    Checks.length("dGamma", dGamma, f);
    Checks.length("dBeta", dBeta, f);
    // dx may be dy (or xhat): each element is read where it is written. dGamma and dBeta hold the
    // column sums that every dx is made from, and gamma and invStd are read for every row.
    Checks.distinct("dx", dx, "gamma", gamma);
    Checks.distinct("dx", dx, "invStd", invStd);
    distinctFromBackwardArrays("dGamma", dGamma, dy, xhat, gamma, invStd, dx);
    distinctFromBackwardArrays("dBeta", dBeta, dy, xhat, gamma, invStd, dx);
    Checks.distinct("dGamma", dGamma, "dBeta", dBeta);
    backwardImpl(n, f, dy, xhat, gamma, invStd, dx, dGamma, dBeta);
  }

  private static void distinctFromBackwardArrays(
      String name, float[] written, float[] dy, float[] xhat, float[] gamma, float[] invStd, float[] dx) {
    Checks.distinct(name, written, "dy", dy);
    Checks.distinct(name, written, "xhat", xhat);
    Checks.distinct(name, written, "gamma", gamma);
    Checks.distinct(name, written, "invStd", invStd);
    Checks.distinct(name, written, "dx", dx);
  }

  abstract void forwardTrainingImpl(
      int n, int f, float[] x, float[] gamma, float[] beta, float eps, float momentum,
      float[] runningMean, float[] runningVar,
      float[] y, float[] xhat, float[] mean, float[] invStd);

  abstract void forwardInferenceImpl(
      int n, int f, float[] x, float[] gamma, float[] beta,
      float[] runningMean, float[] runningVar, float eps, float[] y);

  abstract void backwardImpl(
      int n, int f, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dx, float[] dGamma, float[] dBeta);
}
