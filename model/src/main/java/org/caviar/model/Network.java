package org.caviar.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.ActivationLayer;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Dense;
import org.caviar.model.layer.Dropout;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.SoftmaxCrossEntropy;
import org.caviar.model.layer.StateTensor;
import org.caviar.model.optim.Counts;

/**
 * A classifier: a sequence of layers producing logits, and a softmax cross-entropy output.
 *
 * <p>A training step is {@link #forward} in {@link Mode#TRAIN}, {@link #loss} (which also
 * computes the logits' gradient, fused), then {@link #backward}; each parameter's gradient is
 * then in {@link Parameter#gradient()} for an optimizer. Workspaces are sized for the largest
 * batch seen and reused, so steps with a fixed batch size allocate nothing.
 *
 * <p>An {@linkplain #createForInference inference-only} network has no gradient arrays (half the
 * memory of its parameters): it runs forward and computes losses, and refuses backward.
 *
 * <p>Not thread-safe: a network holds the activations of its last pass. Use one per thread.
 */
public final class Network {
  private final NetworkSpec spec;
  private final Kernels kernels;
  private final Layer[] layers;
  private final SoftmaxCrossEntropy output;
  private final List<Parameter> parameters;
  private final List<StateTensor> state;
  private final float[][] outputs;
  private final float[][] outputGradients;
  /** Whether a parameter has no gradient array: backward is refused. */
  private final boolean inferenceOnly;
  private int forwardRows;
  private Mode forwardMode;
  private boolean lossComputed;

