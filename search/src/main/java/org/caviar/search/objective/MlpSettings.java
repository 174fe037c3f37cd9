package org.caviar.search.objective;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.caviar.model.Activation;
import org.caviar.model.NetworkSpec;
import org.caviar.model.optim.Counts;
import org.caviar.model.optim.Floats;
import org.caviar.model.optim.OptimizerSpec;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.FloatParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;

/**
 * Turns a trial's parameters into a network and a training configuration. Every parameter is
 * optional and falls back to a default; a name that is not listed here is an error, so a typo in a
 * space is caught before any trial runs.
 *
 * <pre>
 * lr            learning rate (default 1e-3)
 * batch_size    examples per mini-batch (64)
 * units         width of each hidden layer (128)
 * layers        number of hidden layers (2)
 * activation    relu | leaky_relu | tanh | sigmoid (relu)
 * batchnorm     true | false (false)
 * dropout       rate after each hidden activation (0)
 * optimizer     sgd | momentum | rmsprop | adam (adam)
 * momentum      momentum's beta (0.9)
 * rho           rmsprop's beta (0.9)
 * beta1, beta2  Adam's betas (0.9, 0.999)
 * weight_decay  L2 coefficient (0)
 * epochs        maximum epochs (the objective's default)
 * </pre>
 */
public record MlpSettings(NetworkSpec network, TrainingConfig training) {
  /** The parameter names this objective reads. */
  public static final Set<String> NAMES = Set.of("lr", "batch_size", "units", "layers", "activation", "batchnorm",
      "dropout", "optimizer", "momentum", "rho", "beta1", "beta2", "weight_decay", "epochs");

  /** The parameters whose values are whole numbers. */
  private static final Set<String> INTEGERS = Set.of("batch_size", "units", "layers", "epochs");

