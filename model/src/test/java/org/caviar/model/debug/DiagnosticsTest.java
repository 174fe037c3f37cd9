package org.caviar.model.debug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.layer.Dense;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.caviar.model.train.TrainingListener;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {
  /** The debugging aids print a decimal point in every locale, as the rest of Caviar's output does. */
  @Test
  void reportsPrintTheSameFiguresInEveryLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      GradientCheckResult check = new GradientCheckResult(1.5e-5, 1e-3, true,
          List.of(new GradientCheckResult.TensorError("dense1.weight", 2.5e-6, 10, 0, true)),
          List.of(new GradientCheckResult.EntryError("dense1.weight[0,0]", 0.5, 0.25, 0.125)), 10, 0, 10);
      String text = check.toString();
      assertTrue(text.startsWith("gradient check PASSED: relative error 1.500e-05 (threshold 0.001)"), text);
      assertTrue(text.contains("analytic  5.000000e-01  numeric  2.500000e-01  rel 1.25e-01"), text);
      Histogram h = Histogram.of(new float[] {-1.5f, 2.5f}, 2, 2);
      assertTrue(h.toString().startsWith("[-1.50,  2.50] "), h.toString());
      LayerStatistics stats = new LayerStatistics("relu1", h, h, 0.5, 0.25, Double.NaN, 0.125, 1.5, 2.5, 0.5, true);
      assertEquals("relu1        mean  0.500 std 0.250  dead 12.5%  |grad| 1.500e+00  |W| 2.500e+00 |dW| 5.000e-01",
          stats.toString().lines().findFirst().orElseThrow());
      // A diverging network's outputs (lr=1e6): %.3f printed "mean -142256405360624060000.000".
      LayerStatistics huge = new LayerStatistics("dense3", h, h, -1.4225640536062406e20, 5.210613055811842e21, Double.NaN, Double.NaN,
          1.5, 2.5, 0.5, false);
      assertEquals("dense3       mean -1.423e+20 std 5.211e+21  |grad| 1.500e+00  |W| 2.500e+00 |dW| 5.000e-01",
          huge.toString().lines().findFirst().orElseThrow());
      // NaN (a diverged probe) as % .3f printed it: no room for a sign.
      LayerStatistics nan = new LayerStatistics("dense3", h, h, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1.5, 2.5, 0.5, false);
      assertTrue(nan.toString().startsWith("dense3       mean NaN std NaN  "), nan.toString());
      // One step cannot memorize 32 examples: the FAILED report, in figures with a decimal point.
      OverfitReport failed = Diagnostics.overfitTinyBatch(NetworkSpec.parse("64-32-10 relu"), train, 32, 1, 0, Kernels.vector());
      assertFalse(failed.passed(), failed.message());
      assertTrue(failed.message().matches("FAILED: .* reached only \\d+\\.\\d% on 32 examples after 1 step \\(loss \\d+\\.\\d{4}(e[+-]\\d+)?, .*"),
          failed.message());
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  private static final Dataset train = DigitsSplit.TRAIN;
  private static final Dataset validation = DigitsSplit.VALIDATION;

  /**
   * Data the spec cannot take is named as the caller gave it, {@code data}: the trainer inside
   * called it "train" ("train has 64 features, the network takes 63"), an argument the caller never
   * passed.
   */
  @Test
  void dataTheSpecCannotTakeIsNamedAsData() {
    var e = assertThrows(IllegalArgumentException.class, () -> Diagnostics.overfitTinyBatch(NetworkSpec.parse("63-8-10 relu"), train));
    assertEquals("data has 64 features, the network takes 63", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Diagnostics.overfitTinyBatch(NetworkSpec.parse("64-8-5 relu"), train));
    assertEquals("data has 10 classes, the network predicts 5", e.getMessage());
  }

  @Test
  void aSoundNetworkMemorizesATinyBatch() {
    OverfitReport report = Diagnostics.overfitTinyBatch(NetworkSpec.parse("64-32-10 relu batchnorm dropout=0.5"), train);
    assertTrue(report.passed(), report.message());
    assertEquals(1.0, report.accuracy());
    // The network trained without its dropout: the report named the spec with it, as if dropout had been on.
    assertTrue(report.message().startsWith("PASSED: 64-32-10 relu batchnorm (dropout=0.5 off) memorized 32 examples in "), report.message());
  }

  /**
   * The steps reported are the updates before the batch was all right: allowed exactly that many,
   * the check passes with the same count; allowed one fewer, it fails. (It counted the update made
   * after the look that found the batch memorized, one step too many.)
   */
  @Test
  void theStepsCountedAreThoseBeforeTheBatchWasMemorized() {
    NetworkSpec spec = NetworkSpec.parse("64-32-10 relu");
    OverfitReport free = Diagnostics.overfitTinyBatch(spec, train, 32, 300, 0, Kernels.vector());
    assertTrue(free.passed(), free.message());
    int steps = free.epochs();
    assertTrue(steps > 1, free.message());
    OverfitReport exact = Diagnostics.overfitTinyBatch(spec, train, 32, steps, 0, Kernels.vector());
    assertTrue(exact.passed(), exact.message());
    assertEquals(steps, exact.epochs(), exact.message());
    OverfitReport fewer = Diagnostics.overfitTinyBatch(spec, train, 32, steps - 1, 0, Kernels.vector());
    assertFalse(fewer.passed(), fewer.message());
    assertEquals("maxSteps must be >= 1, got 0",
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> Diagnostics.overfitTinyBatch(spec, train, 32, 0, 0, Kernels.vector())).getMessage());
  }

  /** A NaN or an infinity among finite values is counted apart; it used to make the range NaN and put every value in bin 0. */
  @Test
  void aHistogramOfMoreOrFewerValuesThanThereAreSaysSo() {
    assertEquals("len must be in [0, 2] (the values' length), got 3",
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new float[2], 3, 4)).getMessage());
    assertEquals("len must be in [0, 2] (the values' length), got -1",
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new float[2], -1, 4)).getMessage());
    // Edges: the max in the last bin, all-equal values in the first, none at all a NaN range.
    assertArrayEquals(new long[] {1, 0, 0, 2}, Histogram.of(new float[] {0, 4, 4}, 3, 4).counts());
    assertArrayEquals(new long[] {3, 0}, Histogram.of(new float[] {7, 7, 7}, 3, 2).counts());
    assertTrue(Double.isNaN(Histogram.of(new float[2], 0, 4).min()));
  }

  @Test
  void aGradientCheckTakesOnlyAWeightDecayTheOptimizerTakes() {
    // An infinite weight decay, which the optimizer refuses, made a check of NaN errors that failed with no reason given.
    Network n = Network.create(NetworkSpec.parse("64-20-10 relu"), 1);
    Dataset batch = train.head(4);
    assertEquals("weightDecay must be finite and >= 0, got Infinity",
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.check(n, batch, Float.POSITIVE_INFINITY)).getMessage());
    assertEquals("weightDecay must be finite and >= 0, got NaN",
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.check(n, batch, Float.NaN)).getMessage());
    assertTrue(GradientCheck.check(n, batch, 1e-2f).passed());
  }

  @Test
  void aHistogramCountsNonFiniteValuesApart() {
    Histogram h = Histogram.of(new float[] {1, Float.NaN, 3, Float.POSITIVE_INFINITY, 2}, 5, 2);
    assertEquals(1.0, h.min());
    assertEquals(3.0, h.max());
    assertArrayEquals(new long[] {1, 2}, h.counts());
    assertEquals(2, h.nonFinite());
    assertTrue(h.toString().endsWith("(2 not finite)"), h.toString());
    Histogram none = Histogram.of(new float[] {Float.NaN, Float.NaN}, 2, 3);
    assertTrue(Double.isNaN(none.min()) && none.total() == 0 && none.nonFinite() == 2, none.toString());
    // No value at all: no finite value either, so a NaN range, not [0, 0].
    Histogram empty = Histogram.of(new float[0], 0, 3);
    assertTrue(Double.isNaN(empty.min()) && Double.isNaN(empty.max()), empty.toString());
    assertEquals(0, empty.total());
    assertEquals(0, empty.nonFinite());
  }

  @Test
  void aCrippledSetupFailsTheTinyBatchTest() {
    // Two steps are not enough for anything to memorize 32 examples of 10 classes: the report must
    // be able to say so.
    OverfitReport report = Diagnostics.overfitTinyBatch(NetworkSpec.parse("64-32-10 relu"), train, 32, 2, 0, Kernels.vector());
    assertFalse(report.passed(), report.message());
    assertTrue(report.message().startsWith("FAILED") && report.message().contains("GradientCheck"), report.message());
  }

  @Test
  void deadReluUnitsAreCounted() {
    Network n = Network.create(NetworkSpec.parse("64-20-10 relu"), 1);
    Dense first = (Dense) n.layers().get(0);
    // Kill 5 of 20 units: a bias of -1000 keeps their pre-activation negative for any standardized input.
    for (int j = 0; j < 5; j++) first.bias().values()[j] = -1000f;
    Dataset probe = validation.head(50);
    List<LayerStatistics> stats = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10);
    LayerStatistics relu = stats.get(1);
    assertEquals("relu1", relu.layer());
    assertEquals(5 / 20.0, relu.deadFraction());
    assertTrue(Double.isNaN(relu.saturatedFraction()));
    assertEquals(50 * 20, relu.activations().total());
    assertTrue(relu.gradientNorm() > 0 && stats.get(0).parameterGradientNorm() > 0);
  }

  /**
   * A ReLU unit whose output is NaN (a NaN weight into it: a diverging network) is not dead: dead
   * is {@code <= 0} on every row, which NaN is not. It was counted dead (not {@code > 0} on any
   * row), so that a diverging network's report showed dead units that were never there, besides
   * the non-finite values its histogram counts apart. Units 1-5 are killed as above; unit 0 is NaN.
   */
  @Test
  void aReluUnitThatIsNaNIsNotCountedDead() {
    Network n = Network.create(NetworkSpec.parse("64-20-10 relu"), 1);
    Dense first = (Dense) n.layers().get(0);
    for (int j = 1; j <= 5; j++) first.bias().values()[j] = -1000f;
    first.weight().values()[0] = Float.NaN; // input 0 to unit 0
    Dataset probe = validation.head(50);
    LayerStatistics relu = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10).get(1);
    assertEquals("relu1", relu.layer());
    assertEquals(50, relu.activations().nonFinite(), "unit 0 of every row is NaN");
    assertEquals(5 / 20.0, relu.deadFraction(), relu.toString());
  }

  /**
   * Leaky ReLU units below 0 on every row still pass slope times their gradient: they are not dead,
   * and the fraction is not applicable (NaN), while their gradient is still there.
   */
  @Test
  void leakyReluUnitsAreNeverCountedDead() {
    Network n = Network.create(NetworkSpec.parse("64-20-10 leaky_relu"), 1);
    Dense first = (Dense) n.layers().get(0);
    for (int j = 0; j < 5; j++) first.bias().values()[j] = -1000f;
    Dataset probe = validation.head(50);
    List<LayerStatistics> stats = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10);
    LayerStatistics leaky = stats.get(1);
    assertEquals("leaky_relu1", leaky.layer());
    assertTrue(Double.isNaN(leaky.deadFraction()), "dead fraction " + leaky.deadFraction());
    assertTrue(Double.isNaN(leaky.saturatedFraction()));
    assertFalse(leaky.toString().contains("dead"), leaky.toString());
    // The units held below 0 still pass gradient to their bias.
    for (int j = 0; j < 5; j++) assertTrue(first.bias().gradient()[j] != 0, "bias " + j);
  }

  /**
   * A diverged network (logits not finite) has no gradient to describe: the probe says so with NaN
   * norms and empty gradient histograms. It used to report zeros, which read as vanished gradients.
   */
  @Test
  void aDivergedNetworkReportsNoGradientRatherThanZero() {
    Network n = Network.create(NetworkSpec.parse("64-20-10 relu"), 1);
    ((Dense) n.layers().get(0)).weight().values()[0] = Float.NaN;
    Dataset probe = validation.head(50);
    List<LayerStatistics> stats = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10);
    for (LayerStatistics s : stats) {
      assertTrue(Double.isNaN(s.gradientNorm()), s.toString());
      assertEquals(0, s.gradients().total(), s.toString());
      assertTrue(Double.isNaN(s.gradients().min()), s.toString());
      assertTrue(s.toString().contains("no gradient (logits not finite)"), s.toString());
    }
    assertTrue(Double.isNaN(stats.get(0).parameterGradientNorm()), stats.get(0).toString());
    assertEquals(0.0, stats.get(1).parameterGradientNorm(), "relu has no parameters");
    // The outputs are still described: the NaN weight (input 0 to unit 0) spoils unit 0 of every row.
    assertEquals(50, stats.get(0).activations().nonFinite());
    assertEquals(50 * 19, stats.get(0).activations().total());
  }

  /**
   * A probe batch with a NaN feature is an error naming it: it was described as a diverged network
   * ("no gradient (logits not finite)") whose weights were sound. A label out of range is named by
   * the probe too, not by the softmax kernel after the forward pass.
   */
  @Test
  void aProbeBatchThatIsNotOneIsNamed() {
    Network n = Network.create(NetworkSpec.parse("3-4-2 relu"), 1);
    float[] x = {0.1f, 0.2f, 0.3f, 0.4f, Float.NaN, 0.6f};
    var e = assertThrows(IllegalArgumentException.class, () -> LayerStatistics.probe(n, x, new int[] {0, 1}, 2, 10));
    assertEquals("x[4] (row 1, feature 1) is NaN: the probe takes finite values", e.getMessage());
    float[] finite = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    e = assertThrows(IllegalArgumentException.class, () -> LayerStatistics.probe(n, finite, new int[] {0, -1}, 2, 10));
    assertEquals("labels[1] must be in [0, 2), got -1", e.getMessage());
    assertEquals(LayerStatistics.class.getName(), e.getStackTrace()[2].getClassName(), "checked by the probe, not a kernel");
  }

  @Test
  void saturatedUnitsAreCounted() {
    Network n = Network.create(NetworkSpec.parse("64-20-10 tanh"), 1);
    Dataset probe = validation.head(50);
    double calm = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10).get(1).saturatedFraction();
    float[] w = ((Dense) n.layers().get(0)).weight().values();
    for (int i = 0; i < w.length; i++) w[i] *= 100;
    double saturated = LayerStatistics.probe(n, probe.features(), probe.labels(), 50, 10).get(1).saturatedFraction();
    // Xavier weights keep pre-activations ~N(0, 1): |tanh| > 0.99 needs |x| > 2.65, about 1% of
    // them. Scaled by 100 they are ~N(0, 100): only |x| < 0.0265 (about 2%) stays unsaturated.
    assertTrue(calm < 0.05, "calm " + calm);
    assertTrue(saturated > 0.9, "saturated " + saturated);
  }

  @Test
  void recordingHistogramsDoesNotChangeTraining() {
    // Scalar kernels: they give the same bits whether interpreted or compiled, so the two runs can
    // differ only if recording disturbed training.
    NetworkSpec spec = NetworkSpec.parse("64-16-10 sigmoid batchnorm dropout=0.2");
    TrainingConfig config = TrainingConfig.builder().epochs(3).seed(5).build();
    Network plain = Network.create(spec, 2, Kernels.scalar());
    new Trainer(plain, config).fit(train, validation, null);
    Network observed = Network.create(spec, 2, Kernels.scalar());
    HistogramRecorder recorder = new HistogramRecorder(observed, validation, 64, 12);
    new Trainer(observed, config).fit(train, validation, recorder);
    assertEquals(3, recorder.snapshots().size());
    assertEquals(observed.layers().size(), recorder.snapshots().get(0).layers().size());
    assertTrue(recorder.snapshots().get(2).layers().get(2).toString().contains("saturated"));
    for (int i = 0; i < plain.parameters().size(); i++) {
      assertArrayEquals(plain.parameters().get(i).values(), observed.parameters().get(i).values());
    }
    for (int i = 0; i < plain.state().size(); i++) assertArrayEquals(plain.state().get(i).values(), observed.state().get(i).values());
  }

  /**
   * A validation set loaded from a file of its own numbers its own classes: one without "0" has "1"
   * as class 0. The trainer matches it to the training data's classes by name; the recorder probed
   * the same rows with their file's numbers, so every label was off by one and the gradients it
   * reported were those of other labels (larger, as if the network had learned nothing). Probed
   * side by side in one run, the recorder of the raw rows and the one of the rows matched by name
   * must report the same gradients, to the bit (the same rows, network and arithmetic).
   */
  @Test
  void aRecorderMatchesItsProbesClassesToTheTrainingDataByName() {
    Dataset own = withoutClassZero(validation);
    Dataset matched = own.inClasses(train.classNames(), "validation", "the training data");
    Network n = Network.create(NetworkSpec.parse("64-16-10 relu"), 2, Kernels.scalar());
    HistogramRecorder raw = new HistogramRecorder(n, own, 64, 12);
    HistogramRecorder named = new HistogramRecorder(n, matched, 64, 12);
    new Trainer(n, TrainingConfig.builder().epochs(1).seed(5).build()).fit(train, own, TrainingListener.all(List.of(raw, named)));
    List<LayerStatistics> a = raw.snapshots().get(0).layers();
    List<LayerStatistics> b = named.snapshots().get(0).layers();
    for (int l = 0; l < a.size(); l++) {
      assertEquals(b.get(l).gradientNorm(), a.get(l).gradientNorm(), a.get(l).layer());
      assertEquals(b.get(l).parameterGradientNorm(), a.get(l).parameterGradientNorm(), a.get(l).layer());
    }
    // A class the training data does not know is refused when training starts, as the trainer refuses it.
    Dataset stranger = new Dataset(own.features(), own.labels(), own.featureCount(),
        java.util.stream.Stream.concat(own.classNames().subList(0, 8).stream(), java.util.stream.Stream.of("ten")).toList());
    HistogramRecorder odd = new HistogramRecorder(n, stranger, 64, 12);
    Trainer trainer = new Trainer(n, TrainingConfig.builder().epochs(1).seed(5).build());
    var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(train, null, odd));
    assertEquals("the probe data has class 'ten', which the training data does not know " + train.classNames(), e.getMessage());
  }

  /** The rows of {@code data} not of class "0", as a file without that class loads them: "1" to "9" as classes 0 to 8. */
  private static Dataset withoutClassZero(Dataset data) {
    int[] rows = java.util.stream.IntStream.range(0, data.rows()).filter(r -> data.label(r) != 0).toArray();
    Dataset kept = data.subset(rows);
    int[] labels = java.util.Arrays.stream(kept.labels()).map(l -> l - 1).toArray();
    return new Dataset(kept.features(), labels, kept.featureCount(), data.classNames().subList(1, 10));
  }

  @Test
  void aRecorderThatCannotProbeSaysSoWhenBuilt() {
    // Not at the end of the first epoch, when the epoch has been spent.
    Network n = Network.create(NetworkSpec.parse("64-16-10 relu batchnorm"), 2);
    var oneRow = assertThrows(IllegalArgumentException.class, () -> new HistogramRecorder(n, validation.head(1), 64, 12));
    assertEquals("data must have at least 2 rows to probe, has 1", oneRow.getMessage());
    var noBins = assertThrows(IllegalArgumentException.class, () -> new HistogramRecorder(n, validation, 64, 0));
    assertEquals("bins must be >= 1, got 0", noBins.getMessage());
  }

  /**
   * The worst examples are the highest losses, computed in double from the logits: the same losses
   * recomputed here are equal bit for bit. Their probabilities match the float softmax to a relative
   * 1e-5: float rounds {@code z - max} (|z - max| up to ~20 here) to u relative, an error of
   * 20 * 6e-8 = 1.2e-6 in the exponential, plus a few u from the kernel's exp and sum.
   */
  @Test
  void worstExamplesAreTheLeastProbableLabels() {
    Network n = Network.create(NetworkSpec.parse("64-32-10 relu"), 4);
    new Trainer(n, TrainingConfig.builder().epochs(2).build()).fit(train, null, TrainingListener.none());
    List<WorstExamples.Example> worst = WorstExamples.find(n, validation, 7);
    assertEquals(7, worst.size());
    float[] p = new float[validation.rows() * 10];
    n.probabilities(validation.features(), validation.rows(), p);
    float[] z = n.forward(validation.features(), validation.rows(), org.caviar.model.layer.Mode.INFERENCE).clone();
    double[] loss = new double[validation.rows()];
    for (int r = 0; r < validation.rows(); r++) {
      double[] row = new double[10];
      for (int j = 0; j < 10; j++) row[j] = z[r * 10 + j];
      loss[r] = org.caviar.model.layer.SoftmaxCrossEntropy.logSumExp(row, 0, 10) - row[validation.label(r)];
    }
    double[] sorted = loss.clone();
    java.util.Arrays.sort(sorted);
    for (int i = 0; i < 7; i++) {
      WorstExamples.Example e = worst.get(i);
      assertEquals(sorted[sorted.length - 1 - i], e.loss(), "the i-th highest loss");
      assertEquals(loss[e.index()], e.loss());
      float labelP = p[e.index() * 10 + validation.label(e.index())];
      assertEquals(labelP, e.labelProbability(), 1e-5 * labelP);
      assertEquals(validation.label(e.index()), e.label());
    }
  }

  /**
   * A model's worst examples in a file of its own, which numbers its own classes: on a Network the
   * rows' labels are taken as its output indices, so a file without class "0" was scored against
   * the wrong outputs (every loss that of the next class, the label printed one class off). On a
   * Model they are matched to its classes by name and standardized, as Model.evaluate does: the
   * same examples, losses and labels as the network's on the rows matched by hand.
   */
  @Test
  void aModelsWorstExamplesMatchTheDataToItsClassesByName() {
    Network n = Network.create(NetworkSpec.parse("64-16-10 relu"), 4);
    new Trainer(n, TrainingConfig.builder().epochs(1).build()).fit(train, null, TrainingListener.none());
    org.caviar.model.Model model = new org.caviar.model.Model(n, DigitsSplit.STANDARDIZER, train.classNames());
    Dataset own = withoutClassZero(DigitsSplit.RAW.validation());
    List<WorstExamples.Example> worst = WorstExamples.find(model, own, 5);
    Dataset byHand = DigitsSplit.STANDARDIZER.apply(own.inClasses(model.classNames(), "the data", "the model"));
    assertEquals(WorstExamples.find(n, byHand, 5), worst);
    for (WorstExamples.Example e : worst) {
      assertEquals(own.classNames().get(own.label(e.index())), model.classNames().get(e.label()), "the row's own class, by name");
    }
    var e = assertThrows(IllegalArgumentException.class, () -> WorstExamples.find(model, new Dataset(own.features(), own.labels(),
        64, java.util.stream.Stream.concat(own.classNames().subList(0, 8).stream(), java.util.stream.Stream.of("ten")).toList()), 5));
    assertEquals("the data has class 'ten', which the model does not know " + model.classNames(), e.getMessage());
  }

  /**
   * Labels far behind the top logit: float32 softmax gives each of them probability exactly 0
   * (a gap above ~104), but their losses, the gaps, still rank them, and equal losses go to the lower
   * index. A 3-3 network with identity weights and zero bias makes the logits the features; each
   * row's loss is its gap plus log(1 + 2 e^-gap), equal to the gap in double for gaps above 40.
   */
  @Test
  void worstExamplesRankLabelsWhoseProbabilityUnderflows() {
    Network n = Network.create(NetworkSpec.parse("3-3"), 1);
    float[] w = n.parameters().get(0).values();
    java.util.Arrays.fill(w, 0f);
    for (int j = 0; j < 3; j++) w[j * 3 + j] = 1f;
    java.util.Arrays.fill(n.parameters().get(1).values(), 0f);
    float[] gaps = {150, 300, 120, 200, 1, 110, 300};
    float[] x = new float[gaps.length * 3];
    int[] labels = new int[gaps.length];
    for (int r = 0; r < gaps.length; r++) {
      x[r * 3] = gaps[r];
      labels[r] = 1;
    }
    float[] p = new float[gaps.length * 3];
    n.probabilities(x, gaps.length, p);
    assertEquals(0f, p[1 * 3 + 1], "the premise: float softmax underflows");
    List<WorstExamples.Example> worst = WorstExamples.find(n, Dataset.of(x, labels, 3, 3), 4);
    assertEquals(List.of(1, 6, 3, 0), worst.stream().map(WorstExamples.Example::index).toList());
    assertEquals(List.of(300.0, 300.0, 200.0, 150.0), worst.stream().map(WorstExamples.Example::loss).toList());
    for (WorstExamples.Example e : worst) {
      assertEquals(0, e.predicted());
      assertEquals(1.0, e.predictedProbability());
    }
    assertEquals(Math.exp(-150), worst.get(3).labelProbability(), 1e-15 * Math.exp(-150));
  }
}
