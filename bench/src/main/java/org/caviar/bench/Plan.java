package org.caviar.bench;

import java.lang.reflect.Field;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.caviar.model.optim.Floats;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * What a run will measure: the selected benchmark methods grouped by class, PeakBench first, and
 * the parameter values each class runs with.
 */
final class Plan {
  private static final String PEAK = PeakBench.class.getName();

  private final Map<String, List<BenchmarkListEntry>> methods = new LinkedHashMap<>();
  private final Map<String, Map<String, String[]>> params = new LinkedHashMap<>();
  private boolean peakAdded;
  private boolean needsPeak;

  /**
   * @param includes JMH regexes (a find in {@code org.caviar.bench.Class.method}); none means all
   * @param overrides parameter values that replace the defaults in every class that has the parameter
   * @param openBlasPresent whether GemmBench keeps its OpenBLAS entries when the user did not name them
   */
  static Plan of(List<String> includes, Map<String, String[]> overrides, boolean openBlasPresent) {
    Plan plan = new Plan();
    OutputFormat quiet = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
    List<String> patterns = includes.isEmpty() ? List.of("^org\\.caviar\\.bench\\.") : includes;
    SortedSet<BenchmarkListEntry> found = BenchmarkList.defaultList().find(quiet, patterns, List.of());
    // GEMM and training rows report % of the peak measured in the same run.
    boolean needsPeak = found.stream().anyMatch(e -> reportsPctPeak(e.getUserClassQName()));
    plan.needsPeak = needsPeak;
    if (needsPeak && found.stream().noneMatch(e -> e.getUserClassQName().equals(PEAK))) {
      found.addAll(BenchmarkList.defaultList().find(quiet, List.of("^" + Pattern.quote(PEAK) + "\\."), List.of()));
      plan.peakAdded = true;
    }
    found.stream().filter(e -> e.getUserClassQName().equals(PEAK)).forEach(plan::add);
    found.stream().filter(e -> !e.getUserClassQName().equals(PEAK)).forEach(plan::add);
    checkOverrides(plan.methods.keySet(), overrides);
    plan.methods.forEach((className, entries) -> {
      Map<String, String[]> values = new LinkedHashMap<>();
      for (BenchmarkListEntry entry : entries) {
        if (entry.getParams().hasValue()) values.putAll(entry.getParams().get());
      }
      values.replaceAll((name, defaults) -> overrides.getOrDefault(name, defaults));
      if (className.equals(GemmBench.class.getName()) && !openBlasPresent && !overrides.containsKey("impl")) {
        values.computeIfPresent("impl",
            (name, impls) -> Arrays.stream(impls).filter(v -> !v.startsWith("openblas")).toArray(String[]::new));
      }
      plan.params.put(className, values);
    });
    plan.params.forEach((className, values) -> checkArrayLengths(className, values, overrides));
    return plan;
  }

  /**
   * The longest array this lets through: the JDK's own bound for the arrays it grows
   * (ArraysSupport.SOFT_MAX_ARRAY_LENGTH). HotSpot's own limit lies a few elements below
   * Integer.MAX_VALUE, by VM and element type ("Requested array size exceeds VM limit").
   */
  static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  /**
   * Refuses, before the run, values that make one of a class's {@link ArrayLengths} longer than
   * {@link #MAX_ARRAY_LENGTH}, with any other values of the class's parameters: its setup multiplies
   * them in int, which wrapped (GemmBench's n = 50000: n * n is negative), and every configuration
   * failed inside JMH with a stack trace. One rule for every size, from the products each class
   * declares, rather than a bound per field.
   *
   * @param values the class's parameters and the values it runs with (overrides and defaults)
   * @throws QuickRun.BadUsage naming the -p option, the parameter's value and its bound
   */
  private static void checkArrayLengths(String className, Map<String, String[]> values, Map<String, String[]> overrides) {
    ArrayLengths lengths;
    try {
      lengths = Class.forName(className).getAnnotation(ArrayLengths.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("JMH lists " + className + ", which does not load", e);
    }
    if (lengths == null) return;
    for (String product : lengths.value()) {
      List<String> factors = List.of(product.split("\\*"));
      List<String> names = factors.stream().map(Plan::parameterOf).distinct().toList();
      for (Map<String, String> combination : combinations(className, names, values)) {
        if (length(factors, combination).compareTo(MAX_ARRAY_LENGTH_BIG) > 0) {
          throw tooLarge(className, combination, overrides, c -> length(factors, c), MAX_ARRAY_LENGTH_BIG,
              "make its " + product + " array too long", ": its " + product + " array would hold "
                  + Floats.text(length(factors, combination).doubleValue()) + " elements, more than a Java array holds (" + MAX_ARRAY_LENGTH + ")");
        }
      }
    }
    if (lengths.heap().length > 0) checkHeap(className, List.of(lengths.heap()), values, overrides);
  }

  /** The forks' heap in bytes, from {@link ForkArgs#HEAP_MAX} ("-Xmx1g"). */
  static final long HEAP_BYTES = heapBytes(ForkArgs.HEAP_MAX);

  static long heapBytes(String xmx) {
    String size = xmx.substring("-Xmx".length()).toLowerCase(java.util.Locale.ROOT);
    long unit = switch (size.charAt(size.length() - 1)) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      default -> 1;
    };
    return Long.parseLong(unit == 1 ? size : size.substring(0, size.length() - 1)) * unit;
  }

