package org.caviar.model.debug;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.SoftmaxCrossEntropy;
import org.caviar.model.optim.Floats;

/**
 * Checks a network's backward pass against numerical differentiation, as a user-facing tool.
 *
 * <p>How: every parameter is flattened into one vector. The analytic gradient is what the float32
 * backward pass computes in {@link Mode#PROBE} (training arithmetic, dropout off, batch norm
 * statistics untouched) plus the L2 term {@code weightDecay * w} on decayed tensors, exactly what
 * an optimizer step would use. The numerical gradient is the two-sided difference
 * {@code (L(w + h) - L(w - h)) / 2h} of the loss computed by each layer's
 * {@linkplain Layer#referenceForward double-precision reference forward}, with the parameters held
 * in double and the L2 penalty {@code weightDecay / 2 * ||w||^2} included. The result is the
 * relative error {@code ||g - g_num|| / (||g|| + ||g_num||)}, overall and per tensor, with the worst
 * entries named (e.g. {@code dense2.weight[3,7]}).
 *
 * <p>Why the numerical side runs in double: in float32 a central difference has a rounding error
 * of about {@code eps32 * |L| / h} (eps32 = 6e-8): with |L| ~ 2 and h = 1e-3 that is ~1e-4 per
 * entry, as large as many true gradient entries, so a float check could neither pass a sound
 * network reliably nor fail a subtly broken one. In double with h = 1e-6 the rounding error is
 * about {@code 1e-16 * 2 / 1e-6 = 2e-10} and the truncation error {@code h^2 |L'''| / 6} about
 * 1e-13, so the numerical gradient is exact to ~1e-9 and what is measured is the float32 backward
 * pass itself.
 *
 * <p>Why the default threshold is 1e-3: a correct float32 backward differs from the exact gradient
 * by rounding only. Each entry is a sum of {@code k} products (k = batch or layer width, up to a
 * few hundred here) accumulated in float, a relative error of order {@code sqrt(k) * eps32},
 * about 1e-6; batch norm's backward subtracts nearly equal sums, which can lose one or two more
 * digits. Over 1500 random architectures of each kind (every activation, 2 to 10 rows) the
 * overall error stayed below 6e-6 without batch norm and below 1e-4 with it (3 to 10 rows). A
 * wrong backward (a missing term, a transposed product, a wrong slope, a gradient off by a few
 * percent) gives 1e-2 or more, so 1e-3 separates the two by an order of magnitude on each side.
 *
 * <p>With batch norm the check needs at least 3 rows: over a batch of 2 a normalized feature is
 * +-1 whatever the input, so the gradient reaching earlier layers is only a residue of eps, which
 * float32 computes by cancellation and the check would measure as noise.
 *
 * <p>Each tensor is held to the threshold as well, so that a small broken tensor (a bias) cannot hide
 * in the norm of a big one; but a tensor whose true gradient is (nearly) zero, e.g. by a symmetry
 * of the batch, has a relative error of noise over noise. So a tensor also passes when the RMS of
 * its differences is below the RMS of its entries' allowances: {@link #NOISE} times the entry's
 * estimated rounding error ({@link Layer#referenceBackwardError}: each layer's own rounding, the
 * magnitudes of the terms its sums add, with the errors it receives carried through in quadrature),
 * plus the numerical side's rounding, {@link #NUMERIC_NOISE} times the loss's magnitude over h
 * (about 2e-10 with |L| ~ 2; it matters only for entries near 1e-7). The estimate matters where
 * sums cancel: a narrow dense layer feeding batch norm has an exact weight gradient of about 0
 * (batch norm undoes the weights' scale) that float32 computes as a difference of terms gamma / std
 * times the output gradient, which can be far larger than any gradient entry of the network.
 *
 * <p>Measured with a scratch driver over 40,000 random sound networks (every activation, with and
 * without batch norm and dropout; half of them with a first hidden layer of 1 or 2 units before
 * batch norm, where the earlier allowance, 64 u times the network's largest gradient entry, failed 3
 * in 3,000): none failed, and of the 3,127 tensors over the relative threshold the largest RMS
 * difference was 0.14 of the allowance (0.32 for one kink just below it). A batch norm backward that
 * treats the statistics as constants, in 3,000 random networks, left {@code dense1.weight} at least
 * 186 times (median 10,000 times) over its allowance. What the estimate leaves out is the forward
 * pass's own rounding, which batch norm amplifies where the features it normalizes were computed by
 * cancellation; it moved single entries of output layers by up to a few thousand u times their
 * terms, but those entries are large and pass on the relative threshold.
 *
 * <p>Kinks: a central difference that straddles a point where the loss is not differentiable (ReLU
 * at 0) measures the average of the two slopes, not the gradient. It happens more than one would
 * think: after a row whose inputs to a layer are all 0 (a narrow ReLU layer, all dead), that
 * layer's pre-activations equal its zero-initialized bias, exactly 0. Such an entry is recognized
 * by its second difference: for one kink between {@code w - h} and {@code w + h},
 * {@code |L(w+h) - 2 L(w) + L(w-h)| / 2h} equals the central difference's error exactly, while
 * for a smooth loss it is {@code h |L''| / 2}, ~1e-6 of the curvature. An entry that fails and
 * whose disagreement this explains (to a factor 2) is left out of the norms and counted in
 * {@link GradientCheckResult#kinks()}.
 *
 * <p>Networks with more entries than {@link Options#maxChecked()} are checked on a seeded random
 * sample of entries (each costs two partial forward passes), drawn per tensor so that every tensor
 * is checked and listed: each gets {@code min(size, max(1, min(64, maxChecked / (2 * tensors))))}
 * entries, and the rest of {@code maxChecked} is drawn uniformly over the remaining entries (the
 * total is {@code maxChecked}, or one entry per tensor if there are more tensors than that).
 */