  private Network(NetworkSpec spec, List<Layer> layerList, int classes, Kernels kernels) {
    if (layerList.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
    this.spec = spec;
    this.kernels = kernels;
    this.layers = layerList.toArray(new Layer[0]);
    // A layer holds its last pass (its output, the input backward reads): given twice, the first
    // pass's gradient was computed from the second's input, wrong without a word.
    // Identity, as Optimizer finds a tensor listed twice.
    java.util.Map<Layer, Integer> seen = new java.util.IdentityHashMap<>();
    java.util.Map<String, Integer> named = new java.util.HashMap<>();
    for (int i = 0; i < layers.length; i++) {
      Integer same = seen.putIfAbsent(layers[i], i);
      if (same != null) {
        throw new IllegalArgumentException("layers[" + i + "] is layers[" + same + "] (" + layers[i].name()
            + "), the same layer: each holds its own pass, give a new one");
      }
      Integer before = named.putIfAbsent(layers[i].name(), i);
      if (before != null) {
        throw new IllegalArgumentException("layers[" + i + "] is named " + layers[i].name() + " as layers[" + before
            + "] is: a network's layers have names of their own");
      }
    }
    for (int i = 1; i < layers.length; i++) {
      if (layers[i].inputSize() != layers[i - 1].outputSize()) {
        throw new IllegalArgumentException(
            "layer " + layers[i].name() + " takes " + layers[i].inputSize() + " inputs but "
                + layers[i - 1].name() + " gives " + layers[i - 1].outputSize());
      }
    }
    if (layers[layers.length - 1].outputSize() != classes) {
      throw new IllegalArgumentException(
          "the last layer gives " + layers[layers.length - 1].outputSize() + " outputs for " + classes + " classes");
    }
    // Nothing consumes the gradient with respect to the network's input.
    layers[0].setInputGradientNeeded(false);
    this.output = new SoftmaxCrossEntropy(classes, kernels.softmax());
    List<Parameter> ps = new ArrayList<>();
    List<StateTensor> st = new ArrayList<>();
    for (Layer l : layers) {
      ps.addAll(l.parameters());
      st.addAll(l.state());
    }
    this.parameters = List.copyOf(ps);
    this.state = List.copyOf(st);
    this.inferenceOnly = ps.stream().anyMatch(p -> !p.hasGradient());
    this.outputs = new float[layers.length][];
    this.outputGradients = new float[layers.length][];
  }

  /** Builds and initializes the network a spec describes, on the default (vector) kernels. */
  public static Network create(NetworkSpec spec, long seed) {
    return create(spec, seed, Kernels.vector());
  }

  /**
   * Builds the network a spec describes. {@code seed} fixes the initial weights and the dropout
   * masks: the same spec, seed and kernels give the same network.
   */
  public static Network create(NetworkSpec spec, long seed, Kernels kernels) {
    return build(spec, seed, kernels, true);
  }

  /**
   * The network {@link #create(NetworkSpec, long, Kernels)} builds, to the bit, but whose
   * parameters have no gradient arrays: for passes that only run forward (the evaluator's replicas,
   * one per thread, which take the trained network's values before each evaluation). {@link
   * #backward}, a layer's backward and a trainer refuse it, naming why.
   */
  public static Network createForInference(NetworkSpec spec, long seed, Kernels kernels) {
    return build(spec, seed, kernels, false);
  }

  private static Network build(NetworkSpec spec, long seed, Kernels kernels, boolean withGradients) {
    if (spec == null) throw new IllegalArgumentException("spec must not be null");
    if (kernels == null) throw new IllegalArgumentException("kernels must not be null");
    Random random = new Random(seed);
    List<Layer> list = new ArrayList<>();
    int in = spec.inputs();
    int index = 1;
    for (int width : spec.hidden()) {
      Dense dense = new Dense("dense" + index, in, width, !spec.batchNorm(), kernels.gemm(), kernels.arrayOps(), withGradients);
      dense.initialize(spec.init(), random);
      list.add(dense);
      if (spec.batchNorm()) list.add(new BatchNormLayer("batchnorm" + index, width, kernels.batchNorm(), withGradients));
      list.add(new ActivationLayer(
          spec.activation().label() + index, width, spec.activation(), spec.leakySlope(), kernels.activations()));
      if (spec.dropout() > 0) {
        list.add(new Dropout("dropout" + index, width, spec.dropout(), random.nextLong(), kernels.dropout()));
      }
      in = width;
      index++;
    }
    Dense last = new Dense("dense" + index, in, spec.classes(), true, kernels.gemm(), kernels.arrayOps(), withGradients);
    last.initialize(Init.GLOROT, random);
    list.add(last);
    return new Network(spec, list, spec.classes(), kernels);
  }

  /**
   * A network of hand-made layers (the last one gives the logits). It has no spec, so it cannot be
   * saved; it is for experiments and tests.
   *
   * @throws IllegalArgumentException if a layer is null, given twice, or named as another is, or
   *     if one's input size is not the previous one's output size
   */
  public static Network of(List<Layer> layers, int classes, Kernels kernels) {
    if (layers == null || kernels == null) throw new IllegalArgumentException("layers and kernels must not be null");
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) == null) throw new IllegalArgumentException("layers[" + i + "] must not be null");
    }
    return new Network(null, layers, classes, kernels);
  }

  /**
   * Whether this network only runs forward: built by {@link #createForInference} (or of layers
   * whose parameters have no gradients), it refuses backward and training.
   */
  public boolean inferenceOnly() {
    return inferenceOnly;
  }

  /** The spec this network was built from, or null for {@link #of hand-made} ones. */
  public NetworkSpec spec() {
    return spec;
  }

  public Kernels kernels() {
    return kernels;
  }

  public int inputSize() {
    return layers[0].inputSize();
  }

  public int classes() {
    return output.classes();
  }

  /**
   * Throws an {@link IllegalArgumentException} naming {@code name} if {@code data} cannot go through
   * this network: null, another number of features, or more classes than it predicts.
   */
  public void checkFits(Dataset data, String name) {
    if (data == null) throw new IllegalArgumentException(name + " must not be null");
    if (data.featureCount() != inputSize()) {
      throw new IllegalArgumentException(name + " has " + data.featureCount() + " features, the network takes " + inputSize());
    }
    if (data.classCount() > classes()) {
      throw new IllegalArgumentException(name + " has " + data.classCount() + " classes, the network predicts " + classes());
    }
  }

  public List<Layer> layers() {
    return List.of(layers);
  }

  /** Every trainable tensor, layer by layer. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** Every non-trainable state tensor (batch norm running statistics), layer by layer. */
  public List<StateTensor> state() {
    return state;
  }

  public long parameterCount() {
    long n = 0;
    for (Parameter p : parameters) n += p.size();
    return n;
  }

  /**
   * The most rows a batch may have: its activations at the widest layer (or the inputs) are one
   * float[]. Chunked passes (evaluation) take their chunk no larger, so that a network of millions
   * of inputs (a 4096 x 4096 image: 256 rows would be 2^32 floats, 0 in int) still evaluates.
   */
  public int maxBatchRows() {
    long widest = 1;
    for (Layer l : layers) widest = Math.max(widest, Math.max(l.inputSize(), l.outputSize()));
    return (int) Math.max(1, NetworkSpec.MAX_ARRAY_LENGTH / widest);
  }

  /** Sizes every workspace for batches of up to {@code rows}, so later passes allocate nothing. */
  public void ensureCapacity(int rows) {
    // A batch's activations are one float[] a layer: say so before an index overflows.
    for (Layer l : layers) {
      long floats = (long) rows * Math.max(l.inputSize(), l.outputSize());
      if (floats > NetworkSpec.MAX_ARRAY_LENGTH) {
        throw new IllegalArgumentException("a batch of " + Counts.grouped(rows) + " rows is too large for layer " + l.name() + ": "
            + Counts.grouped(floats) + " values, more than one array holds (" + Counts.grouped(NetworkSpec.MAX_ARRAY_LENGTH) + ")");
      }
    }
    for (Layer l : layers) l.ensureCapacity(rows);
    output.ensureCapacity(rows);
  }

  /**
   * Forward over {@code rows} examples of {@code x} ({@code rows x inputSize()}, row-major); returns
   * the logits ({@code rows x classes()}), a buffer valid until the next forward.
   */
  public float[] forward(float[] x, int rows, Mode mode) {
    lossComputed = false;
    forwardRows = 0;
    float[] a = x;
    for (int i = 0; i < layers.length; i++) {
      a = layers[i].forward(a, rows, mode);
      outputs[i] = a;
    }
    forwardRows = rows;
    forwardMode = mode;
    return a;
  }

  /** The logits of the last forward pass. */
  public float[] logits() {
    return outputs[layers.length - 1];
  }

  /**
   * Mean cross-entropy of the last forward pass's logits against {@code labels}, computing their
   * gradient at the same time for {@link #backward()}. The logits must be finite: check with
   * {@link #countCorrect} first when they might not be.
   */
  public float loss(int[] labels, int rows) {
    requireForward(rows);
    float value = output.lossAndGradient(logits(), labels, rows);
    lossComputed = true;
    return value;
  }

  /**
   * Counts the rows of the last forward pass whose largest logit is at the label, or returns -1 if
   * any logit is NaN or infinite (the network has diverged).
   */
  public int countCorrect(int[] labels, int rows) {
    requireForward(rows);
    requireLabels(labels, rows);
    return countCorrect(logits(), labels, rows, classes());
  }

  /**
   * Counts the rows of {@code logits} ({@code rows x classes}) whose largest entry is at the label,
   * or returns -1 if any entry is NaN or infinite.
   */
  public static int countCorrect(float[] z, int[] labels, int rows, int classes) {
    // Once per call (a training step's), not per row: an index error from the loop named nothing.
    if (rows < 0) throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    if (classes <= 0) throw new IllegalArgumentException("classes must be > 0, got " + classes);
    requireValues("z", z == null ? -1 : z.length, rows, classes);
    requireLabels(labels, rows);
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      int o = r * classes;
      int best = 0;
      float max = z[o];
      if (!Float.isFinite(max)) return -1;
      for (int j = 1; j < classes; j++) {
        float v = z[o + j];
        if (!Float.isFinite(v)) return -1;
        if (v > max) {
          max = v;
          best = j;
        }
      }
      if (best == labels[r]) correct++;
    }
    return correct;
  }

  /**
   * Backward from the gradient {@link #loss} computed; fills every parameter's gradient.
   *
   * @throws IllegalStateException if this network is {@linkplain #inferenceOnly inference-only},
   *     or no loss follows a TRAIN or PROBE forward
   */
  public void backward() {
    if (inferenceOnly) {
      throw new IllegalStateException("backward needs gradients, and this network is inference-only "
          + "(Network.createForInference): build it with Network.create to train it");
    }
    if (!lossComputed) throw new IllegalStateException("backward needs loss(labels, rows) after a TRAIN or PROBE forward");
    int rows = forwardRows;
    float[] g = output.gradient();
    for (int i = layers.length - 1; i >= 0; i--) {
      outputGradients[i] = g;
      g = layers[i].backward(g, rows);
    }
  }

  /** Output of layer {@code i} in the last forward pass. */
  public float[] layerOutput(int i) {
    return outputs[layerIndex(i)];
  }

  /** Gradient of the loss with respect to layer {@code i}'s output in the last backward pass. */
  public float[] layerOutputGradient(int i) {
    return outputGradients[layerIndex(i)];
  }

  private int layerIndex(int i) {
    if (i < 0 || i >= layers.length) throw new IllegalArgumentException("i must be in [0, " + layers.length + "), got " + i);
    return i;
  }

  /** An array of {@code rows x classes} values (length -1 for null), named before a loop runs off its end. */
  private static void requireValues(String name, long length, int rows, int classes) {
    long needed = (long) rows * classes;
    if (length < needed) {
      throw new IllegalArgumentException(
          name + " needs " + needed + " values (" + rows + " x " + classes + "), got " + (length < 0 ? "null" : length));
    }
  }

  /** Rows of the last forward pass (0 before any). */
  public int lastRows() {
    return forwardRows;
  }

  /** Class probabilities ({@code rows x classes()}) for {@code rows} examples, in inference mode. */
  public void probabilities(float[] x, int rows, float[] out) {
    // Before the kernel, whose message would name its own argument ("y").
    if (out == null || out.length < (long) rows * classes()) {
      throw new IllegalArgumentException("out needs " + (long) rows * classes() + " elements (" + rows + " x " + classes() + "), got "
          + (out == null ? "null" : out.length));
    }
    float[] z = forward(x, rows, Mode.INFERENCE);
    requireFiniteLogits(x, z, rows);
    output.probabilities(z, rows, out);
  }

  /** The most probable class of each of {@code rows} examples, in inference mode. */
  public void predict(float[] x, int rows, int[] out) {
    if (out == null || out.length < rows) {
      throw new IllegalArgumentException("out needs " + rows + " elements (one per row), got " + (out == null ? "null" : out.length));
    }
    float[] z = forward(x, rows, Mode.INFERENCE);
    requireFiniteLogits(x, z, rows);
    int classes = classes();
    for (int r = 0; r < rows; r++) out[r] = argmax(z, r * classes, classes);
  }

  /** The most probable class of one example, in inference mode. */
  public int predict(float[] x) {
    // One example: a longer array is a feature count that does not match, not a spare buffer.
    if (x != null && x.length != inputSize()) {
      throw new IllegalArgumentException("x has " + x.length + " features, the network takes " + inputSize());
    }
    float[] z = forward(x, 1, Mode.INFERENCE);
    requireFiniteLogits(x, z, 1);
    return argmax(z, 0, classes());
  }

  /**
   * Throws an {@link IllegalArgumentException} if a logit of the {@code rows} rows of {@code z} is
   * not finite: the arg max of NaNs is class 0, a silent wrong answer (and the softmax kernel's
   * message names its own arguments). Names the row's first feature that is not finite, if one is,
   * else its largest; only the error path looks at {@code x}.
   */
  private void requireFiniteLogits(float[] x, float[] z, int rows) {
    int classes = classes();
    int n = rows * classes;
    for (int i = 0; i < n; i++) {
      if (Float.isFinite(z[i])) continue;
      int r = i / classes;
      int f = inputSize();
      float largest = 0;
      for (int j = 0; j < f; j++) {
        float v = x[r * f + j];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("x[" + (r * f + j) + "] (row " + r + ", feature " + j + ") is " + v + ": the network takes finite values");
        }
        if (Math.abs(v) > Math.abs(largest)) largest = v;
      }
      throw new IllegalArgumentException("row " + r + " gives logits that are not finite (class " + i % classes + " is " + z[i]
          + "): its features are too large for the network (the largest in magnitude is " + largest
          + "), or its weights are not finite");
    }
  }

  static int argmax(float[] z, int offset, int n) {
    int best = 0;
    float max = z[offset];
    for (int j = 1; j < n; j++) {
      if (z[offset + j] > max) {
        max = z[offset + j];
        best = j;
      }
    }
    return best;
  }

  /** Labels for {@code rows} rows, checked before a loop would run off their end. */
  public static void requireLabels(int[] labels, int rows) {
    if (labels == null || labels.length < rows) {
      throw new IllegalArgumentException(
          "labels needs " + rows + " elements (one per row), got " + (labels == null ? "null" : labels.length));
    }
  }

  /** {@link #requireLabels(int[], int)}, and each of the first {@code rows} a class in {@code [0, classes)}. */
  public static void requireLabels(int[] labels, int rows, int classes) {
    requireLabels(labels, rows);
    for (int r = 0; r < rows; r++) {
      if (labels[r] < 0 || labels[r] >= classes) {
        throw new IllegalArgumentException("labels[" + r + "] must be in [0, " + classes + "), got " + labels[r]);
      }
    }
  }

  private void requireForward(int rows) {
    if (forwardRows == 0) throw new IllegalStateException("no forward pass yet");
    if (rows != forwardRows) throw new IllegalArgumentException("rows " + rows + " != rows of the last forward " + forwardRows);
  }

  /** Double-precision reference loss: used by the gradient check. Mean cross-entropy of logits. */
  public double referenceLoss(double[] logits, int[] labels, int rows) {
    // A label past the classes read a logit of the next row: a wrong loss, no error.
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    requireValues("logits", logits == null ? -1 : logits.length, rows, classes());
    requireLabels(labels, rows, classes());
    return SoftmaxCrossEntropy.referenceLoss(logits, labels, rows, classes());
  }

  /** Layer by layer, one per line. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    if (spec != null) b.append(spec).append('\n');
    for (Layer l : layers) b.append("  ").append(l).append('\n');
    b.append("  softmax cross-entropy, ").append(parameterCount()).append(" parameters");
    return b.toString();
  }

  @Override
  public String toString() {
    return spec != null ? "Network[" + spec + "]" : "Network[" + layers.length + " layers]";
  }
}
