package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** What a round of run-quick runs, and in which order, and the -p overrides it refuses before measuring anything. */
class PlanTest {
  private static final String PEAK = PeakBench.class.getName();

  @Test
  void rowsSetAgainstThePeakHaveItMeasuredBeforeAndAfterThem() {
    Plan training = Plan.of(List.of("\\.TrainBench\\.epoch"), Map.of(), false);
    assertEquals(List.of(PEAK, TrainBench.class.getName(), PEAK), training.runOrder());
    assertEquals(training.configurations() + training.configurations(PEAK), training.runs());
    // Nothing set against the peak, or the peak alone: each class once.
    Plan softmax = Plan.of(List.of("SoftmaxBench"), Map.of(), false);
    assertEquals(List.of(SoftmaxBench.class.getName()), softmax.runOrder());
    assertEquals(softmax.configurations(), softmax.runs());
    assertEquals(List.of(PEAK), Plan.of(List.of("PeakBench"), Map.of(), false).runOrder());
  }

  private static String refused(List<String> includes, String name, String... values) {
    return assertThrows(QuickRun.BadUsage.class, () -> Plan.of(includes, Map.of(name, values), false)).getMessage();
  }

  /** JMH ignores a parameter no benchmark has: a typo ran the defaults, minutes of them, silently. */
  @Test
  void aParameterNoSelectedBenchmarkHasIsNamed() {
    String p = refused(List.of("GemmBench"), "nn", "256");
    assertTrue(p.contains("-p nn=256") && p.contains("no selected benchmark has a parameter nn"), p);
    assertTrue(p.contains("form, impl, n"), p);
    // rows is SoftmaxBench's, not GemmBench's.
    assertTrue(refused(List.of("GemmBench"), "rows", "32").contains("no selected benchmark"));
  }

  /** Each configuration failed inside JMH with a NumberFormatException stack trace. */
  @Test
  void aNumberThatIsNotOneIsNamed() {
    String p = refused(List.of("GemmBench"), "n", "256", "5l2");
    assertTrue(p.contains("-p n=256,5l2") && p.contains("5l2") && p.contains("whole number"), p);
    String rate = refused(List.of("DropoutBench"), "rate", "0,2".split(";"));
    assertTrue(rate.contains("rate") && rate.contains("a number"), rate);
  }

  /**
   * A size of 0 or below, or a dropout rate of 1, failed every configuration inside JMH, each with
   * a stack trace from its setup (NegativeArraySizeException, "rate must be in [0, 1)").
   */
  @Test
  void aNumberOutsideWhatTheBenchmarkTakesIsNamed() {
    assertEquals("-p n=256,0: n of GemmBench is a whole number >= 1, not 0", refused(List.of("GemmBench"), "n", "256", "0"));
    assertEquals("-p elements=-5: elements of ActivationBench is a whole number >= 1, not -5",
        refused(List.of("ActivationBench"), "elements", "-5"));
    assertEquals("-p workers=0: workers of StorageBench is a whole number >= 1, not 0", refused(List.of("StorageBench"), "workers", "0"));
    assertEquals("-p objectiveMillis=-1: objectiveMillis of StorageBench is a whole number >= 0, not -1",
        refused(List.of("StorageBench"), "objectiveMillis", "-1"));
    assertEquals("-p rate=1: rate of DropoutBench is in [0, 1), not 1", refused(List.of("DropoutBench"), "rate", "1"));
    // What they do take.
    Plan.checkOverrides(List.of(StorageBench.class.getName()), Map.of("objectiveMillis", new String[] {"0"}));
    Plan.checkOverrides(List.of(DropoutBench.class.getName()), Map.of("rate", new String[] {"0", "0.5"}));
  }

  /** An unknown training case threw from the full run's time estimate, a stack trace before anything ran. */
  @Test
  void anUnknownTrainingCaseIsNamed() {
    String p = refused(List.of("TrainBench.epoch"), "config", "mnist-b64");
    assertTrue(p.contains("-p config=mnist-b64") && p.contains("unknown training case: mnist-b64"), p);
  }

  /** TrainBench's threads are set-ups (1, all, all-gemm): "-p threads=2" failed every configuration in setup. */
  @Test
  void aTrainingSetUpThatIsNotOneIsNamed() {
    String p = refused(List.of("TrainBench.epoch"), "threads", "1", "2");
    assertTrue(p.contains("-p threads=1,2") && p.contains("one of 1, all, all-gemm, not 2"), p);
    // GemmShareBench replays the unsharded step: no "all".
    String share = refused(List.of("GemmShareBench"), "threads", "all");
    assertTrue(share.contains("one of 1, all-gemm, not all"), share);
    Plan.of(List.of("TrainBench.epoch", "GemmShareBench"), Map.of("threads", new String[] {"1", "all-gemm"}), false);
  }

