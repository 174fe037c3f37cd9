package org.caviar.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.caviar.model.data.ClassNames;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Standardizer;
import org.caviar.model.io.ModelFile;
import org.caviar.model.io.Provenance;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Evaluator;

/**
 * A trained classifier ready for use: the network, the standardization fitted on its training data
 * (applied to every raw example before the network sees it) and the class names. Predictions run
 * in inference mode, so one example can be classified alone. It may also carry its {@link Provenance}:
 * the data and split it was trained on, which the model file keeps.
 *
 * <p>Not thread-safe: it and its {@link Network} reuse buffers between calls, so two threads
 * predicting at once get wrong classes without an error, and so do two Models built over one
 * Network. Give each thread a Model of its own network: {@link #load} the file once per thread, or
 * copy one through memory ({@link ModelFile#write} to a byte array, {@link ModelFile#read} from it).
 */
public final class Model {
  private final Network network;
  private final Standardizer standardizer;
  private final List<String> classNames;
  private final Provenance provenance;
  private float[] buffer = new float[0];
  private final float[] probabilities;
  private final int[] predicted = new int[1];

  /**
   * @param standardizer applied to raw features first; null if the network takes raw features
   * @param classNames one per network output, each once
   */
  public Model(Network network, Standardizer standardizer, List<String> classNames) {
    this(network, standardizer, classNames, null);
  }

  /**
   * @param standardizer applied to raw features first; null if the network takes raw features
   * @param classNames one per network output, each once
   * @param provenance the data and split the network was trained on; null when unknown
   */
  public Model(Network network, Standardizer standardizer, List<String> classNames, Provenance provenance) {
    if (network == null || classNames == null) throw new IllegalArgumentException("network and classNames must not be null");
    // List.copyOf below would throw a bare NullPointerException; evaluate matches classes by name.
    ClassNames.requireDistinct(classNames, "classNames");
    if (classNames.size() != network.classes()) {
      throw new IllegalArgumentException(classNames.size() + " class names for a network of " + network.classes() + " classes");
    }
    if (standardizer != null && standardizer.featureCount() != network.inputSize()) {
      throw new IllegalArgumentException(
          "standardizer has " + standardizer.featureCount() + " features, network takes " + network.inputSize());
    }
    if (provenance != null && provenance.features() != network.inputSize()) {
      throw new IllegalArgumentException("provenance has data of " + provenance.features() + " features, network takes " + network.inputSize());
    }
    this.network = network;
    this.standardizer = standardizer;
    this.classNames = List.copyOf(classNames);
    this.provenance = provenance;
    this.probabilities = new float[network.classes()];
  }

  public Network network() {
    return network;
  }

  /** The standardizer, or null. */
  public Standardizer standardizer() {
    return standardizer;
  }

  public List<String> classNames() {
    return classNames;
  }

  /** The data and split the model was trained on, or null when unknown (a model built without them, a version 1 file). */
  public Provenance provenance() {
    return provenance;
  }

  /** The class index of one raw example. */
  public int predict(float[] features) {
    network.predict(prepare(one(features), 1), 1, predicted);
    return predicted[0];
  }

  /** The class name of one raw example. */
  public String predictName(float[] features) {
    return classNames.get(predict(features));
  }

  /** Class probabilities of one raw example into {@code out} (length >= classes). */
  public void probabilities(float[] features, float[] out) {
    network.probabilities(prepare(one(features), 1), 1, out);
  }

  /** Class probabilities of one raw example, in a new array. */
  public float[] probabilities(float[] features) {
    probabilities(features, probabilities);
    return probabilities.clone();
  }

  /** Class indices of {@code rows} raw examples. */
  public void predict(float[] features, int rows, int[] out) {
    network.predict(prepare(features, rows), rows, out);
  }

  /**
   * Loss, accuracy and confusion matrix on a dataset of raw (unstandardized) examples, its labels
   * matched to the model's classes by name (see {@link Dataset#inClasses}). On the same rows the loss
   * is the one {@link org.caviar.model.train.Trainer#evaluate} gave, to the bit (one chunking:
   * {@link Evaluator#CHUNK_ROWS}).
   *
   * @throws IllegalArgumentException if the data has a class the model does not know
   */
  public Evaluation evaluate(Dataset raw) {
    if (raw == null) throw new IllegalArgumentException("data must not be null");
    Dataset named = raw.inClasses(classNames, "the data", "the model");
    Dataset data = standardizer != null ? standardizer.apply(named) : named;
    // The trainer's chunks (Evaluator.CHUNK_ROWS): the loss its training printed, to the bit.
    return new Evaluator(network).evaluate(data);
  }

  /** Writes the model in the {@link ModelFile} format. */
  public void save(Path path) throws IOException {
    if (path == null) throw new IllegalArgumentException("path must not be null");
    ModelFile.save(this, path);
  }

  /**
   * Reads a model written by {@link #save}, on the default kernels. Its network is
   * {@linkplain Network#createForInference inference-only}: it predicts and evaluates, and has no
   * gradient arrays to train with.
   */
  public static Model load(Path path) throws IOException {
    return ModelFile.load(path);
  }

  /** One example's features: a longer array is a feature count that does not match, not a spare buffer. */
  private float[] one(float[] features) {
    if (features != null && features.length != network.inputSize()) {
      throw new IllegalArgumentException("features has " + features.length + " values, the model takes " + network.inputSize());
    }
    return features;
  }

  private float[] prepare(float[] features, int rows) {
    // Before n: a negative row count made n negative, and the first layer named its own rows.
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    // In long: a row count past what one array holds overflowed int, passed the length check as a
    // negative count, and failed in the standardizer with an index out of bounds.
    long needed = (long) rows * network.inputSize();
    if (features == null || features.length < needed) {
      throw new IllegalArgumentException(
          "features needs " + needed + " values (" + rows + " x " + network.inputSize() + "), got "
              + (features == null ? "null" : features.length));
    }
    int n = (int) needed;
    // A NaN or infinite feature (a missing value, say) gives NaN logits, and the arg max of NaNs is
    // class 0: a silent wrong answer.
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(features[i])) {
        throw new IllegalArgumentException("features[" + i + "] (row " + i / network.inputSize() + ", feature "
            + i % network.inputSize() + ") is " + features[i] + ": the model takes finite values");
      }
    }
    if (standardizer == null) return features;
    if (buffer.length < n) buffer = new float[n];
    standardizer.transformFinite("features", features, buffer, rows);
    return buffer;
  }
}
