package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on the vector kernels gives the same bits in a JVM that never compiles as in one that
 * has compiled everything: a run that starts cold (its first steps interpreted, then C1, then C2)
 * trains the network a warm run does. The risk is a kernel whose result depends on how the Vector
 * API is executed: {@code lanewise(EXP)} gives other bits from C2's intrinsic than from the Java
 * fallback, and {@code reduceLanes(ADD)} may associate its lanes differently (which is why the
 * kernels compute their own exp and add lanes in a fixed order). Here a child JVM with
 * {@code -Xint} (every Vector API call runs its Java fallback) trains four small networks, which
 * between them run every kernel a training step uses (GEMM in its three forms, bias add and column
 * sums, batch norm, ReLU, tanh, sigmoid, dropout, softmax with cross-entropy for few classes and
 * for many, Adam, RMSprop, momentum), while this JVM trains them over and over from cold to
 * compiled; every run must give the interpreted run's weights and running statistics bit for bit.
 * (The scalar kernels are plain Java, which C2 does not reassociate.)
 */
class InterpretedTrainingTest {
  /** 400 rows of the digits, 8 batches: the interpreted run takes most of this test's time. */
  private static final Dataset DIGITS = DigitsSplit.TRAIN.head(400);

  /**
   * Each network with an optimizer of its own, together every kernel of a step; the last has 40
   * classes, which softmax sums along each row (up to 16 it works across rows, with no lane sums).
   */
  private static final List<Case> CASES = List.of(
      new Case("64-32-10 relu batchnorm dropout=0.1", new OptimizerSpec.Adam(), DIGITS),
      new Case("64-24-16-10 tanh batchnorm", new OptimizerSpec.RmsProp(), DIGITS),
      new Case("64-24-10 sigmoid dropout=0.2", new OptimizerSpec.Momentum(), DIGITS),
      new Case("64-32-40 relu", new OptimizerSpec.Adam(), fortyClasses()));

  private record Case(String spec, OptimizerSpec optimizer, Dataset data) {}

  /** Runs of each case in this JVM, from cold to compiled (C2 compiles the kernels within the first 60). */
  private static final int RUNS = 100;

  /** 400 rows of Gaussian features, 40 classes in turn. */
  private static Dataset fortyClasses() {
    Random random = new Random(3);
    float[] x = new float[400 * 64];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    int[] y = new int[400];
    for (int i = 0; i < y.length; i++) y[i] = i % 40;
    return new Dataset(x, y, 64, Dataset.numberedClasses(40));
  }

  @Test
  void anInterpretedRunTrainsTheSameBitsAsACompiledOne(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("interpreted.bin");
    Path log = dir.resolve("interpreted.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xint", "--add-modules=jdk.incubator.vector"));
    // The lane count must be this JVM's: other lanes, other (equally valid) bits. The builds'
    // runs on fewer lanes cap it by the instruction set (8 lanes) or by the vector size (4).
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-XX:UseAVX=") || a.startsWith("-XX:MaxVectorSize=") || a.equals("-XX:+IgnoreUnrecognizedVMOptions")) command.add(a);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), InterpretedTrainingTest.class.getName(), out.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();

    try {
      // Meanwhile, on the other core, the same runs over and over while the JIT compiles the
      // kernels (if earlier tests have not), each against the first. With VectorOperators.EXP in
      // the softmax instead of its own exp (which C2 computes otherwise than the Java fallback),
      // the 40-class case changed its bits at run 21.
      float[][] first = new float[CASES.size()][];
      for (int run = 0; run < RUNS; run++) {
        for (int c = 0; c < CASES.size(); c++) {
          float[] w = train(CASES.get(c));
          if (run > 0) {
            assertArrayEquals(first[c], w, CASES.get(c).spec() + ", run " + run + " in this JVM against its first");
            continue;
          }
          // A diverged run (NaN everywhere) would match anything.
          for (float f : w) assertTrue(Float.isFinite(f), CASES.get(c).spec() + ": training diverged");
          first[c] = w;
        }
      }

      assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the interpreted run did not finish in 5 minutes");
      assertEquals(0, child.exitValue(), () -> "interpreted run failed:\n" + readLog(log));
      try (DataInputStream in = new DataInputStream(Files.newInputStream(out))) {
        for (int c = 0; c < CASES.size(); c++) {
          float[] interpreted = new float[in.readInt()];
          for (int i = 0; i < interpreted.length; i++) interpreted[i] = in.readFloat();
          assertArrayEquals(interpreted, first[c], CASES.get(c).spec() + ": parameters and running statistics, interpreted against this JVM's");
        }
      }
    } finally {
      child.destroyForcibly();
    }
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** One epoch (8 steps) of a seeded network on the vector kernels; its parameters and state, concatenated. */
  private static float[] train(Case c) {
    Network n = Network.create(NetworkSpec.parse(c.spec()), 8, Kernels.vector());
    TrainingConfig config = TrainingConfig.builder().epochs(1).batchSize(50).optimizer(c.optimizer()).seed(4).build();
    new Trainer(n, config).fit(c.data(), null, null);
    return TrainerTest.parametersAndState(n);
  }

  /** The child JVM: trains every case once (interpreted, with -Xint) and writes the results to args[0]. */
  public static void main(String[] args) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[0])))) {
      for (Case c : CASES) {
        float[] w = train(c);
        out.writeInt(w.length);
        for (float f : w) out.writeFloat(f);
      }
    }
  }
}
