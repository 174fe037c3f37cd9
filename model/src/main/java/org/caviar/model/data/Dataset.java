package org.caviar.model.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Examples for classification: a row-major {@code rows x featureCount} matrix of float features
 * and one int label per row in {@code [0, classCount)}, with a name per class.
 *
 * <p>The arrays are shared, not copied (data sets can be large): do not modify them after
 * handing them over. Operations that change data return a new dataset.
 */
public final class Dataset {
  /**
   * The most values the features' one array may hold: a Java array's limit (HotSpot refuses the
   * last few below 2^31 - 1), as for any of the network's arrays ({@code NetworkSpec.MAX_ARRAY_LENGTH}).
   */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private final float[] features;
  private final int[] labels;
  private final int rows;
  private final int featureCount;
  private final List<String> classNames;

  /**
   * @param features {@code labels.length * featureCount} values, row-major
   * @param labels one per row, each in {@code [0, classNames.size())}
   * @param classNames the name of each class, each once and not null; its size is the class count
   */
  public Dataset(float[] features, int[] labels, int featureCount, List<String> classNames) {
    if (features == null || labels == null || classNames == null) {
      throw new IllegalArgumentException("features, labels and classNames must not be null");
    }
    if (featureCount <= 0) throw new IllegalArgumentException("featureCount must be > 0, got " + featureCount);
    if (classNames.size() < 1) throw new IllegalArgumentException("a dataset needs at least one class name");
    ClassNames.requireDistinct(classNames, "classNames");
    if ((long) labels.length * featureCount != features.length) {
      throw new IllegalArgumentException(
          "features has " + features.length + " values, " + labels.length + " rows x " + featureCount
              + " features need " + (long) labels.length * featureCount);
    }
    for (int r = 0; r < labels.length; r++) {
      if (labels[r] < 0 || labels[r] >= classNames.size()) {
        throw new IllegalArgumentException(
            "labels[" + r + "] must be in [0, " + classNames.size() + "), got " + labels[r]);
      }
    }
    // A NaN or infinite feature would surface later as a diverged training ("try a smaller lr").
    for (int i = 0; i < features.length; i++) {
      if (!Float.isFinite(features[i])) {
        throw new IllegalArgumentException("features must be finite: row " + i / featureCount + ", feature " + i % featureCount
            + " is " + features[i]);
      }
    }
    this.features = features;
    this.labels = labels;
    this.rows = labels.length;
    this.featureCount = featureCount;
    this.classNames = List.copyOf(classNames);
  }

  /** A dataset whose classes are named {@code "0"} to {@code classCount - 1}. */
  public static Dataset of(float[] features, int[] labels, int featureCount, int classCount) {
    return new Dataset(features, labels, featureCount, numberedClasses(classCount));
  }

