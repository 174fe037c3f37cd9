package org.caviar.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.caviar.model.data.Dataset;
import org.caviar.model.optim.Counts;

/**
 * What a multi-layer perceptron looks like, in a form a person reads and writes:
 * {@code "64-128-128-10 relu batchnorm dropout=0.2"} is 64 inputs, two hidden layers of 128, 10
 * classes, ReLU, batch norm after each hidden dense layer, dropout 0.2 after each activation.
 *
 * <p>Each hidden layer is {@code Dense -> [BatchNorm] -> activation -> [Dropout]}; the output is
 * {@code Dense -> softmax}. A dense layer followed by batch norm has no bias. Hidden weights use
 * {@link #init()} (by default the activation's {@link Activation#defaultInit()}); the output layer
 * uses Glorot, which suits the softmax.
 *
 * <p>Text form: sizes joined by {@code -} (inputs, hidden..., classes), then in any order: the
 * activation ({@code relu}, {@code leaky_relu}, {@code tanh}, {@code sigmoid}), {@code slope=S}
 * (leaky ReLU only, default 0.01; an error beside another activation), {@code batchnorm} (or {@code bn}), {@code dropout=P} and
 * {@code init=he|xavier|glorot}. {@link #toString()} writes the canonical form and
 * {@link #parse(String)} reads it back to an equal spec.
 *
 * <p>Without hidden layers (softmax regression) the options are those of layers the network does
 * not have: a spec built with them keeps the defaults ({@code "64-10 relu"}, as for the leaky slope
 * of another activation), and {@link #parse} refuses a text that gives them, naming them.
 *
 * @param inputs features per example
 * @param hidden hidden layer widths, possibly empty (then the network is softmax regression, and
 *     the options below are kept at their defaults)
 * @param classes number of classes, at least 2
 * @param activation hidden non-linearity
 * @param leakySlope leaky ReLU's negative slope in [0, 1) (kept at the default for the others)
 * @param batchNorm whether each hidden dense layer is followed by batch norm
 * @param dropout dropout rate after each hidden activation, in [0, 1); 0 means no dropout layer
 * @param init hidden-layer weight initialization
 */