  /**
   * A word a benchmark does not know: "-p impl=vector" (the kernels' name for the Vector API) ran
   * every GEMM configuration into an exception in setup, each with its stack trace; "-p form=nt"
   * measured NN and labelled it nt; "-p function=gelu" threw from the measured method.
   */
  @Test
  void aValueABenchmarkDoesNotKnowIsNamed() {
    String impl = refused(List.of("SoftmaxBench", "GemmBench"), "impl", "vector");
    assertTrue(impl.contains("-p impl=vector") && impl.contains("impl of GemmBench") && impl.contains("caviar-all")
        && impl.contains("not vector"), impl);
    String form = refused(List.of("GemmBench"), "form", "nt");
    assertTrue(form.contains("form of GemmBench is one of NN, NT, TN, not nt"), form);
    String function = refused(List.of("ActivationBench"), "function", "relu", "gelu");
    assertTrue(function.contains("not gelu"), function);
    assertTrue(refused(List.of("SoftmaxBench"), "impl", "caviar").contains("impl of SoftmaxBench is one of scalar, vector"));
    assertTrue(refused(List.of("GemmMlpBench"), "layer", "784").contains("K x N"));
    assertTrue(refused(List.of("OptimizerBench"), "rule", "adamw").contains("not adamw"));
  }

  /** Values outside the defaults that the benchmarks do take. */
  @Test
  void theGemmPeersAndAnyLayerShapeAreTaken() {
    Plan.of(List.of("GemmBench"), Map.of("impl", new String[] {"scalar", "caviar"}), false);
    Plan.of(List.of("GemmMlpBench"), Map.of("impl", new String[] {"ejml", "caviar-all"}, "layer", new String[] {"100x20"}), false);
    Plan.of(List.of("SoftmaxBench", "GemmBench"), Map.of("impl", new String[] {"scalar"}), false);
    // Every name the check lets through binds (OpenBLAS: or says it is absent).
    for (String name : GemmPeers.NAMES) {
      try {
        GemmPeers.bind(name, false, false, 2, 2, 2, new float[4], new float[4], new float[4]).run();
      } catch (IllegalStateException absent) {
        assertTrue(name.startsWith("openblas") && absent.getMessage().contains("OpenBLAS is absent"), absent.getMessage());
      }
    }
  }

  /**
   * A size whose array cannot exist: "-p n=50000 GemmBench" passed the check (n >= 1), and every
   * configuration failed in setup, n * n wrapped in int (NegativeArraySizeException), each with a
   * stack trace. Each product a benchmark's setup makes is held to the longest array, with its
   * other parameters' values, overrides or defaults.
   */
  @Test
  void aSizeWhoseArrayCannotExistIsRefusedBeforeTheRun() {
    assertEquals("-p n=64,50000: n of GemmBench is at most 46340, not 50000: its n*n array would hold 2.5e9 elements,"
        + " more than a Java array holds (2147483639)", refused(List.of("GemmBench"), "n", "64", "50000"));
    // 46340^2 fits an array, 46341^2 is past 2^31 - 1: the bound is exact (46340 is then refused by the heap, below).
    assertTrue(refused(List.of("GemmBench"), "n", "46340").contains("more than the forks' heap"));
    // With the default cols=1000 (rows=10^7 alone is a fine int).
    assertEquals("-p rows=10000000: rows of SoftmaxBench is at most 2147483 with cols=1000, not 10000000: its rows*cols array"
        + " would hold 1e10 elements, more than a Java array holds (2147483639)", refused(List.of("SoftmaxBench"), "rows", "10000000"));
    // One factor alone: an int, but past what an array holds.
    assertEquals("-p elements=2147483647: elements of ActivationBench is at most 2147483639, not 2147483647: its elements array"
        + " would hold 2.147483647e9 elements, more than a Java array holds (2147483639)",
        refused(List.of("ActivationBench"), "elements", "2147483647"));
    assertTrue(refused(List.of("DropoutBench"), "elements", "2147483639").contains("more than the forks' heap"));
    // A K x N layer: both sides within the layer's 6 digits, their product not.
    assertEquals("-p layer=999999x999999: layer of GemmMlpBench cannot be 999999x999999: its layer.K*layer.N array"
        + " would hold 9.99998000001e11 elements, more than a Java array holds (2147483639)",
        refused(List.of("GemmMlpBench"), "layer", "999999x999999"));
    // The batch against the default layers' largest fan-in, 784: 2147483639 / 784 = 2739137.
    String batch = refused(List.of("GemmMlpBench"), "batch", "3000000");
    assertTrue(batch.startsWith("-p batch=3000000: batch of GemmMlpBench is at most 2739137 with layer=784x256, not 3000000: its batch*layer.K"), batch);
    // The other benchmarks' sizes: rows x cols, examples x features, params.
    assertTrue(refused(List.of("ArrayOpsBench"), "cols", "100000000").contains("cols of ArrayOpsBench is at most 16777215 with rows=128"));
    assertTrue(refused(List.of("BatchNormBench"), "examples", "3000000").contains("examples of BatchNormBench is at most 2097151 with features=1024"));
    assertTrue(refused(List.of("OptimizerBench"), "params", "2147483640").contains("params of OptimizerBench is at most 2147483639"));
  }