  /**
   * Refuses, before the run, values whose arrays ({@link ArrayLengths#heap}, a lower bound of what
   * the setup holds) take more bytes than the forks' heap: {@code -p n=20000 GemmBench} made three
   * arrays of 1.6 GB each against a heap of 1 GB, and every configuration failed in setup with an
   * OutOfMemoryError.
   */
  private static void checkHeap(String className, List<String> terms, Map<String, String[]> values, Map<String, String[]> overrides) {
    List<List<String>> products = terms.stream().map(t -> List.of(t.split("\\*"))).toList();
    List<String> names = products.stream().flatMap(List::stream).filter(f -> !isCount(f)).map(Plan::parameterOf).distinct().toList();
    BigInteger heap = BigInteger.valueOf(HEAP_BYTES);
    for (Map<String, String> combination : combinations(className, names, values)) {
      if (bytes(products, combination).compareTo(heap) <= 0) continue;
      throw tooLarge(className, combination, overrides, c -> bytes(products, c), heap, "make arrays larger than the forks' heap",
          ": its arrays (" + String.join(" + ", terms) + " floats) would take " + gigabytes(bytes(products, combination))
              + ", more than the forks' heap (" + gigabytes(heap) + ", " + ForkArgs.HEAP_MAX + ")");
    }
  }

  /** A factor that is a count of arrays ("3" in "3*n*n"), not a parameter. */
  private static boolean isCount(String factor) {
    return !factor.isEmpty() && factor.chars().allMatch(Character::isDigit);
  }

  /** The bytes of the floats of {@code products} (each a count and factors) with these values. */
  private static BigInteger bytes(List<List<String>> products, Map<String, String> combination) {
    BigInteger floats = BigInteger.ZERO;
    for (List<String> factors : products) floats = floats.add(length(factors, combination));
    return floats.multiply(BigInteger.valueOf(Float.BYTES));
  }

  /** "1.6 GB", "1 GB": bytes in GB of 2^30, as -Xmx counts them. */
  private static String gigabytes(BigInteger bytes) {
    return Floats.text(Math.round(bytes.doubleValue() / (1L << 30) * 10) / 10.0) + " GB";
  }

  private static final BigInteger MAX_ARRAY_LENGTH_BIG = BigInteger.valueOf(MAX_ARRAY_LENGTH);

  /** The parameter a factor is of: {@code layer} for {@code layer.K}. */
  private static String parameterOf(String factor) {
    int dot = factor.indexOf('.');
    return dot < 0 ? factor : factor.substring(0, dot);
  }

  /** A factor's value: a whole-number parameter's, or one side of a K x N parameter's ({@code layer.K}, {@code layer.N}). */
  private static long factor(String factor, Map<String, String> combination) {
    if (isCount(factor)) return Long.parseLong(factor);
    String value = combination.get(parameterOf(factor));
    if (factor.endsWith(".K")) return Long.parseLong(value.substring(0, value.indexOf('x')));
    if (factor.endsWith(".N")) return Long.parseLong(value.substring(value.indexOf('x') + 1));
    return Long.parseLong(value);
  }

  /** The product's value, exact (three int factors pass a long). */
  private static BigInteger length(List<String> factors, Map<String, String> combination) {
    BigInteger length = BigInteger.ONE;
    for (String f : factors) length = length.multiply(BigInteger.valueOf(factor(f, combination)));
    return length;
  }

  /** Every combination of the values of {@code names} that the class runs. */
  private static List<Map<String, String>> combinations(String className, List<String> names, Map<String, String[]> values) {
    List<Map<String, String>> all = List.of(Map.of());
    for (String name : names) {
      String[] options = values.get(name);
      if (options == null) throw new IllegalStateException(className + "'s @ArrayLengths names " + name + ", which is not its parameter");
      List<Map<String, String>> longer = new ArrayList<>();
      for (Map<String, String> c : all) {
        for (String v : options) {
          Map<String, String> next = new LinkedHashMap<>(c);
          next.put(name, v);
          longer.add(next);
        }
      }
      all = longer;
    }
    return all;
  }

