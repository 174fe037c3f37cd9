package org.caviar.search.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * Bayesian optimization with a Gaussian process and expected improvement (Jones, Schonlau and
 * Welch 1998; Snoek, Larochelle and Adams 2012), on the unit positions of each parameter's scale.
 *
 * <p>The first {@code startupTrials} trials are random, as with {@link TpeSampler}. Then the losses of
 * the completed trials (the value, negated when maximizing) are standardized and modelled by a
 * {@link GaussianProcess} with a Matern 5/2 kernel, one length scale per parameter, a signal
 * variance and a fitted noise level, all by maximum a posteriori (marginal likelihood and priors
 * after Optuna's), on the features of {@link GpFeatures} (categoricals one-hot; inactive
 * conditional parameters at 0.5). Pruned trials count at the worst completed loss:
 * their last value is not comparable with a final one, but they were stopped for looking bad.
 * Diverged trials ({@link TrialRecord#isDiverged}) count there too, since a divergence comes from
 * the configuration (a learning rate too high) and has no value of its own; Optuna leaves out every
 * failed trial, as a failure may come from outside the configuration, and Caviar still leaves out
 * the other failures and interrupted trials. When every completed loss is the same (a single
 * completed trial), they count above it instead, so that the model still sees the completed
 * trials as better. With no completed trial there is no worst loss, and the proposal is random.
 *
 * <p>Running trials are <b>pending</b>: with the constant liar on (the default) the fitted model is
 * conditioned on each taking the best observed loss as its exact value (not a noisy observation,
 * which would keep variance and improvement there when the fitted noise is large), so the
 * posterior there has no variance and no improvement left, and parallel workers are pushed
 * elsewhere instead of all proposing the current favourite. The lies are not fitted: the length
 * scales and noise come from the observations alone.
 *
 * <p>The next point maximizes expected improvement over the best observed loss among
 * {@code candidates} uniform random points and {@code candidates / 2} Gaussian perturbations of the
 * five best points (standard deviations 0.1, 0.03 and 0.01 on the unit scale), all drawn from the
 * trial's own random stream, scored in batches of 64 whose posterior variances share one blocked
 * triangular solve.
 *
 * <p>Cost per proposal, for n observations: the fit's 6 likelihood evaluations at its starting
 * grid and at most 2 x 40 evaluations with gradient by the quasi-Newton method (fewer when it
 * converges first), each O(n^3), a factorization and, with the gradient, an inverse; one
 * factorization more with the p pending points, O((n + p)^3); and O((n + p)^2) per candidate; past {@code maxObservations} the model keeps the best half of that many and the
 * most recent others, so that long studies stay cheap.
 */
public final class GpSampler implements Sampler {
  private static final int LOCAL_CENTRES = 5;
  private static final double[] LOCAL_SIGMAS = {0.1, 0.03, 0.01};

  private final int startupTrials;
  private final int candidates;
  private final boolean constantLiar;
  private final int maxObservations;

  private GpSampler(Builder b) {
    this.startupTrials = b.startupTrials;
    this.candidates = b.candidates;
    this.constantLiar = b.constantLiar;
    this.maxObservations = b.maxObservations;
  }

  /** Defaults: 10 startup trials, 1000 random candidates, constant liar on, at most 200 observations. */
  public GpSampler() {
    this(builder());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a GP sampler. */
  public static final class Builder {
    private int startupTrials = 10;
    private int candidates = 1000;
    private boolean constantLiar = true;
    private int maxObservations = 200;

    public Builder startupTrials(int n) {
      if (n < 0) throw new IllegalArgumentException("startupTrials must be >= 0, got " + n);
      startupTrials = n;
      return this;
    }

    /** Uniform random candidates of the acquisition (half as many more are drawn near the best points). */
    public Builder candidates(int n) {
      if (n < 1) throw new IllegalArgumentException("candidates must be >= 1, got " + n);
      candidates = n;
      return this;
    }

    public Builder constantLiar(boolean on) {
      constantLiar = on;
      return this;
    }

    /** Finished trials the model keeps at most (the best half of them, then the most recent). */
    public Builder maxObservations(int n) {
      if (n < 2) throw new IllegalArgumentException("maxObservations must be >= 2, got " + n);
      maxObservations = n;
      return this;
    }

    public GpSampler build() {
      return new GpSampler(this);
    }
  }

  @Override
  public Point propose(SearchSpace space, History history, int number, long seed) {
    SplittableRandom random = Seeds.forTrial(seed, number);
    Data data = data(history, number);
    GpFeatures features = new GpFeatures(space);
    if (data.observed < startupTrials || data.losses.length == 0 || features.count() == 0) {
      return space.pointFromUnit(RandomSampler.draw(space.size(), random));
    }
    int observations = data.losses.length;
    int pending = data.pending.size();
    int d = features.count();
    double[] x = new double[observations * d];
    double[] y = new double[observations];
    double bestY = Double.POSITIVE_INFINITY;
    // Standardized in units of the power of two just below the largest loss: scaling by a power of
    // two is exact, so the targets are the ones the losses themselves give, but the squares neither
    // overflow (losses past 1e154 made the variance infinite, every target 0) nor underflow (losses
    // under 1e-154 made it 0, the targets left at about 0): either way the model was flat.
    double largest = 0;
    for (double v : data.losses) largest = Math.max(largest, Math.abs(v));
    int shift = largest == 0 ? 0 : -Math.getExponent(largest);
    double[] scaled = new double[observations];
    for (int j = 0; j < observations; j++) scaled[j] = Math.scalb(data.losses[j], shift);
    double mean = 0;
    for (double v : scaled) mean += v;
    mean /= observations;
    double var = 0;
    for (double v : scaled) var += (v - mean) * (v - mean);
    double sd = observations > 1 && var > 0 ? Math.sqrt(var / (observations - 1)) : 1;
    for (int j = 0; j < observations; j++) {
      features.encode(data.units.get(j), x, j * d);
      y[j] = (scaled[j] - mean) / sd;
      bestY = Math.min(bestY, y[j]);
    }
    double[] pendingX = new double[pending * d];
    for (int j = 0; j < pending; j++) features.encode(data.pending.get(j), pendingX, j * d);
    double[] lies = new double[pending];
    Arrays.fill(lies, bestY); // the constant liar
    GaussianProcess gp = GaussianProcess.fit(x, y, observations, d, features.groupOfFeature(), features.groups());
    if (gp != null) gp = gp.withPending(pendingX, lies, pending);
    if (gp == null) return space.pointFromUnit(RandomSampler.draw(space.size(), random));
    return space.pointFromUnit(maximizeImprovement(space, features, gp, bestY, data, random));
  }

  /** The candidate with the largest expected improvement over {@code bestY}. */
  private double[] maximizeImprovement(SearchSpace space, GpFeatures features, GaussianProcess gp, double bestY,
      Data data, SplittableRandom random) {
    Acquisition a = new Acquisition(gp, features, bestY, space.size());
    double[] u = new double[space.size()];
    for (int c = 0; c < candidates; c++) {
      for (int i = 0; i < u.length; i++) u[i] = random.nextDouble();
      a.consider(space, u);
    }
    int[] centres = data.bestFirst(LOCAL_CENTRES);
    int local = candidates / 2;
    for (int c = 0; c < local; c++) {
      double[] centre = data.units.get(centres[c % centres.length]);
      double sigma = LOCAL_SIGMAS[(c / centres.length) % LOCAL_SIGMAS.length];
      for (int i = 0; i < u.length; i++) {
        Parameter p = space.get(i);
        double base = centre[i];
        if (Double.isNaN(base)) {
          u[i] = random.nextDouble(); // inactive at the centre: anything goes if it becomes active
        } else if (p instanceof CategoricalParameter) {
          u[i] = random.nextDouble() < sigma ? random.nextDouble() : base; // switch choice now and then
        } else {
          u[i] = Math.min(1, Math.max(0, base + sigma * random.nextGaussian()));
        }
      }
      a.consider(space, u);
    }
    a.score();
    return a.best;
  }

  /**
   * The running maximum of expected improvement over the candidates seen. Candidates are scored in
   * batches, so that their posterior variances come from one blocked triangular solve.
   */
  private static final class Acquisition {
    private static final int BATCH = 64;

    final GaussianProcess gp;
    final GpFeatures features;
    final double bestY;
    final int size;
    final int n;
    final double[] q;
    final double[] k;
    final double[][] block;
    final double[] means;
    final double[] variances;
    final double[] units;
    final double[] best;
    int pending;
    double bestImprovement = -1;

    Acquisition(GaussianProcess gp, GpFeatures features, double bestY, int size) {
      this.gp = gp;
      this.features = features;
      this.bestY = bestY;
      this.size = size;
      this.n = gp.size();
      q = new double[features.count()];
      k = new double[n];
      block = new double[n][BATCH];
      means = new double[BATCH];
      variances = new double[BATCH];
      units = new double[BATCH * size];
      best = new double[size];
    }

    /** Snaps u to a valid point (see {@link #snap}) and queues it for scoring. */
    void consider(SearchSpace space, double[] u) {
      snap(space, u);
      features.encode(u, q, 0);
      int c = pending++;
      means[c] = gp.mean(q, k);
      for (int i = 0; i < n; i++) block[i][c] = k[i];
      System.arraycopy(u, 0, units, c * size, size);
      if (pending == BATCH) score();
    }

    /** Scores the queued candidates, in the order they came; keeps the first best. */
    void score() {
      if (pending == 0) return;
      gp.variances(block, pending, variances);
      for (int c = 0; c < pending; c++) {
        // A known value is an observation's, no better than the best, or a pending point's lie, the
        // best: no improvement, whatever the jitter lets the mean say.
        double ei = gp.isKnown(variances[c]) ? 0 : expectedImprovement(bestY, means[c], Math.sqrt(variances[c]));
        if (ei > bestImprovement) {
          bestImprovement = ei;
          System.arraycopy(units, c * size, best, 0, size);
        }
      }
      pending = 0;
    }
  }

  /**
   * Makes u the unit positions of the point {@link SearchSpace#pointFromUnit} makes of it: inactive
   * parameters NaN, every active one at its value's own position (fixed ones 0.5, categoricals and
   * integers the middle of their value's share, floats unchanged up to rounding), so that a
   * candidate is scored where the point proposed will be. Integers matter most: the gaps between
   * tried values look unexplored, but round to the values already tried.
   */
  static void snap(SearchSpace space, double[] u) {
    for (int i = 0; i < u.length; i++) {
      if (!space.isActive(i, u)) {
        u[i] = Double.NaN;
      } else {
        Parameter p = space.get(i);
        u[i] = p.toUnit(p.fromUnit(u[i])); // as pointFromUnit computes the point's own positions
      }
    }
  }

  /** E[max(best - f, 0)] for f ~ N(mean, sd^2): (best - mean) Phi(z) + sd phi(z), z = (best - mean) / sd. */
  static double expectedImprovement(double best, double mean, double sd) {
    double gain = best - mean;
    if (!(sd > 1e-12)) return Math.max(gain, 0);
    double z = gain / sd;
    return gain * Gaussians.cdf(z) + sd * Math.exp(-0.5 * z * z) / Gaussians.SQRT_2PI;
  }

  /**
   * The model's data: unit positions and losses of the observations in trial order (pruned and
   * diverged ones at the worst completed loss, at most {@code maxObservations}), the pending points,
   * and how many trials finished (other failures are not counted).
   */
  record Data(List<double[]> units, double[] losses, List<double[]> pending, int observed) {
    /** Indices of the (at most) k observations with the smallest losses, best first. */
    int[] bestFirst(int k) {
      Integer[] order = new Integer[losses.length];
      for (int j = 0; j < order.length; j++) order[j] = j;
      Arrays.sort(order, (a, b) -> Double.compare(losses[a], losses[b]));
      int[] out = new int[Math.min(k, order.length)];
      for (int j = 0; j < out.length; j++) out[j] = order[j];
      return out;
    }
  }

  Data data(History history, int number) {
    Direction dir = history.direction();
    List<TrialRecord> finished = new ArrayList<>();
    List<double[]> pending = new ArrayList<>();
    double worst = Double.NEGATIVE_INFINITY;
    double best = Double.POSITIVE_INFINITY;
    int complete = 0;
    for (TrialRecord t : history.trials()) {
      if (t.params() == null) continue;
      if (t.state() == TrialState.COMPLETE) {
        finished.add(t);
        worst = Math.max(worst, dir.loss(t.value()));
        best = Math.min(best, dir.loss(t.value()));
        complete++;
      } else if (t.state() == TrialState.PRUNED || t.isDiverged()) {
        finished.add(t);
      } else if (t.state() == TrialState.RUNNING && constantLiar && t.number() != number) {
        pending.add(t.params().units());
      }
    }
    if (complete == 0) return new Data(List.of(), new double[0], pending, finished.size());
    int m = finished.size();
    // Where every completed loss is the same (one completed trial, say, early in an ASHA study),
    // pruned and diverged trials at that loss would leave all the targets equal: a flat model
    // whose proposals only flee the data. Set apart from it by any amount (the targets are
    // standardized, so the amount does not matter), they say the completed trials did better.
    double stopped = best < worst ? worst : worst + Math.max(1, Math.abs(worst));
    // Past Double.MAX_VALUE / 2 that sum overflows; the two levels then stand at 0 and 1 instead.
    boolean twoLevels = Double.isInfinite(stopped);
    double[] loss = new double[m];
    for (int j = 0; j < m; j++) {
      TrialRecord t = finished.get(j);
      boolean completed = t.state() == TrialState.COMPLETE;
      if (twoLevels) loss[j] = completed ? 0 : 1;
      else loss[j] = completed ? dir.loss(t.value()) : stopped;
    }
    boolean[] keep = new boolean[m];
    if (m <= maxObservations) {
      Arrays.fill(keep, true);
    } else {
      Data all = new Data(List.of(), loss, List.of(), m);
      for (int j : all.bestFirst(maxObservations / 2)) keep[j] = true;
      int kept = maxObservations / 2;
      for (int j = m - 1; j >= 0 && kept < maxObservations; j--) {
        if (!keep[j]) {
          keep[j] = true;
          kept++;
        }
      }
    }
    List<double[]> units = new ArrayList<>();
    double[] losses = new double[Math.min(m, maxObservations)];
    for (int j = 0; j < m; j++) {
      if (!keep[j]) continue;
      losses[units.size()] = loss[j];
      units.add(finished.get(j).params().units());
    }
    return new Data(units, losses, pending, m);
  }

  @Override
  public String name() {
    return "gp";
  }
}