  /**
   * Sizes whose arrays fit one array each but not the forks' heap together: -p n=20000 GemmBench
   * made three arrays of 1.6 GB against -Xmx1g, and every configuration failed in setup with an
   * OutOfMemoryError. Refused before the run, with the largest value that fits.
   */
  @Test
  void sizesWhoseArraysPassTheHeapAreRefusedBeforeTheRun() {
    // 3 n^2 floats of 4 bytes within 2^30 bytes: n <= sqrt(2^28 / 3) = 9459.
    assertEquals("-p n=20000: n of GemmBench is at most 9459, not 20000: its arrays (3*n*n floats) would take 4.5 GB, more than"
        + " the forks' heap (1 GB, -Xmx1g)", refused(List.of("GemmBench"), "n", "20000"));
    Plan.of(List.of("GemmBench"), Map.of("n", new String[] {"9459"}), false);
    assertTrue(refused(List.of("GemmBench"), "n", "9460").contains("is at most 9459"));
    // 4 arrays of params floats: 2^28 / 4 = 67108864.
    Plan.of(List.of("OptimizerBench"), Map.of("params", new String[] {"67108864"}), false);
    assertTrue(refused(List.of("OptimizerBench"), "params", "67108865").contains("params of OptimizerBench is at most 67108864"));
    assertEquals(1L << 30, Plan.heapBytes("-Xmx1g"));
    assertEquals(512L << 20, Plan.heapBytes("-Xmx512m"));
  }

  /** Whole-number parameters that size no array: StorageBench's workers (threads) and the objective's sleep. */
  private static final Set<String> NOT_ARRAY_SIZES = Set.of("StorageBench.workers", "StorageBench.objectiveMillis");

  /**
   * Every whole-number parameter of every benchmark is held to the longest array by its class's
   * {@link ArrayLengths} (or is listed above as sizing none): a new size parameter without it
   * would be let through to wrap in its setup as n * n did. The defaults all fit.
   */
  @Test
  void everySizeParameterIsHeldToItsArrays() throws Exception {
    Plan all = Plan.of(List.of(), Map.of(), false);
    List<String> unchecked = new ArrayList<>();
    for (String className : all.classes()) {
      Class<?> type = Class.forName(className);
      ArrayLengths lengths = type.getAnnotation(ArrayLengths.class);
      Set<String> factors = new HashSet<>();
      if (lengths != null) {
        for (String product : lengths.value()) {
          for (String f : product.split("\\*")) factors.add(f.replaceFirst("\\..*", ""));
        }
      }
      for (String name : wholeNumberParams(type)) {
        String field = Plan.simpleName(className) + "." + name;
        if (!factors.contains(name) && !NOT_ARRAY_SIZES.contains(field)) unchecked.add(field);
      }
      // Every factor is a parameter of the class (a misspelt one would be a failure of the plan, here).
      assertTrue(all.params(className).keySet().containsAll(factors), className + ": " + factors);
    }
    assertEquals(List.of(), unchecked, "whole-number parameters no @ArrayLengths names");
  }

  private static List<String> wholeNumberParams(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        Class<?> t = f.getType();
        if (f.isAnnotationPresent(Param.class) && (t == int.class || t == long.class || t == Integer.class || t == Long.class)) {
          names.add(f.getName());
        }
      }
      for (Class<?> nested : c.getDeclaredClasses()) names.addAll(wholeNumberParams(nested));
    }
    return names;
  }

  @Test
  void goodOverridesReplaceTheDefaults() {
    Plan plan = Plan.of(List.of("GemmBench"), Map.of("n", new String[] {"512", "1024"}, "impl", new String[] {"caviar"}), false);
    assertEquals(List.of("512", "1024"), List.of(plan.params(GemmBench.class.getName()).get("n")));
    assertEquals(3 * 2, plan.configurations(GemmBench.class.getName()));
    Plan rate = Plan.of(List.of("DropoutBench"), Map.of("rate", new String[] {"0.5"}), false);
    assertEquals(2, rate.configurations(DropoutBench.class.getName()));
  }
}