public final class GradientCheck {
  /** The rounding a correct float32 gradient entry may carry: 64 times its estimated error in units of u. */
  public static final double NOISE = 64 * 0x1p-24;

  /**
   * The numerical gradient's rounding, as a fraction of the loss's magnitude over h: 16 double
   * epsilons. The largest seen was 0.45 epsilons of |L| / h (two evaluations of the loss, each
   * rounded, differenced), and the magnitude used is at least |L|.
   */
  public static final double NUMERIC_NOISE = 16 * 0x1p-52;

  /**
   * @param step the difference step h (absolute, in double)
   * @param threshold the largest relative error that passes
   * @param maxChecked the most entries to differentiate; beyond that a random sample of this many is
   *     checked, with at least one entry of every tensor (see the class doc)
   * @param worst how many worst entries to report
   * @param seed seed of the sample
   */
  public record Options(double step, double threshold, int maxChecked, int worst, long seed) {
    public Options {
      // An infinite step makes every numerical gradient NaN, which reads as a broken backward pass.
      if (!(step > 0) || !Double.isFinite(step)) throw new IllegalArgumentException("step must be finite and > 0, got " + Floats.text(step));
      if (!(threshold > 0)) throw new IllegalArgumentException("threshold must be > 0, got " + Floats.text(threshold));
      if (maxChecked <= 0) throw new IllegalArgumentException("maxChecked must be > 0, got " + maxChecked);
      if (worst < 0) throw new IllegalArgumentException("worst must be >= 0, got " + worst);
    }

    /** h = 1e-6, threshold 1e-3, up to 5000 entries, 5 worst, seed 0. */
    public static Options defaults() {
      return new Options(1e-6, 1e-3, 5000, 5, 0L);
    }

    public Options withThreshold(double t) {
      return new Options(step, t, maxChecked, worst, seed);
    }

    public Options withMaxChecked(int n) {
      return new Options(step, threshold, n, worst, seed);
    }
  }

  private GradientCheck() {}

