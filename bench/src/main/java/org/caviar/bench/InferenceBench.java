package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Latency of classifying one example with the digits MLP (64-128-128-10, batch norm, ReLU) in
 * inference mode, in microseconds per example: the target is under 10.
 *
 * <ul>
 *   <li>{@link #networkPredict}: {@link Network#predict(float[])} on an already standardized row (the
 *       forward pass with batch norm's running statistics, then the arg max);
 *   <li>{@link #modelPredict}: {@link Model#predict(float[])} on a raw row, what an application calls:
 *       standardization, then the same.
 * </ul>
 * The network is trained first (a few epochs, untimed) so that weights and running statistics are
 * those of a working classifier, and setup fails unless it classifies the test split well. The
 * calls cycle through test rows, so no single input's branches are learned by the predictor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class InferenceBench {
  private static final TrainCase DIGITS = TrainCase.DIGITS_B64;

  /** Enough for well over 90% test accuracy (the model's tests reach 97% in 30 epochs). */
  private static final int TRAINING_EPOCHS = 8;

  /** Below this the network is broken and its latency means nothing. */
  private static final double MIN_TEST_ACCURACY = 0.9;

  /** Test rows the calls cycle through: a power of two, fewer than the test split's ~360. */
  private static final int ROWS = 256;

  private Network network;
  private Model model;
  private float[][] standardizedRows;
  private float[][] rawRows;
  private int next;

  @Setup
  public void setup() {
    Split split = TrainCase.digitsSplit();
    Standardizer standardizer = Standardizer.fit(split.train());
    network = Network.create(DIGITS.spec, TrainBench.NETWORK_SEED);
    Trainer trainer = new Trainer(network, DIGITS.trainingConfig().toBuilder().epochs(TRAINING_EPOCHS).build());
    trainer.fit(standardizer.apply(split.train()), null, null);
    Dataset test = standardizer.apply(split.test());
    Evaluation evaluation = trainer.evaluate(test);
    if (evaluation.accuracy() < MIN_TEST_ACCURACY) {
      throw new IllegalStateException("the digits MLP reached only " + evaluation.accuracy() + " test accuracy");
    }
    model = new Model(network, standardizer, split.train().classNames());
    if (test.rows() < ROWS) throw new IllegalStateException("the test split has " + test.rows() + " rows, fewer than " + ROWS);
    standardizedRows = new float[ROWS][];
    rawRows = new float[ROWS][];
    for (int i = 0; i < ROWS; i++) {
      standardizedRows[i] = test.row(i);
      rawRows[i] = split.test().row(i);
    }
  }

  @Benchmark
  public int networkPredict() {
    return network.predict(standardizedRows[advance()]);
  }

  @Benchmark
  public int modelPredict() {
    return model.predict(rawRows[advance()]);
  }

  private int advance() {
    int i = next;
    next = (i + 1) & (ROWS - 1);
    return i;
  }

  static Work work(BenchmarkParams params) {
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    String impl = method.equals("modelPredict") ? "caviar-model" : "caviar-network";
    return Work.latency("predict-1-row", impl, DIGITS.spec + " inference", 1);
  }
}