  /**
   * The refusal of {@code combination}, whose {@code size} is past {@code bound}, naming an
   * overridden parameter in it: with its largest value within the bound, given the others', where it
   * has one. {@code ownProblem} says what the class's own values do (a defect of the class, not of
   * the -p given); {@code tail}, what the size is and what it is against.
   */
  private static QuickRun.BadUsage tooLarge(String className, Map<String, String> combination, Map<String, String[]> overrides,
      java.util.function.Function<Map<String, String>, BigInteger> size, BigInteger bound, String ownProblem, String tail) {
    List<String> given = combination.keySet().stream().filter(overrides::containsKey).toList();
    if (given.isEmpty()) throw new IllegalStateException(className + "'s own parameters " + combination + " " + ownProblem);
    // The first given parameter that fits on its own, at its largest, with the others' values.
    for (String name : given) {
      long most = largest(name, combination, size, bound);
      if (most >= 1) {
        return refusal(className, name, combination, " is at most " + most + with(name, combination) + ", not " + combination.get(name) + tail, overrides);
      }
    }
    String name = given.get(0);
    return refusal(className, name, combination, " cannot be " + combination.get(name) + with(name, combination) + tail, overrides);
  }

  private static QuickRun.BadUsage refusal(String className, String name, Map<String, String> combination, String problem,
      Map<String, String[]> overrides) {
    String spec = "-p " + name + "=" + String.join(",", overrides.get(name));
    return new QuickRun.BadUsage(spec + ": " + name + " of " + simpleName(className) + problem);
  }

  /** " with cols=1000": the values of the product's other parameters, or nothing. */
  private static String with(String name, Map<String, String> combination) {
    List<String> others = combination.entrySet().stream().filter(e -> !e.getKey().equals(name))
        .map(e -> e.getKey() + "=" + e.getValue()).toList();
    return others.isEmpty() ? "" : " with " + String.join(", ", others);
  }