  /**
   * Throws {@link IllegalArgumentException} naming a parameter of {@code space} that this
   * objective does not know or that can take a value it rejects (tried: a range's two ends and
   * middle, every choice, a fixed value), so that such a space fails before its first trial rather
   * than trial by trial (units = int(0, 3) failed a third of them with "units must be >= 1").
   */
  public static void checkSpace(SearchSpace space) {
    checkNames(space);
    for (int i = 0; i < space.size(); i++) {
      Parameter param = space.get(i);
      String name = param.name();
      if (param instanceof FloatParameter && INTEGERS.contains(name)) {
        throw new IllegalArgumentException("parameter '" + name + "' takes whole numbers: give it int(lo, hi) or int_log(lo, hi)");
      }
      List<Object> values = switch (param) {
        case CategoricalParameter c -> List.copyOf(c.choices());
        case FixedParameter f -> List.of(f.value());
        default -> List.of(param.fromUnit(0), param.fromUnit(0.5), param.fromUnit(1));
      };
      for (Object v : values) {
        try {
          from(Map.of(name, v), 1, 2, 1, 0);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("parameter '" + name + "' can take " + shown(v) + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** Throws {@link IllegalArgumentException} naming any parameter of {@code space} this objective does not know. */
  private static void checkNames(SearchSpace space) {
    for (int i = 0; i < space.size(); i++) {
      String name = space.get(i).name();
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "' for the MLP objective; known: "
            + String.join(", ", new java.util.TreeSet<>(NAMES)));
      }
    }
  }

  /** Settings from parameters by name (Double, Integer or String values), for a dataset's shape. */
  public static MlpSettings from(Map<String, ?> p, int inputs, int classes, int defaultEpochs, long seed) {
    for (String name : p.keySet()) {
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "' for the MLP objective; known: "
            + String.join(", ", new java.util.TreeSet<>(NAMES)));
      }
    }
    int units = integer(p, "units", 128, 1);
    int layers = integer(p, "layers", 2, 0);
    if (units < 1) throw new IllegalArgumentException("units must be >= 1, got " + units);
    if (layers < 0) throw new IllegalArgumentException("layers must be >= 0, got " + layers);
    // Ranges checked here by the parameters' own names (the optimizer and the training config
    // would name their fields), and the values as given.
    // The optimizers and the network take floats: a value within 3e-8 of 1 becomes 1 there
    // (one_minus_log(0.9, 0.99999999) can draw one), which they reject trial by trial as "beta ...
    // got 1.0" (dropout: the network said "got 1.0" of 0.99999999).
    for (String name : List.of("momentum", "beta1", "beta2", "rho", "dropout")) {
      double v = number(p, name, 0);
      if (p.containsKey(name) && !(v >= 0 && (float) v < 1)) {
        throw new IllegalArgumentException(name + " must be in [0, 1), got " + shown(p.get(name))
            + (v >= 0 && v < 1 ? " (1 as a float)" : ""));
      }
    }
    // Also as the floats they train as: the trainer refused lr=1e-50 (0 as a float) and 1e39
    // (infinite) by its own fields' names ("learningRate ... got 0.0", "weightDecay ... Infinity").
    if (p.containsKey("lr")) {
      double v = number(p, "lr", 1);
      if (!((float) v > 0 && Float.isFinite((float) v))) {
        throw new IllegalArgumentException("lr must be finite and > 0, got " + shown(p.get("lr")) + asFloat(v));
      }
    }
    if (p.containsKey("weight_decay")) {
      double v = number(p, "weight_decay", 0);
      if (!((float) v >= 0 && Float.isFinite((float) v))) {
        throw new IllegalArgumentException("weight_decay must be finite and >= 0, got " + shown(p.get("weight_decay")) + asFloat(v));
      }
    }
    int batchSize = integer(p, "batch_size", 64, 1);
    int epochs = epochs(p, defaultEpochs);
    // The values themselves: epochs may be the caller's default rather than a parameter.
    if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    List<Integer> hidden = new ArrayList<>();
    for (int i = 0; i < layers; i++) hidden.add(units);
    Activation activation = Activation.parse(text(p, "activation", "relu"));
    boolean batchNorm = bool(p, "batchnorm", false);
    // By the parameters' names: the trainer's own check said "batchSize must be >= 2 with batch norm".
    if (batchNorm && layers > 0 && batchSize < 2) {
      throw new IllegalArgumentException("batch_size must be >= 2 with batchnorm=true (batch norm normalizes over a batch's rows), got " + batchSize);
    }
    float dropout = (float) number(p, "dropout", 0);
    NetworkSpec net = new NetworkSpec(inputs, hidden, classes, activation, NetworkSpec.DEFAULT_LEAKY_SLOPE, batchNorm, dropout, null);

    OptimizerSpec optimizer = switch (text(p, "optimizer", "adam").toLowerCase(Locale.ROOT)) {
      case "sgd" -> new OptimizerSpec.Sgd();
      case "momentum" -> new OptimizerSpec.Momentum((float) number(p, "momentum", 0.9));
      case "rmsprop" -> new OptimizerSpec.RmsProp((float) number(p, "rho", 0.9), 1e-8f);
      case "adam" -> new OptimizerSpec.Adam((float) number(p, "beta1", 0.9), (float) number(p, "beta2", 0.999), 1e-8f);
      default -> throw new IllegalArgumentException("optimizer must be sgd, momentum, rmsprop or adam, got '" + p.get("optimizer") + "'");
    };
    TrainingConfig training = TrainingConfig.builder()
        .epochs(epochs)
        .batchSize(batchSize)
        .optimizer(optimizer)
        .learningRate((float) number(p, "lr", 1e-3))
        .weightDecay((float) number(p, "weight_decay", 0))
        .restoreBest(true)
        .seed(seed)
        .build();
    return new MlpSettings(net, training);
  }

  /**
   * Refuses, before anything is allocated, settings whose training would hold more memory than the
   * heap: such a network allocated for half a minute (the OS paging in gigabytes) and then ended in
   * an OutOfMemoryError. The estimate is {@link Trainer#memoryEstimate}'s; the message names it,
   * what it is made of, the heap, what sets the network's size and how to raise the heap (or, when
   * even that would be more than the machine has, says so).
   *
   * @param threads the threads the network trains on
   * @param trainRows the rows of the training data
   * @param heapBytes the most the heap may hold ({@link #heapBytes()}; a test gives its own)
   * @param machineBytes the machine's memory ({@link #machineBytes()}), or 0 if unknown
   * @param sizes what gives the network its size, as the user gave it: "units=30000, layers=3"
   * @param raise how the user gives the JVM a heap of so many GB: {@code n -> "JDK_JAVA_OPTIONS=-Xmx" + n + "g ./caviar train ..."}
   * @return the estimate, when it fits
   * @throws IllegalArgumentException when it does not
   */
  public Trainer.MemoryEstimate requireMemory(int threads, int trainRows, long heapBytes, long machineBytes, String sizes,
      java.util.function.IntFunction<String> raise) {
    return requireMemory(threads, trainRows, heapBytes, 0, machineBytes, sizes, raise);
  }

  /**
   * The same, beside {@code heldBytes} that the heap holds already for as long as the training
   * runs (the data, which a search's trials share): the training may have the rest, and the message
   * says what the data take.
   */
  public Trainer.MemoryEstimate requireMemory(int threads, int trainRows, long heapBytes, long heldBytes, long machineBytes, String sizes,
      java.util.function.IntFunction<String> raise) {
    if (heldBytes < 0) throw new IllegalArgumentException("heldBytes must be >= 0, got " + heldBytes);
    Trainer.MemoryEstimate e = Trainer.memoryEstimate(network, training, threads, trainRows);
    if (e.bytes() <= heapBytes - heldBytes) return e;
    // What is held, and a quarter more for the JVM's own (and the data, when not counted), in whole GB as -Xmx takes them.
    long gigabytes = (long) Math.ceil((e.bytes() + heldBytes) * 1.25 / (1L << 30));
    String remedy = machineBytes > 0 && gigabytes << 30 > machineBytes
        ? "make it smaller (this machine has " + bytes(machineBytes) + " of memory in all, too little for such a heap)"
        : "make it smaller, or give the JVM a larger heap: " + raise.apply((int) Math.min(gigabytes, Integer.MAX_VALUE));
    throw new IllegalArgumentException("training " + network + " needs about " + bytes(e.bytes()) + " of memory, and the Java heap "
        + "holds at most " + bytes(heapBytes) + (heldBytes > 0 ? ", " + bytes(heldBytes) + " of it taken by the data" : "") + ": "
        + Counts.grouped(network.parameterCount()) + " parameters x " + e.copies()
        + " floats (" + e.held() + "), and " + bytes(Float.BYTES * e.workspaceFloats()) + " of workspaces for batches of "
        + Counts.of(e.batchRows(), "row") + ". The network's size comes from " + sizes + "; the optimizer (sgd keeps no "
        + "moments) and the threads multiply it, batch_size sets the workspaces: " + remedy);
  }

  /** The most memory this JVM's heap may hold: {@link Runtime#maxMemory}. */
  public static long heapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  /** The machine's physical memory, or 0 where the JVM cannot tell. */
  public static long machineBytes() {
    try {
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
        return os.getTotalMemorySize();
      }
    } catch (RuntimeException | LinkageError notThere) {
      // jdk.management left out of a runtime image: no figure, and no advice that depends on it.
    }
    return 0;
  }