public record NetworkSpec(
    int inputs, List<Integer> hidden, int classes, Activation activation, float leakySlope,
    boolean batchNorm, float dropout, Init init) {

  /** The longest {@code float[]} a JVM allocates: a layer's weights, or a batch's values at one layer; a dataset's limit too. */
  public static final long MAX_ARRAY_LENGTH = Dataset.MAX_VALUES;

  /** Leaky ReLU's slope unless one is given. */
  public static final float DEFAULT_LEAKY_SLOPE = 0.01f;

  public NetworkSpec {
    if (inputs <= 0) throw new IllegalArgumentException("inputs must be > 0, got " + inputs);
    if (classes < 2) throw new IllegalArgumentException("classes must be >= 2, got " + classes);
    if (hidden == null) throw new IllegalArgumentException("hidden must not be null");
    // Not contains(null), which List.of's lists refuse; List.copyOf would throw a bare NullPointerException.
    for (Integer h : hidden) if (h == null) throw new IllegalArgumentException("hidden sizes must not be null, got " + hidden);
    hidden = List.copyOf(hidden);
    for (int h : hidden) if (h <= 0) throw new IllegalArgumentException("hidden sizes must be > 0, got " + hidden);
    // A layer's weights are one float[]: a wider layer would overflow its index, not train.
    int in = inputs;
    for (int i = 0; i <= hidden.size(); i++) {
      int out = i < hidden.size() ? hidden.get(i) : classes;
      if ((long) in * out > MAX_ARRAY_LENGTH) {
        throw new IllegalArgumentException("layer " + (i + 1) + " (" + Counts.grouped(in) + " x " + Counts.grouped(out) + ") has "
            + Counts.grouped((long) in * out) + " weights, more than one array holds (" + Counts.grouped(MAX_ARRAY_LENGTH) + ")");
      }
      in = out;
    }
    if (activation == null) throw new IllegalArgumentException("activation must not be null");
    if (!(leakySlope >= 0 && leakySlope < 1)) {
      throw new IllegalArgumentException("leakySlope must be in [0, 1), got " + org.caviar.model.optim.Floats.text(leakySlope));
    }
    leakySlope += 0f; // -0 as +0, as the dropout below: it printed "slope=-0.0" and compared unequal to slope=0
    if (activation != Activation.LEAKY_RELU) leakySlope = DEFAULT_LEAKY_SLOPE;
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + org.caviar.model.optim.Floats.text(dropout));
    }
    dropout += 0f; // -0 as +0: toString leaves a zero rate out, and the spec must read back equal
    if (hidden.isEmpty()) {
      // No hidden layer, none of its options: the spec printed (and a model file kept) "64-10 relu
      // batchnorm dropout=0.5" for a network with neither, unequal to "64-10 relu", the same network.
      // A search's trial of 0 layers still builds with what it sampled for them.
      activation = Activation.RELU;
      leakySlope = DEFAULT_LEAKY_SLOPE;
      batchNorm = false;
      dropout = 0f;
      init = null;
    }
    if (init == null) init = activation.defaultInit();
  }

  /** ReLU, no batch norm, no dropout, default init. */
  public static NetworkSpec of(int inputs, List<Integer> hidden, int classes) {
    return new NetworkSpec(inputs, hidden, classes, Activation.RELU, DEFAULT_LEAKY_SLOPE, false, 0f, null);
  }

  /**
   * Same spec with another activation. An init other than the current activation's default (one
   * the text form writes, {@code init=...}) is kept, as editing the activation in the text keeps
   * it: {@code withInit(GLOROT).withActivation(TANH)} replaced it with Xavier without a word. The
   * default init follows the activation ({@code "relu"} to {@code "tanh"}: He to Xavier); so does an
   * init set to the current default, which the spec cannot tell from it.
   */
  public NetworkSpec withActivation(Activation a) {
    if (a == null) throw new IllegalArgumentException("activation must not be null");
    Init kept = init != activation.defaultInit() ? init : null; // null: the new activation's default
    return new NetworkSpec(inputs, hidden, classes, a, leakySlope, batchNorm, dropout, kept);
  }

  /**
   * Same spec with another leaky ReLU slope.
   *
   * @throws IllegalArgumentException unless the activation is leaky ReLU: the slope of another is
   *     kept at the default, so a slope set before the activation was lost without a word (without
   *     hidden layers there is no activation, and the spec stays as it is, as for every option)
   */
  public NetworkSpec withLeakySlope(float slope) {
    // No hidden layer: the activation reads relu, and "set the activation first" would mislead.
    if (hidden.isEmpty()) return new NetworkSpec(inputs, hidden, classes, activation, slope, batchNorm, dropout, init);
    if (activation != Activation.LEAKY_RELU) {
      throw new IllegalArgumentException("leakySlope is leaky_relu's option, the activation is " + activation.label()
          + ": set the activation first, withActivation(Activation.LEAKY_RELU).withLeakySlope(" + org.caviar.model.optim.Floats.text(slope) + ")");
    }
    return new NetworkSpec(inputs, hidden, classes, activation, slope, batchNorm, dropout, init);
  }

  public NetworkSpec withBatchNorm(boolean on) {
    return new NetworkSpec(inputs, hidden, classes, activation, leakySlope, on, dropout, init);
  }

  public NetworkSpec withDropout(float rate) {
    return new NetworkSpec(inputs, hidden, classes, activation, leakySlope, batchNorm, rate, init);
  }

  public NetworkSpec withInit(Init i) {
    return new NetworkSpec(inputs, hidden, classes, activation, leakySlope, batchNorm, dropout, i);
  }

  /** Multiply-adds of one example's forward pass through the dense layers. */
  public long forwardMultiplyAdds() {
    long total = 0;
    int in = inputs;
    for (int h : hidden) {
      total += (long) in * h;
      in = h;
    }
    return total + (long) in * classes;
  }

  /**
   * Trainable values of the network this spec builds, as {@link Network#parameterCount()} counts
   * them once it is built: each dense layer's weights and bias (none before batch norm, whose beta
   * does its job), batch norm's gamma and beta.
   */
  public long parameterCount() {
    long total = 0;
    int in = inputs;
    for (int h : hidden) {
      total += (long) in * h + h; // weights, and the bias or batch norm's beta
      if (batchNorm) total += h; // gamma
      in = h;
    }
    return total + (long) in * classes + classes;
  }

  /** Values the network keeps beside its parameters: batch norm's running mean and variance. */
  public long stateCount() {
    long total = 0;
    if (batchNorm) for (int h : hidden) total += 2L * h;
    return total;
  }

  /**
   * Floats the network's layers hold per row of a batch in their workspaces, once sized for it
   * ({@link Network#ensureCapacity}): a dense layer its output and its input's gradient, batch norm
   * three arrays of its width (output, normalized input, gradient), an activation two, dropout three
   * (mask, output, gradient), and the loss its gradient of the logits.
   */
  public long workspaceFloatsPerRow() {
    long total = 0;
    int in = inputs;
    for (int h : hidden) {
      total += in + h;
      if (batchNorm) total += 3L * h;
      total += 2L * h;
      if (dropout > 0) total += 3L * h;
      in = h;
    }
    return total + in + 2L * classes;
  }

  /**
   * Parses the text form described in the class comment.
   *
   * @throws IllegalArgumentException naming the text and what is wrong with it; without hidden
   *     layers, naming the options of hidden layers it gives
   */
  public static NetworkSpec parse(String text) {
    return parse(text, true);
  }

  /**
   * Reads a spec's text as a model file keeps it: as {@link #parse}, except that options of hidden
   * layers beside no hidden layer are dropped, not refused. Earlier versions wrote them (as
   * {@code "64-10 relu batchnorm dropout=0.5"}) for networks that had none of them, and their files
   * must still load.
   */
  public static NetworkSpec parseSaved(String text) {
    return parse(text, false);
  }

  private static NetworkSpec parse(String text, boolean strict) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("network spec must not be empty");
    String[] tokens = text.trim().split("\\s+");
    String[] sizes = tokens[0].split("-", -1);
    if (sizes.length < 2) {
      throw new IllegalArgumentException(
          "network spec '" + text + "' must start with sizes such as 64-128-10 (inputs-hidden...-classes)");
    }
    int[] s = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      try {
        s[i] = Integer.parseInt(sizes[i]);
      } catch (NumberFormatException e) {
        // An integer past int's range is one: "is not an integer" misled.
        String why = sizes[i].matches("[+-]?\\d+") ? "is too large (at most " + Counts.grouped(Integer.MAX_VALUE) + ")"
            : "is not an integer";
        throw new IllegalArgumentException("network spec '" + text + "': size '" + sizes[i] + "' " + why);
      }
    }
    List<Integer> hidden = new ArrayList<>();
    for (int i = 1; i < s.length - 1; i++) hidden.add(s[i]);
    Activation activation = Activation.RELU;
    float slope = DEFAULT_LEAKY_SLOPE;
    boolean bn = false;
    float dropout = 0f;
    Init init = null;
    boolean activationSeen = false;
    String slopeText = null;
    String dropoutText = null;
    // The options given, as written, that only hidden layers take: refused beside none.
    List<String> hiddenOnly = new ArrayList<>();
    // Each valued option once, as the activation: the last one given won, the others dropped unsaid.
    java.util.Map<String, String> given = new java.util.HashMap<>();
    for (int t = 1; t < tokens.length; t++) {
      String token = tokens[t].toLowerCase(Locale.ROOT);
      int eq = token.indexOf('=');
      String key = eq < 0 ? token : token.substring(0, eq);
      String value = eq < 0 ? null : token.substring(eq + 1);
      if (value != null && (key.equals("dropout") || key.equals("slope") || key.equals("init"))) {
        String before = given.putIfAbsent(key, value);
        if (before != null) {
          throw new IllegalArgumentException("network spec '" + text + "': " + key + " is given twice (" + before + " and " + value + ")");
        }
      }
      switch (key) {
        case "batchnorm", "bn" -> {
          // A flag: "batchnorm=false" would otherwise turn batch norm on.
          if (value != null) throw new IllegalArgumentException("network spec '" + text + "': " + key + " takes no value, got '" + value + "'");
          bn = true;
          hiddenOnly.add(token);
        }
        case "dropout" -> {
          dropout = number(text, key, value);
          dropoutText = value;
          if (dropout != 0) hiddenOnly.add(token);
        }
        case "slope" -> {
          slope = number(text, key, value);
          slopeText = value;
          hiddenOnly.add(token);
        }
        case "init" -> {
          // require names the spec itself: outside inSpec, which would name it a second time.
          String name = require(text, key, value);
          init = inSpec(text, () -> Init.parse(name));
          if (init != Activation.RELU.defaultInit()) hiddenOnly.add(token);
        }
        default -> {
          if (value != null) throw new IllegalArgumentException("network spec '" + text + "': unknown option '" + key + "'");
          if (activationSeen) throw new IllegalArgumentException("network spec '" + text + "': more than one activation");
          activation = inSpec(text, () -> Activation.parse(token));
          activationSeen = true;
          // The canonical text of a network without hidden layers says relu.
          if (activation != Activation.RELU) hiddenOnly.add(token);
        }
      }
    }
    // The constructor keeps the default slope for the other activations: "relu slope=0.2", meant as
    // a leaky ReLU, trained a plain ReLU without a word.
    if (slopeText != null && activation != Activation.LEAKY_RELU) {
      throw new IllegalArgumentException("network spec '" + text + "': slope=" + slopeText + " is leaky_relu's option, the activation is "
          + activation.label() + (activationSeen ? "" : " (the default)"));
    }
    // As written, and by the text's own names: the constructor's check said "leakySlope ... got 1.0"
    // of slope=1, and "got 1.0" of dropout=0.99999999, a float's 1.
    inUnitRange(text, "dropout", dropoutText, dropout);
    inUnitRange(text, "slope", slopeText, slope);
    // The constructor's own checks name its fields ("inputs must be > 0"); say which text they came from.
    Activation a = activation;
    float leakySlope = slope;
    boolean batchNorm = bn;
    float rate = dropout;
    Init in = init;
    NetworkSpec spec = inSpec(text, () -> new NetworkSpec(s[0], hidden, s[s.length - 1], a, leakySlope, batchNorm, rate, in));
    // After the constructor's checks, which say what is wrong with a value whatever the layers.
    if (strict && hidden.isEmpty() && !hiddenOnly.isEmpty()) {
      int n = hiddenOnly.size();
      String names = n == 1 ? hiddenOnly.get(0) : String.join(", ", hiddenOnly.subList(0, n - 1)) + " and " + hiddenOnly.get(n - 1);
      throw new IllegalArgumentException("network spec '" + text + "': " + names + (n == 1 ? " is an option" : " are options")
          + " of hidden layers, and " + s[0] + "-" + s[1] + " has none: leave " + (n == 1 ? "it" : "them")
          + " out, or give a hidden layer (" + s[0] + "-H-" + s[1] + ")");
    }
    return spec;
  }

  private static <T> T inSpec(String text, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("network spec '" + text + "': " + e.getMessage(), e);
    }
  }

  private static String require(String text, String key, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("network spec '" + text + "': " + key + " needs a value, e.g. " + key + "=...");
    }
    return value;
  }

  /** Throws unless {@code v}, read from {@code written}, is in [0, 1); nothing to check if not given. */
  private static void inUnitRange(String text, String key, String written, float v) {
    if (written == null || (v >= 0 && v < 1)) return;
    boolean belowOne = Double.parseDouble(written) < 1; // parsed as a float already: a number
    throw new IllegalArgumentException("network spec '" + text + "': " + key + " must be in [0, 1), got " + written
        + (v == 1 && belowOne ? " (1 as a float)" : ""));
  }

  private static float number(String text, String key, String value) {
    try {
      return Float.parseFloat(require(text, key, value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("network spec '" + text + "': " + key + " '" + value + "' is not a number");
    }
  }

  /** The canonical text form; {@link #parse(String)} reads it back. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder().append(inputs);
    for (int h : hidden) b.append('-').append(h);
    b.append('-').append(classes).append(' ').append(activation.label());
    // As a person writes them (0.2, 1e-4, 0), not Float.toString's 1.0E-4 and 0.0: the same floats read back.
    if (activation == Activation.LEAKY_RELU) b.append(" slope=").append(org.caviar.model.optim.Floats.text(leakySlope));
    if (batchNorm) b.append(" batchnorm");
    if (dropout > 0) b.append(" dropout=").append(org.caviar.model.optim.Floats.text(dropout));
    if (init != activation.defaultInit()) b.append(" init=").append(init.label());
    return b.toString();
  }
}