  /**
   * The largest whole-number value of {@code name} for which {@code size} stays within
   * {@code bound}, the others as in {@code combination}: 0 if none does, -1 if {@code name} is no
   * whole number (a K x N).
   */
  private static long largest(String name, Map<String, String> combination,
      java.util.function.Function<Map<String, String>, BigInteger> size, BigInteger bound) {
    if (!combination.get(name).chars().allMatch(Character::isDigit)) return -1;
    long low = 0;
    long high = Integer.MAX_VALUE;
    Map<String, String> trial = new LinkedHashMap<>(combination);
    while (low < high) { // the size grows with the value: the last that fits
      long mid = (low + high + 1) >>> 1;
      trial.put(name, Long.toString(mid));
      if (size.apply(trial).compareTo(bound) <= 0) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /**
   * Refuses, before anything runs, an override that no selected class has a parameter for (JMH
   * would ignore it and run the defaults) or a value the parameter cannot take (every configuration
   * would fail inside JMH, each with a stack trace, or measure something else under the value's
   * name): a number that is not one, a training case that does not exist, a word the benchmark
   * does not know.
   *
   * @throws QuickRun.BadUsage naming the -p option and the value
   */
  static void checkOverrides(Collection<String> classNames, Map<String, String[]> overrides) {
    Map<String, List<Field>> fields = new TreeMap<>();
    for (String className : classNames) {
      try {
        collectParams(Class.forName(className), fields);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("JMH lists " + className + ", which does not load", e);
      }
    }
    overrides.forEach((name, values) -> {
      String spec = "-p " + name + "=" + String.join(",", values);
      List<Field> declared = fields.get(name);
      if (declared == null) {
        throw new QuickRun.BadUsage(spec + ": no selected benchmark has a parameter " + name
            + (fields.isEmpty() ? " (they have none)" : " (theirs: " + String.join(", ", fields.keySet()) + ")"));
      }
      for (Field f : declared) {
        for (String v : values) {
          String problem = problem(f, v);
          if (problem != null) throw new QuickRun.BadUsage(spec + ": " + problem);
        }
      }
    });
  }

  /** The @Param fields of a benchmark class, its superclasses and its nested state classes, by name. */
  private static void collectParams(Class<?> type, Map<String, List<Field>> fields) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.isAnnotationPresent(Param.class)) fields.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f);
      }
      for (Class<?> nested : c.getDeclaredClasses()) collectParams(nested, fields);
    }
  }

  /** Why parameter {@code f} cannot take {@code value}, or null if it can. */
  private static String problem(Field f, String value) {
    Class<?> t = f.getType();
    String where = f.getName() + " of " + simpleName(f.getDeclaringClass().getName().replace('$', '.'));
    try {
      // Sizes and counts: below their least, every configuration failed in its setup, each with a
      // stack trace (NegativeArraySizeException), as a dropout rate of 1 did.
      long least = f.getName().equals("objectiveMillis") ? 0 : 1;
      if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
        long v = t == int.class || t == Integer.class ? Integer.parseInt(value) : Long.parseLong(value);
        if (v < least) return where + " is a whole number >= " + least + ", not " + value;
      } else if (t == float.class || t == Float.class || t == double.class || t == Double.class) {
        double v = Double.parseDouble(value);
        if (f.getName().equals("rate") && !(v >= 0 && (float) v < 1)) return where + " is in [0, 1), not " + value;
      } else if ((t == boolean.class || t == Boolean.class) && !value.equals("true") && !value.equals("false")) {
        return where + " is true or false, not " + value;
      }
    } catch (NumberFormatException e) {
      return where + " is " + (t == float.class || t == Float.class || t == double.class || t == Double.class
          ? "a number" : "a whole number") + ", not " + value;
    }
    if (t != String.class) return null;
    // TrainBench's, CaviarTrainBench's and GemmShareBench's config names a TrainCase.
    if (f.getName().equals("config")) {
      try {
        TrainCase.of(value);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
      return null;
    }
    // The GEMM benchmarks bind any of GemmPeers' names, more than their defaults (scalar only on request).
    Class<?> c = f.getDeclaringClass();
    if (f.getName().equals("impl") && (c == GemmBench.class || c == GemmMlpBench.class)) {
      return GemmPeers.NAMES.contains(value) ? null : where + " is one of " + String.join(", ", GemmPeers.NAMES) + ", not " + value;
    }
    // GemmMlpBench's layer is any fan-in x fan-out.
    if (f.getName().equals("layer")) {
      return value.matches("[1-9][0-9]{0,5}x[1-9][0-9]{0,5}") ? null : where + " is K x N, e.g. 784x256, not " + value;
    }
    // Any other word is one the benchmark switches on, and its @Param lists every one: another ran
    // into an exception in every configuration (impl=vector on a GEMM, function=gelu), or, where
    // the benchmark reads only a letter of it (GemmBench's form=nt), measured the wrong thing
    // under its name. The training benchmarks' threads are named set-ups, not counts.
    List<String> known = List.of(f.getAnnotation(Param.class).value());
    return known.contains(value) ? null : where + " is one of " + String.join(", ", known) + ", not " + value;
  }


  private static boolean reportsPctPeak(String className) {
    return className.contains("Gemm") || className.equals(TrainBench.class.getName())
        || className.equals(CaviarTrainBench.class.getName());
  }

  private void add(BenchmarkListEntry entry) {
    methods.computeIfAbsent(entry.getUserClassQName(), k -> new ArrayList<>()).add(entry);
  }

  boolean isEmpty() {
    return methods.isEmpty();
  }

  /** Whether PeakBench was not selected but added, for the GEMM and training rows' % of peak. */
  boolean peakAdded() {
    return peakAdded;
  }

  Set<String> classes() {
    return methods.keySet();
  }

  /**
   * The classes in the order a round runs them: PeakBench first and, when other classes' rows are
   * set against its peak, once more at the end. The two pool into one result, so that the peak is
   * measured on both sides of the minutes the rows took, not only before them (the machines drift).
   */
  List<String> runOrder() {
    List<String> order = new ArrayList<>(methods.keySet());
    if (needsPeak && order.size() > 1 && order.contains(PEAK)) order.add(PEAK);
    return order;
  }

  /** Configuration runs a round makes: {@link #configurations()} and the second PeakBench. */
  int runs() {
    int total = 0;
    for (String className : runOrder()) total += configurations(className);
    return total;
  }

  List<BenchmarkListEntry> methods(String className) {
    return methods.get(className);
  }

  Map<String, String[]> params(String className) {
    return params.get(className);
  }

  /**
   * The training cases whose one model on several threads a full run also measures with {@link
   * TrainScaling} (one thread and the others alternating epoch by epoch): TrainBench's {@code
   * config} values whose steps the trainer shards, when TrainBench runs {@code threads=all}.
   */
  List<String> scalingConfigs() {
    Map<String, String[]> values = params.get(TrainBench.class.getName());
    if (values == null || !Arrays.asList(values.getOrDefault("threads", new String[0])).contains(TrainBench.ALL)) return List.of();
    return Arrays.stream(values.getOrDefault("config", new String[0])).filter(c -> TrainCase.of(c).stepIsSharded()).toList();
  }

  /** Configurations (method x parameter combination) the class runs: one JMH result each. */
  int configurations(String className) {
    int combinations = 1;
    for (String[] values : params.get(className).values()) combinations *= values.length;
    return combinations * methods.get(className).size();
  }

  int configurations() {
    int total = 0;
    for (String className : methods.keySet()) total += configurations(className);
    return total;
  }

  static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