  /** Bytes as a person reads them: "870 MB", "5.2 GB", "88 GB", "1,500 GB" (of 2^20 and 2^30 bytes, as -Xmx counts them). */
  static String bytes(long n) {
    double gb = n / (double) (1L << 30);
    if (gb < 1) return Math.max(1, Math.round(n / (double) (1L << 20))) + " MB";
    return (gb < 10 ? String.format(Locale.ROOT, "%.1f", gb) : Counts.grouped(Math.round(gb))) + " GB";
  }

  /** "units=30000, layers=3": the settings that give a network of these settings its size, as the search names them. */
  public String sizes() {
    List<Integer> hidden = network.hidden();
    return hidden.isEmpty() ? "layers=0" : "units=" + hidden.get(0) + ", layers=" + hidden.size();
  }

  private static double number(Map<String, ?> p, String name, double fallback) {
    Object v = p.get(name);
    if (v == null) return fallback;
    if (v instanceof Number n) return n.doubleValue();
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + v + "'", e);
    }
  }

  /** The epochs a trial of parameters {@code p} trains unless pruned: its 'epochs', else {@code defaultEpochs}. */
  public static int epochs(Map<String, ?> p, int defaultEpochs) {
    return integer(p, "epochs", defaultEpochs, 1);
  }

  /** {@code least}: the least value the parameter takes, checked when it is given (the callers check a fallback). */
  private static int integer(Map<String, ?> p, String name, int fallback, int least) {
    double d = number(p, name, fallback);
    if (d != Math.rint(d)) throw new IllegalArgumentException(name + " must be an integer, got " + shown(p.get(name)));
    // Before the int range: layers=-1e10 said "must be at least -2147483648", as if -5 would do.
    if (p.get(name) != null && d < least) throw new IllegalArgumentException(name + " must be >= " + least + ", got " + shown(p.get(name)));
    // The value as given: a cast would report 1e10 as 2147483647.
    if (d > Integer.MAX_VALUE) throw new IllegalArgumentException(name + " must be at most " + Counts.grouped(Integer.MAX_VALUE) + ", got " + shown(p.get(name)));
    if (d < Integer.MIN_VALUE) throw new IllegalArgumentException(name + " must be at least " + Counts.grouped(Integer.MIN_VALUE) + ", got " + shown(p.get(name)));
    return (int) d;
  }

  /** A value as a person writes it: a number plainly (1e12, 1, not Java's 1.0E12 and 1.0), text as given. */
  private static String shown(Object v) {
    return switch (v) {
      case Double d -> Floats.text(d);
      case Float f -> Floats.text(f);
      case null, default -> String.valueOf(v);
    };
  }

  /** " (0 as a float)": what a finite double {@code v} becomes as a float, when that differs in kind; else "". */
  private static String asFloat(double v) {
    float f = (float) v;
    return Double.isFinite(v) && (f == 0 && v != 0 || Float.isInfinite(f)) ? " (" + Floats.text(f) + " as a float)" : "";
  }

  private static String text(Map<String, ?> p, String name, String fallback) {
    Object v = p.get(name);
    return v == null ? fallback : v.toString();
  }

  private static boolean bool(Map<String, ?> p, String name, boolean fallback) {
    Object v = p.get(name);
    if (v == null) return fallback;
    return switch (v.toString().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
    };
  }
}