  /** {@code "0", "1", ..., "n-1"}. */
  public static List<String> numberedClasses(int n) {
    if (n <= 0) throw new IllegalArgumentException("class count must be > 0, got " + n);
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) names.add(Integer.toString(i));
    return names;
  }

  public int rows() {
    return rows;
  }

  public int featureCount() {
    return featureCount;
  }

  public int classCount() {
    return classNames.size();
  }

  public List<String> classNames() {
    return classNames;
  }

  /** The shared feature matrix (do not modify). */
  public float[] features() {
    return features;
  }

  /** The shared labels (do not modify). */
  public int[] labels() {
    return labels;
  }

  public int label(int row) {
    checkRow(row);
    return labels[row];
  }

  private void checkRow(int row) {
    if (row < 0 || row >= rows) throw new IllegalArgumentException("row " + row + " outside " + rows + " rows");
  }

  public float feature(int row, int col) {
    // A column past the row would read the next row's feature, silently.
    if (row < 0 || row >= rows || col < 0 || col >= featureCount) {
      throw new IllegalArgumentException("feature (" + row + ", " + col + ") outside " + rows + " rows x " + featureCount + " features");
    }
    return features[row * featureCount + col];
  }

  /** A copy of one row's features. */
  public float[] row(int row) {
    checkRow(row);
    float[] out = new float[featureCount];
    System.arraycopy(features, row * featureCount, out, 0, featureCount);
    return out;
  }

  /** The rows at {@code indices}, in that order, copied into a new dataset with the same classes. */
  public Dataset subset(int[] indices) {
    if (indices == null) throw new IllegalArgumentException("indices must not be null");
    // Rows may repeat: more of them than this dataset has could wrap an int (to a small or negative size).
    if ((long) indices.length * featureCount > MAX_VALUES) {
      throw new IllegalArgumentException(indices.length + " rows of " + featureCount + " features = " + (long) indices.length * featureCount
          + " floats, more than a Java array holds (" + MAX_VALUES + ")");
    }
    float[] f = new float[indices.length * featureCount];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int r = indices[i];
      if (r < 0 || r >= rows) throw new IllegalArgumentException("index " + r + " out of [0, " + rows + ")");
      System.arraycopy(features, r * featureCount, f, i * featureCount, featureCount);
      l[i] = labels[r];
    }
    return new Dataset(f, l, featureCount, classNames);
  }

  /** The first {@code n} rows. */
  public Dataset head(int n) {
    if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
    int[] idx = new int[Math.min(n, rows)];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    return subset(idx);
  }

  /**
   * These rows with their labels renumbered into {@code classes} by name. Loaders number a file's
   * own classes, so a file that lacks one of the classes a model was trained on numbers the others
   * differently (a test file without "0" would have "1" as class 0): compared by number, every
   * label would be off. Rows whose classes are unnamed, numbered "0" to "k-1" as {@link #of} names
   * them, keep their numbers when none of {@code classes} is a number. Returns this dataset when
   * the names are already {@code classes}.
   *
   * @param name what these rows are, for the message
   * @param owner whose classes {@code classes} are, for the message ("the model")
   * @throws IllegalArgumentException naming {@code name} and the class, if one of these rows'
   *     classes is not in {@code classes}
   */
  public Dataset inClasses(List<String> classes, String name, String owner) {
    if (classes == null) throw new IllegalArgumentException("classes must not be null");
    // A null among them was a NullPointerException from the number parsing below.
    for (int i = 0; i < classes.size(); i++) {
      if (classes.get(i) == null) throw new IllegalArgumentException("classes[" + i + "] must not be null");
    }
    if (classNames.equals(classes)) return this;
    // Unnamed rows (classes "0" to "k-1") against classes with names that are not numbers: the
    // numbers can only be indices. Against numbered classes they are names ("0" is not "1").
    if (classNames.equals(numberedClasses(classNames.size())) && classes.stream().noneMatch(ClassNames::isInteger)) {
      if (classNames.size() > classes.size()) {
        throw new IllegalArgumentException(name + " has " + classNames.size() + " classes, " + owner + " knows " + classes.size());
      }
      return new Dataset(features, labels, featureCount, classes);
    }
    int[] index = new int[classNames.size()];
    for (int c = 0; c < index.length; c++) {
      index[c] = classes.indexOf(classNames.get(c));
      if (index[c] < 0) index[c] = sameNumber(classes, classNames.get(c));
      if (index[c] < 0) {
        throw new IllegalArgumentException(name + " has class '" + classNames.get(c) + "', which " + owner + " does not know " + classes);
      }
    }
    int[] renumbered = new int[rows];
    for (int r = 0; r < rows; r++) renumbered[r] = index[labels[r]];
    return new Dataset(features, renumbered, featureCount, classes);
  }

  /**
   * The class of {@code classes} that is the number {@code name} written another way ("1.0" or "+1"
   * for "1": a label column written as floats, as a data frame often saves it), or -1. The loader
   * takes such labels for one class; no two of a loaded file's classes are one number.
   */
  private static int sameNumber(List<String> classes, String name) {
    java.math.BigDecimal value = CsvLoader.decimal(name); // the loader's own test of one number written two ways
    if (value == null) return -1;
    for (int i = 0; i < classes.size(); i++) {
      if (value.equals(CsvLoader.decimal(classes.get(i)))) return i;
    }
    return -1;
  }

  /** The same labels and classes with other features of the same shape. */
  public Dataset withFeatures(float[] newFeatures) {
    return new Dataset(newFeatures, labels, featureCount, classNames);
  }

  /** Examples per class. */
  public int[] classCounts() {
    int[] counts = new int[classCount()];
    for (int l : labels) counts[l]++;
    return counts;
  }

  @Override
  public String toString() {
    return "Dataset[" + rows + " rows x " + featureCount + " features, " + classCount() + " classes]";
  }
}