  /** Checks on the first rows of {@code batch} (at most 16; at least 3 with batch norm) with default options. */
  public static GradientCheckResult check(Network network, Dataset batch, float weightDecay) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    network.checkFits(batch, "batch");
    Dataset head = batch.head(Math.min(16, batch.rows()));
    return check(network, head.features(), head.labels(), head.rows(), weightDecay, Options.defaults());
  }

  /**
   * Checks the gradient of the mean cross-entropy on {@code rows} examples plus
   * {@code weightDecay / 2 * ||w||^2} over the decayed tensors. The network's weights and batch
   * norm statistics are left as they were; its gradients and activations are overwritten.
   */
  public static GradientCheckResult check(
      Network network, float[] x, int[] labels, int rows, float weightDecay, Options options) {
    if (network == null) throw new IllegalArgumentException("network must not be null");
    if (options == null) throw new IllegalArgumentException("options must not be null");
    if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
    }
    requireBatch(network, x, labels, rows, "the gradient check");
    List<Layer> layers = network.layers();
    if (rows < 3 && layers.stream().anyMatch(l -> l instanceof BatchNormLayer)) {
      throw new IllegalArgumentException(
          "rows must be >= 3 to check a network with batch norm, got " + rows
              + ": over 2 rows a normalized feature is +-1 whatever its input, leaving no gradient to check");
    }
    int depth = layers.size();

    // Analytic: the float32 backward pass in PROBE mode.
    network.forward(x, rows, Mode.PROBE);
    if (network.countCorrect(labels, rows) < 0) {
      throw new IllegalStateException("the network's logits are not finite: nothing to check");
    }
    network.loss(labels, rows);
    network.backward();

    // Entries: (layer, tensor within layer) for each parameter, in network order.
    List<Parameter> params = new ArrayList<>();
    List<int[]> owner = new ArrayList<>();
    double[][][] p = new double[depth][][];
    for (int l = 0; l < depth; l++) {
      List<Parameter> lp = layers.get(l).parameters();
      p[l] = new double[lp.size()][];
      for (int t = 0; t < lp.size(); t++) {
        Parameter param = lp.get(t);
        params.add(param);
        owner.add(new int[] {l, t});
        p[l][t] = toDouble(param.values(), param.size());
      }
    }
    long total = 0;
    for (Parameter param : params) total += param.size();
    if (total == 0) throw new IllegalArgumentException("the network has no parameters");

    // Reference activations of the unperturbed network, and scratch for the partial passes.
    double[][] acts = new double[depth + 1][];
    double[][] scratch = new double[depth + 1][];
    acts[0] = toDouble(x, rows * network.inputSize());
    for (int l = 0; l < depth; l++) {
      acts[l + 1] = new double[rows * layers.get(l).outputSize()];
      scratch[l + 1] = new double[rows * layers.get(l).outputSize()];
      layers.get(l).referenceForward(acts[l], rows, p[l], acts[l + 1]);
    }

    double base = network.referenceLoss(acts[depth], labels, rows);
    double[][][] errors = roundingErrors(network, layers, p, acts, labels, rows, network.classes());
    double numericNoise = NUMERIC_NOISE * lossMagnitude(acts[depth], labels, rows, network.classes()) / options.step();
    long[] sizes = new long[params.size()];
    for (int i = 0; i < sizes.length; i++) sizes[i] = params.get(i).size();
    long[] chosen = choose(sizes, total, options.maxChecked(), options.seed());
    double[] curvature = new double[chosen.length];
    double[] analytic = new double[chosen.length];
    double[] allowance = new double[chosen.length];
    double[] numeric = new double[chosen.length];
    int[] tensorOf = new int[chosen.length];
    long[] offsets = new long[params.size() + 1];
    for (int i = 0; i < params.size(); i++) offsets[i + 1] = offsets[i] + params.get(i).size();
    int tensor = 0;
    double h = options.step();
    for (int c = 0; c < chosen.length; c++) {
      while (chosen[c] >= offsets[tensor + 1]) tensor++;
      int idx = (int) (chosen[c] - offsets[tensor]);
      Parameter param = params.get(tensor);
      int layer = owner.get(tensor)[0];
      double[] values = p[layer][owner.get(tensor)[1]];
      double rounding = errors[layer][owner.get(tensor)[1]][idx];
      double v = values[idx];
      values[idx] = v + h;
      double plus = lossFrom(layer, layers, p, acts, scratch, labels, rows, network);
      values[idx] = v - h;
      double minus = lossFrom(layer, layers, p, acts, scratch, labels, rows, network);
      values[idx] = v;
      double g = (plus - minus) / (2 * h);
      double a = param.gradient()[idx];
      if (param.decayed() && weightDecay > 0) {
        // L2 penalty differenced like the loss (exact, it is quadratic) and fused into the analytic side.
        g += 0.5 * weightDecay * ((v + h) * (v + h) - (v - h) * (v - h)) / (2 * h);
        a += (double) weightDecay * param.values()[idx];
        rounding += Math.abs((double) weightDecay * param.values()[idx]);
      }
      analytic[c] = a;
      numeric[c] = g;
      allowance[c] = NOISE * rounding + numericNoise;
      tensorOf[c] = tensor;
      curvature[c] = Math.abs(plus - 2 * base + minus) / (2 * h);
    }
    return summarize(params, chosen, offsets, tensorOf, analytic, numeric, allowance, curvature, total, options);
  }

  /**
   * Before the forward pass: a NaN feature read as "the network's logits are not finite" (blaming
   * the network), and a label out of range failed in the softmax kernel. {@code user} names the
   * tool in the message ("the gradient check takes finite values").
   */
  static void requireBatch(Network network, float[] x, int[] labels, int rows, String user) {
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    int f = network.inputSize();
    long n = (long) rows * f;
    if (x == null || x.length < n) {
      throw new IllegalArgumentException("x needs " + n + " values (" + rows + " x " + f + "), got " + (x == null ? "null" : x.length));
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException("x[" + i + "] (row " + i / f + ", feature " + i % f + ") is " + x[i]
            + ": " + user + " takes finite values");
      }
    }
    Network.requireLabels(labels, rows, network.classes());
  }

  /** Mean over rows of the magnitudes of the loss's two terms, {@code |log sum exp| + |label's logit|}. */
  private static double lossMagnitude(double[] logits, int[] labels, int rows, int classes) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      total += Math.abs(SoftmaxCrossEntropy.logSumExp(logits, r * classes, classes)) + Math.abs(logits[r * classes + labels[r]]);
    }
    return total / rows;
  }

  /**
   * Each parameter-gradient entry's estimated rounding error in units of u, indexed like {@code p}:
   * from the logits' gradient {@code (yhat - y) / rows}, rounded relative to
   * {@code (yhat + y) / rows}, back through every layer's {@link Layer#referenceBackwardError}, with
   * the gradients the float backward passed between the layers.
   */
  private static double[][][] roundingErrors(
      Network network, List<Layer> layers, double[][][] p, double[][] acts, int[] labels, int rows, int classes) {
    int depth = layers.size();
    double[] logits = acts[depth];
    double[] e = new double[rows * classes];
    for (int r = 0; r < rows; r++) {
      int o = r * classes;
      double lse = SoftmaxCrossEntropy.logSumExp(logits, o, classes);
      for (int j = 0; j < classes; j++) e[o + j] = (Math.exp(logits[o + j] - lse) + (j == labels[r] ? 1 : 0)) / rows;
    }
    double[][][] errors = new double[depth][][];
    for (int l = depth - 1; l >= 0; l--) {
      Layer layer = layers.get(l);
      errors[l] = new double[p[l].length][];
      for (int t = 0; t < p[l].length; t++) errors[l][t] = new double[p[l][t].length];
      double[] in = l > 0 ? new double[rows * layer.inputSize()] : null;
      double[] dy = toDouble(network.layerOutputGradient(l), rows * layer.outputSize());
      layer.referenceBackwardError(acts[l], acts[l + 1], rows, p[l], dy, e, errors[l], in);
      e = in;
    }
    return errors;
  }

  private static double lossFrom(
      int first, List<Layer> layers, double[][][] p, double[][] acts, double[][] scratch, int[] labels, int rows,
      Network network) {
    double[] in = acts[first];
    for (int l = first; l < layers.size(); l++) {
      layers.get(l).referenceForward(in, rows, p[l], scratch[l + 1]);
      in = scratch[l + 1];
    }
    return network.referenceLoss(in, labels, rows);
  }

  private static GradientCheckResult summarize(
      List<Parameter> params, long[] chosen, long[] offsets, int[] tensorOf, double[] analytic, double[] numeric,
      double[] allowance, double[] curvature, long total, Options options) {
    int n = params.size();
    double[] diff2 = new double[n];
    double[] a2 = new double[n];
    double[] g2 = new double[n];
    double[] allowance2 = new double[n];
    int[] counts = new int[n];
    int[] kinksOf = new int[n];
    List<Integer> kept = new ArrayList<>();
    int kinks = 0;
    for (int c = 0; c < chosen.length; c++) {
      double disagreement = Math.abs(analytic[c] - numeric[c]);
      boolean matters = disagreement > options.threshold() * (Math.abs(analytic[c]) + Math.abs(numeric[c]))
          && disagreement > allowance[c];
      if (matters && curvature[c] >= 0.5 * disagreement) {
        kinks++;
        kinksOf[tensorOf[c]]++;
        continue;
      }
      kept.add(c);
      int t = tensorOf[c];
      double d = analytic[c] - numeric[c];
      diff2[t] += d * d;
      a2[t] += analytic[c] * analytic[c];
      g2[t] += numeric[c] * numeric[c];
      allowance2[t] += allowance[c] * allowance[c];
      counts[t]++;
    }
    List<GradientCheckResult.TensorError> tensors = new ArrayList<>();
    double diffAll = 0;
    double aAll = 0;
    double gAll = 0;
    double allowanceAll = 0;
    boolean passed = true;
    for (int t = 0; t < n; t++) {
      if (counts[t] == 0) {
        // Every sampled entry at a kink: listed, as nothing was judged (not left out of the list).
        if (kinksOf[t] > 0) tensors.add(new GradientCheckResult.TensorError(params.get(t).name(), Double.NaN, 0, kinksOf[t], true));
        continue;
      }
      double e = relative(Math.sqrt(diff2[t]), Math.sqrt(a2[t]), Math.sqrt(g2[t]));
      boolean ok = e <= options.threshold() || Math.sqrt(diff2[t]) <= Math.sqrt(allowance2[t]);
      tensors.add(new GradientCheckResult.TensorError(params.get(t).name(), e, counts[t], kinksOf[t], ok));
      passed &= ok;
      diffAll += diff2[t];
      aAll += a2[t];
      gAll += g2[t];
      allowanceAll += allowance2[t];
    }
    double overall = relative(Math.sqrt(diffAll), Math.sqrt(aAll), Math.sqrt(gAll));
    // Overall, the same noise allowance (all gradients ~0 is possible, e.g. a batch of 2 through
    // batch norm); and a check that compared nothing did not pass.
    passed &= overall <= options.threshold() || Math.sqrt(diffAll) <= Math.sqrt(allowanceAll);
    passed &= !kept.isEmpty();
    kept.sort(Comparator.comparingDouble((Integer c) -> -Math.abs(analytic[c] - numeric[c])));
    List<GradientCheckResult.EntryError> worst = new ArrayList<>();
    for (int i = 0; i < Math.min(options.worst(), kept.size()); i++) {
      int c = kept.get(i);
      Parameter param = params.get(tensorOf[c]);
      int idx = (int) (chosen[c] - offsets[tensorOf[c]]);
      worst.add(new GradientCheckResult.EntryError(
          param.entryName(idx), analytic[c], numeric[c],
          relative(Math.abs(analytic[c] - numeric[c]), Math.abs(analytic[c]), Math.abs(numeric[c]))));
    }
    return new GradientCheckResult(overall, options.threshold(), passed, tensors, worst, kept.size(), kinks, total);
  }

  /** {@code diff / (a + b)}, 0 when both norms are 0 (nothing to disagree about), NaN stays NaN. */
  private static double relative(double diff, double a, double b) {
    double denominator = a + b;
    if (denominator == 0) return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
    return diff / denominator;
  }

  /**
   * All of {@code [0, total)} if it fits, else a sorted seeded sample of {@code max(max, tensors)}
   * distinct entries: each tensor's floor ({@link #perTensorFloor}) drawn within it, the rest uniformly
   * over the entries not yet drawn. A uniform draw alone would miss a 10-entry bias of a 784-256-256-10
   * network 83% of the time, and the bias would then be neither listed nor judged.
   */
  private static long[] choose(long[] sizes, long total, int max, long seed) {
    if (total <= max) {
      long[] all = new long[(int) total];
      for (int i = 0; i < all.length; i++) all[i] = i;
      return all;
    }
    SplittableRandom random = new SplittableRandom(seed);
    java.util.TreeSet<Long> set = new java.util.TreeSet<>();
    int floor = perTensorFloor(max, sizes.length);
    long offset = 0;
    for (long size : sizes) {
      long want = Math.min(size, floor);
      // Rejection stays cheap: want is at most size, and all of a tensor is taken without drawing.
      if (want == size) {
        for (long i = 0; i < size; i++) set.add(offset + i);
      } else {
        int before = set.size();
        while (set.size() - before < want) set.add(offset + random.nextLong(size));
      }
      offset += size;
    }
    while (set.size() < max) set.add(random.nextLong(total));
    long[] out = new long[set.size()];
    int i = 0;
    for (long v : set) out[i++] = v;
    return out;
  }

  /**
   * The entries every tensor gets in a sample of {@code max} (or all of it if smaller):
   * {@code max(1, min(64, max / (2 * tensors)))}. The floors take at most half the sample (or one
   * entry per tensor), leaving the rest proportional to size; 64 entries estimate a tensor's RMS
   * disagreement well enough, and a broken tensor disagrees on nearly every entry.
   */
  static int perTensorFloor(int max, int tensors) {
    return (int) Math.max(1, Math.min(64, max / (2L * tensors)));
  }

  private static double[] toDouble(float[] a, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) d[i] = a[i];
    return d;
  }
}
