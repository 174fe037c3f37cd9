package org.caviar.search.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * How much of the variation in score each parameter explains on its own: a first-order, binned
 * variance decomposition (the main-effect term of fANOVA, estimated from marginals instead of a
 * random forest).
 *
 * <p>For each parameter, the completed trials where it was active are grouped into bins of its unit
 * position (equal-count bins, about sqrt(n) of them, at most 10, equal values always in one bin; one
 * bin per choice for a categorical one). Its raw share is the between-bin part of the variance of the scores,
 * corrected for the share that k bins would explain by chance (epsilon squared,
 * {@code (SS_between - (k - 1) MS_within) / SS_total}, floored at 0 for the shares); for a conditional parameter,
 * the between-bin part among the trials where it is active, of the variance over all of them. Scores are replaced by their
 * ranks first, so one diverged trial does not decide everything. Shares are normalized to sum to 1,
 * unless no parameter explains anything beyond chance: then every share is 0.
 *
 * <p>Normalized, the shares rank the parameters (as Optuna's importance does) but no longer say how
 * much they explain: "lr 100%" is as much of 3% of the variation as of 90%. So the result also
 * gives that part ({@link Result#explained()}): the raw shares summed, those below 0 included, so
 * that chance ups and downs cancel. Summed floored, the shares of 11 parameters of no effect at
 * all read 20% on average at 60 random trials and 11% at 110; summed as they are, 6-7% and 3-5% (the
 * total itself is floored at 0, so a study of noise reads 0 about half the time and a little above
 * the other half).
 *
 * <p>How many trials: at least {@value #MIN_TRIALS_PER_PARAMETER} for each parameter that varies
 * (P of them: 5 P); below that there are no shares, and the result says how many it takes
 * ({@link Result#tooFew()}, {@link Result#tooFewReason()}). Below {@value #FIRM_TRIALS_PER_PARAMETER}
 * per parameter the shares are given as rough ({@link Result#rough()}, {@link Result#roughNote()}).
 * The shares are P effects estimated from the same trials, and their error is set by the trials per
 * parameter, not by the trials alone: the statistician's rule of ten observations per estimated
 * effect (Harrell, Regression Modeling Strategies, on the limits to the number of predictors).
 * Measured here (random trials; three parameters with effects of weights 1, 0.7 and 0.4, two for
 * P = 2, together half of the score's variance, the others none; 200 studies each), the part of
 * the 100% put on the wrong parameters (half the summed absolute errors of the shares) was
 * 0.44-0.76 at 4 trials (P = 2 to 11), and 0.35-0.37 at 5 per parameter, 0.25-0.27 at 10 and
 * 0.16-0.18 at 20, for P = 2, 5 and 11 alike; with 2 trials per parameter (4 trials, P = 2) the
 * strongest parameter came first about as often as chance would put it there (48% of studies), at
 * 10 per parameter in 64-90%. So: nothing below 5 per parameter, where the shares rank noise;
 * rough from 5 (a third of the 100% misplaced, but the leaders show: the default 60-trial study
 * of 11 parameters has 5.5); firm from 10.
 *
 * <p>Which values: the final values of the completed trials when there are at least 20 of them and
 * enough for firm shares; otherwise (a pruner stopped most trials) the intermediate values at the
 * latest step that at least two thirds of the trials with reports reached, which compares them at
 * equal training: below 20 completed trials always, from 20 on only if more trials reached that
 * step than completed. A trial interrupted with its process is left out
 * there: its re-run, a trial of its own, stands for its parameters. The result says which basis it
 * used.
 *
 * <p>Limits, stated in the report: interactions are not attributed, and a sampler that
 * concentrates its trials (TPE) shrinks the spread of the parameters it is sure about, which can
 * lower their share; a sound reading needs some random trials, which TPE's start-up provides. It
 * moves the part explained either way too (default space, a log learning rate effect, 50 studies
 * each): where random trials read 0.87 and 0.88 on average at 60 and 110 trials, TPE's read 0.86
 * and 0.68 (lr's spread shrunk); where they read 0.41 and 0.42, TPE's read 0.56 and 0.39 (at 60
 * trials, likely parameters it moved together with lr counting part of lr's effect again).
 */
public final class Importance {
  private Importance() {}

  /**
   * Shares by parameter name, largest first, and the values they were computed from;
   * {@code trialsNeeded}, the trials the space's shares take (0: not stated); {@code firmAt}, the
   * trials from which they are firm, when the shares came from fewer (0: firm, or not stated);
   * {@code summed}, the parameters' chance-corrected shares summed, floored at 0: above 1 when
   * they overlap ({@link #explained()} caps it; NaN when there are no shares, or not stated).
   */
  public record Result(Map<String, Double> shares, String basis, int trialsNeeded, int firmAt, double summed) {
    /** Shares whose trials were not counted against a need. */
    public Result(Map<String, Double> shares, String basis) {
      this(shares, basis, 0, 0);
    }

    /** Shares without the part explained stated. */
    public Result(Map<String, Double> shares, String basis, int trialsNeeded, int firmAt) {
      this(shares, basis, trialsNeeded, firmAt, Double.NaN);
    }

    /**
     * The fraction of the variance of the scores' ranks that the parameters' main effects explain
     * together, from 0 to 1: the sum of their chance-corrected raw shares before they are
     * normalized, those below 0 included (see the class comment), floored at 0 and capped at 1. It
     * is what the normalized shares are parts of: "lr 100%" of 3% explained is a parameter that
     * barely stands out of noise. It is not an R squared of the scores themselves (ranks: one
     * diverged trial counts as one rank), and it holds main effects only: what two parameters do
     * together beyond their separate effects (interactions), and the seeds' noise, are the rest.
     * Parameters that a sampler moved together (TPE) can count the same variation twice, which the
     * cap bounds ({@link #capped()}). Its spread from study to study is measured at {@link
     * #SMALL_EXPLAINED}. NaN when there are no shares.
     */
    public double explained() {
      return shares.isEmpty() ? Double.NaN : Math.min(1, summed);
    }

    /**
     * Whether the shares summed to more than 1, which {@link #explained()} caps: parameters moved
     * together count what they share twice, and chance moves the sum (its spread is measured at
     * {@link #SMALL_EXPLAINED}).
     */
    public boolean capped() {
      return !shares.isEmpty() && summed > 1;
    }

    /** Whether the parameters together explain less than {@value #SMALL_EXPLAINED} of the variation (see there). */
    public boolean explainsLittle() {
      return explained() < SMALL_EXPLAINED;
    }

    /**
     * "together they explain 34% of the variation in score", and when that is little ({@link
     * #explainsLittle()}) what the score varies with instead, in parentheses as the rough note's
     * count; empty when it is not known.
     */
    public String explainedNote() {
      if (Double.isNaN(explained())) return "";
      return "together they explain " + explainedAmount() + " of the variation in score" + explainedQualifier();
    }

    /**
     * What the part explained needs said beside it: " (their shares summed to 106%: ...)" or " (little: ...)"
     * ({@link #capped()}, {@link #explainsLittle()}); empty when neither.
     */
    public String explainedQualifier() {
      if (capped()) return " (their shares summed to " + Math.round(100 * summed) + "%: " + CAPPED_EXPLAINED + ")";
      return explainsLittle() ? " (" + LITTLE_EXPLAINED + ")" : "";
    }

    /**
     * {@link #explainedPercent()}, or "most" when the shares summed past 100%: a figure of 100%
     * would claim that nothing is left to noise, which overlapping shares do not show.
     */
    public String explainedAmount() {
      return capped() ? "most" : explainedPercent();
    }

    /**
     * {@link #explained()} in whole percents ("34%"): its error is several percents (see {@link
     * #SMALL_EXPLAINED}), which a decimal would hide.
     */
    public String explainedPercent() {
      return Math.round(100 * explained()) + "%";
    }

    /** Whether the shares came from fewer than {@value #FIRM_TRIALS_PER_PARAMETER} trials per parameter that varies. */
    public boolean rough() {
      return !shares.isEmpty() && firmAt > 0;
    }

    /** "rough: 110 trials make it firm (10 per parameter)" for rough shares, else empty. */
    public String roughNote() {
      return rough() ? "rough: " + firmAt + " trials make it firm (" + FIRM_TRIALS_PER_PARAMETER + " per parameter)" : "";
    }

    public boolean isEmpty() {
      return shares.isEmpty();
    }

    /**
     * Whether every share is 0 (none at all included): no parameter explains more of the ranks
     * than chance would, which the summary and the report say in words rather than as zeros.
     */
    public boolean allZero() {
      return shares.values().stream().allMatch(v -> v == 0);
    }

    /** Whether there are no shares because there were too few trials (not because nothing varies). */
    public boolean tooFew() {
      return shares.isEmpty() && trialsNeeded > 0;
    }

    /**
     * Why there are no shares, for a reader: "too few trials to estimate it: 11 parameters vary,
     * which takes 110 trials (10 per parameter)"; empty when there are shares or no need was stated.
     */
    public String tooFewReason() {
      if (!tooFew()) return "";
      int parameters = trialsNeeded / MIN_TRIALS_PER_PARAMETER;
      return "too few trials to estimate it: " + parameters + (parameters == 1 ? " parameter varies" : " parameters vary")
          + ", which takes " + trialsNeeded + " trials (" + MIN_TRIALS_PER_PARAMETER + " per parameter)";
    }

    /**
     * The shares as percentages with {@code decimals} decimals that add up to 100 when the shares add
     * up to 1 (largest remainders: each share rounded down, and the units left over go to those
     * that lost most), so that a printed list does not total 99% or 100.1%; in the shares' order.
     */
    public Map<String, String> percents(int decimals) {
      long units = Math.round(100 * Math.pow(10, decimals)); // 100% in steps of the last decimal
      double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
      Map<String, Long> floor = new LinkedHashMap<>();
      shares.forEach((k, v) -> floor.put(k, (long) Math.floor(v * units)));
      // Only shares that add up to 1 (up to the doubles' rounding) are completed to 100.
      if (Math.abs(sum - 1) < 1e-9) {
        long left = units - floor.values().stream().mapToLong(Long::longValue).sum();
        List<String> byRemainder = new ArrayList<>(shares.keySet());
        byRemainder.sort(Comparator.comparingDouble((String k) -> -(shares.get(k) * units - floor.get(k))));
        for (int i = 0; i < left && i < byRemainder.size(); i++) floor.merge(byRemainder.get(i), 1L, Long::sum);
      } else {
        shares.forEach((k, v) -> floor.put(k, Math.round(v * units)));
      }
      Map<String, String> out = new LinkedHashMap<>();
      floor.forEach((k, u) -> out.put(k, java.math.BigDecimal.valueOf(u, decimals).toPlainString() + "%"));
      return out;
    }
  }

  /**
   * The part explained below which the parameters are said to explain little ({@link
   * Result#explainsLittle()}): 10%, where nine tenths of the variation is something else. It is
   * also about where chance leaves a study of no effect at all: measured on pure noise (random
   * trials; 200 studies each), the default space's 11 parameters came out below 10% in 73-76% of
   * the studies at 60 trials, 78-89% at 110 (uniform and normal noise) and 96% at 220 (one
   * parameter: 80% at 20 trials, 98% at 100), while a log learning rate that made half the score's variance (the rest noise; the part
   * read 41-43% on average) came out below 10% in 4% of the studies at 60 trials and in none at
   * 110. Its spread shows there too: at 60 trials the middle 80% of those studies read 18% to 65%,
   * at 110, 31% to 57%.
   */
  public static final double SMALL_EXPLAINED = 0.10;

  /** Why the shares can sum to more than 1, for a reader. */
  static final String CAPPED_EXPLAINED = "parameters the sampler varied together overlap";

  /** What the score varies with when the parameters explain little of it, for a reader. */
  static final String LITTLE_EXPLAINED = "little: the score varies mostly with what no single parameter explains, noise "
      + "(seeds) or interactions; more trials, or fewer parameters, sharpen the shares";

  /** Fewer completed trials than this, and the intermediate values are used. */
  static final int MIN_COMPLETE = 20;

  /** Trials for each parameter that varies below which there are no shares (see the class comment). */
  public static final int MIN_TRIALS_PER_PARAMETER = 5;

  /** Trials for each parameter that varies below which the shares are rough (see the class comment). */
  public static final int FIRM_TRIALS_PER_PARAMETER = 10;

  /**
   * The trials that shares over {@code space} take: {@value #MIN_TRIALS_PER_PARAMETER} per parameter
   * that is not fixed; 0 when every one is (no number of trials gives shares then).
   */
  public static int trialsNeeded(SearchSpace space) {
    return MIN_TRIALS_PER_PARAMETER * varying(space);
  }

  /** The parameters of {@code space} that are not fixed. */
  static int varying(SearchSpace space) {
    int varying = 0;
    for (int i = 0; i < space.size(); i++) if (!(space.get(i) instanceof FixedParameter)) varying++;
    return varying;
  }

  /**
   * Normalized importance, largest first (all 0 when none explains anything); empty with fewer
   * trials than {@link #trialsNeeded}, which the result then states.
   */
  public static Result compute(History history, SearchSpace space) {
    int needed = trialsNeeded(space);
    List<TrialRecord> done = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (TrialRecord t : history.inState(TrialState.COMPLETE)) {
      if (t.params() != null) {
        done.add(t);
        values.add(t.value());
      }
    }
    String basis = "final values of " + done.size() + " completed " + trials(done.size());
    int firm = FIRM_TRIALS_PER_PARAMETER * varying(space);
    if (done.size() < Math.max(MIN_COMPLETE, firm)) {
      int step = commonStep(history);
      if (step >= 0) {
        List<TrialRecord> atStep = new ArrayList<>();
        List<Double> valuesAtStep = new ArrayList<>();
        for (TrialRecord t : history.trials()) {
          double v = t.intermediate(step);
          if (t.params() != null && t.state() != TrialState.RUNNING && !t.isInterrupted() && !Double.isNaN(v)) {
            atStep.add(t);
            valuesAtStep.add(v);
          }
        }
        // From 20 completed trials on, their final values give way only to more trials: 25 completed
        // of a space firm at 30 give rough shares, where the 40 that reached step 1 give firm ones.
        if (done.size() < MIN_COMPLETE || atStep.size() > done.size()) {
          done = atStep;
          values = valuesAtStep;
          basis = "values at step " + step + " of " + done.size() + " " + trials(done.size());
        }
      }
    }
    Map<String, Double> raw = new LinkedHashMap<>();
    if (needed == 0 || done.size() < needed) return new Result(raw, basis, needed, 0);
    double[] score = ranks(values, history);
    double ssAll = sumOfSquares(score, score.length);
    double total = 0;
    double corrected = 0;
    for (int i = 0; i < space.size(); i++) {
      Parameter p = space.get(i);
      if (p instanceof FixedParameter) continue;
      double share = share(done, score, ssAll, i, p);
      corrected += share;
      raw.put(p.name(), Math.max(0, share));
      total += Math.max(0, share);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    final double sum = total;
    raw.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.put(e.getKey(), sum > 0 ? e.getValue() / sum : 0.0));
    return new Result(out, basis, needed, done.size() < firm ? firm : 0, Math.max(0, corrected));
  }

  /** The latest step that at least two thirds of the finished trials with reports reported, or -1. */
  private static int commonStep(History h) {
    List<TrialRecord> reported = new ArrayList<>();
    // Trials by step, latest first; only the steps reported: every integer below the largest step
    // took minutes for steps counted in examples (2e9).
    TreeMap<Integer, Integer> trialsAt = new TreeMap<>(Comparator.reverseOrder());
    for (TrialRecord t : h.trials()) {
      if (t.state() != TrialState.RUNNING && !t.isInterrupted() && t.reportCount() > 0) {
        reported.add(t);
        // A trial's steps are distinct (a report at a step replaces the one before).
        for (int i = 0; i < t.reportCount(); i++) {
          if (t.stepAt(i) >= 0 && !Double.isNaN(t.intermediateAt(i))) trialsAt.merge(t.stepAt(i), 1, Integer::sum);
        }
      }
    }
    int need = (int) Math.ceil(2.0 * reported.size() / 3);
    for (Map.Entry<Integer, Integer> e : trialsAt.entrySet()) {
      if (e.getValue() >= need && e.getValue() >= 4) return e.getKey();
    }
    return -1;
  }

  /** Mid-ranks of the losses of the values (ties share their average rank). */
  private static double[] ranks(List<Double> values, History h) {
    int n = values.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(h.direction().loss(values.get(a)), h.direction().loss(values.get(b))));
    double[] r = new double[n];
    for (int i = 0; i < n; ) {
      int j = i;
      double v = values.get(order[i]);
      while (j + 1 < n && values.get(order[j + 1]) == v) j++;
      for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0;
      i = j + 1;
    }
    return r;
  }

  /** {@code ssAll}: the scores' sum of squared deviations over the whole study, every share's denominator. */
  private static double share(List<TrialRecord> done, double[] score, double ssAll, int param, Parameter p) {
    int n = 0;
    double[] x = new double[done.size()];
    double[] y = new double[done.size()];
    for (int t = 0; t < done.size(); t++) {
      double u = done.get(t).params().unit(param);
      if (Double.isNaN(u)) continue;
      x[n] = u;
      y[n] = score[t];
      n++;
    }
    if (n < 4) return 0;
    int[] bin = new int[n];
    int bins;
    if (p instanceof CategoricalParameter c) {
      bins = c.size();
      for (int i = 0; i < n; i++) bin[i] = c.indexAt(x[i]);
    } else {
      bins = Math.max(2, Math.min(10, (int) Math.round(Math.sqrt(n))));
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) order[i] = i;
      final double[] xs = x;
      Arrays.sort(order, (a, b) -> Double.compare(xs[a], xs[b]));
      // Equal values share a bin (that of the first of them): an integer's or a grid's repeated
      // values split by trial order would pick up the scores' trend over the study as an effect.
      for (int k = 0; k < n; k++) {
        bin[order[k]] = k > 0 && xs[order[k]] == xs[order[k - 1]] ? bin[order[k - 1]] : (int) ((long) k * bins / n);
      }
    }
    // Of the variation in the whole study, as every other parameter's share: a conditional one's
    // corrected between-bin part, of the variation among the trials where it is active only, put a
    // parameter that orders the adam trials among themselves above the optimizer that sets them apart.
    return epsilonSquared(y, bin, n, bins, ssAll);
  }

  /** The sum of the squared deviations of the first {@code n} of {@code y} from their mean. */
  private static double sumOfSquares(double[] y, int n) {
    double mean = 0;
    for (int i = 0; i < n; i++) mean += y[i];
    mean /= n;
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (y[i] - mean) * (y[i] - mean);
    return ss;
  }

  /**
   * The between-bin part of the variation of y (its first {@code n}), corrected for chance, as a
   * share of {@code ssAll} (the variation it is a part of: y's own for epsilon squared, the whole
   * study's for a conditional parameter's trials); 0 when nothing varies. Below 0 when the bins
   * explain less than chance would: left so, a parameter of no effect adds 0 to the total on
   * average ({@link Result#explained()}), where floored it would add its chance ups only.
   */
  static double epsilonSquared(double[] y, int[] bin, int n, int bins, double ssAll) {
    double mean = 0;
    for (int i = 0; i < n; i++) mean += y[i];
    mean /= n;
    double[] sum = new double[bins];
    int[] count = new int[bins];
    double ssTotal = 0;
    for (int i = 0; i < n; i++) {
      sum[bin[i]] += y[i];
      count[bin[i]]++;
      ssTotal += (y[i] - mean) * (y[i] - mean);
    }
    if (ssTotal == 0 || ssAll == 0) return 0;
    double ssBetween = 0;
    int used = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] == 0) continue;
      used++;
      double m = sum[b] / count[b];
      ssBetween += count[b] * (m - mean) * (m - mean);
    }
    if (used < 2 || n <= used) return 0;
    double msWithin = (ssTotal - ssBetween) / (n - used);
    return (ssBetween - (used - 1) * msWithin) / ssAll;
  }

  private static String trials(int n) {
    return n == 1 ? "trial" : "trials";
  }
}
