package org.caviar.model.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Loads MNIST-style IDX files (LeCun's format): a big-endian header of two zero bytes, a type byte
 * and a dimension count, then each dimension as a 32-bit integer, then the values in row-major
 * order. The images file has at least two dimensions (examples x ...), each example flattened into
 * one row of features; the labels file has one dimension and an integer type. Gzip input is
 * recognized by its first bytes.
 *
 * <p>Types: 0x08 unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double.
 * Pixel values are kept as they are (0..255 for MNIST); standardize afterwards. A bad magic, an
 * unknown type, mismatched counts, a truncated file or bytes after the data are a
 * {@link MalformedDataException}.
 */
public final class IdxLoader {
  private IdxLoader() {}

  /**
   * The most classes a labels file may number (labels 0 to this - 1): a damaged or foreign file
   * with a label in the billions would otherwise make a class name for every number below it.
   */
  static final int MAX_CLASSES = 1 << 16;

  /** Images and labels files into one dataset; classes are {@code 0..max(label)}. */
  public static Dataset load(Path images, Path labels) throws IOException {
    // Named: a NullPointerException from java.nio otherwise.
    if (images == null) throw new IllegalArgumentException("images must not be null");
    if (labels == null) throw new IllegalArgumentException("labels must not be null");
    try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
      return load(i, images.toString(), l, labels.toString());
    }
  }

  public static Dataset load(InputStream images, String imagesSource, InputStream labels, String labelsSource)
      throws IOException {
    if (images == null) throw new IllegalArgumentException("images must not be null");
    if (labels == null) throw new IllegalArgumentException("labels must not be null");
    // Closed here, they free gzip's native memory at once; the caller's streams stay open.
    try (InputStream labelData = Inputs.maybeGunzip(labels, labelsSource)) {
      DataInputStream li = new DataInputStream(labelData);
      Header lh = readLabelsHeader(li, labelsSource);
      try (InputStream imageData = Inputs.maybeGunzip(images, imagesSource)) {
        return load(new DataInputStream(imageData), imagesSource, li, lh, labelsSource);
      }
    }
  }

  private static Header readLabelsHeader(DataInputStream li, String labelsSource) throws IOException {
    Header lh = Header.read(li, labelsSource);
    if (lh.dims.length != 1) {
      throw new MalformedDataException(labelsSource, "a labels file has 1 dimension, this one has " + lh.dims.length
          + (lh.dims.length >= 2 ? ": is it the images file, given as the labels?" : ""));
    }
    if (lh.type > 0x0C) {
      throw new MalformedDataException(labelsSource, "labels must have an integer type, found type 0x" + Integer.toHexString(lh.type));
    }
    return lh;
  }

  private static Dataset load(DataInputStream ii, String imagesSource, DataInputStream li, Header lh, String labelsSource)
      throws IOException {
    Header ih = Header.read(ii, imagesSource);
    if (ih.dims.length < 2) {
      throw new MalformedDataException(imagesSource, "an images file has at least 2 dimensions, this one has " + ih.dims.length
          + (ih.dims.length == 1 ? ": is it the labels file, given as the images?" : ""));
    }
    int n = ih.dims[0];
    if (lh.dims[0] != n) {
      throw new MalformedDataException(
          labelsSource, lh.dims[0] + " labels for " + n + " images in " + imagesSource);
    }
    long perRow = 1;
    for (int d = 1; d < ih.dims.length; d++) {
      perRow *= ih.dims[d];
      // Up to 255 dimensions of up to 2^31 each: stop before the product wraps around (to 0, say).
      if (perRow > Integer.MAX_VALUE) {
        throw new MalformedDataException(imagesSource, "an image of " + Arrays.toString(
            Arrays.copyOfRange(ih.dims, 1, ih.dims.length)) + " values is more than an array holds");
      }
    }
    if (perRow == 0) throw new MalformedDataException(imagesSource, "cannot hold " + n + " x " + perRow + " values");
    // Refused from the header, before any allocation: both factors fit in an int, their product in a long.
    if (perRow * n > Dataset.MAX_VALUES) {
      String shape = Arrays.stream(ih.dims, 1, ih.dims.length).mapToObj(Integer::toString).collect(Collectors.joining(" x "));
      throw new MalformedDataException(imagesSource, n + " images of " + shape + " = " + perRow * n
          + " floats, more than a Java array holds (" + Dataset.MAX_VALUES + ")");
    }
    int total = (int) (perRow * n);
    // Past 2^24 values (64 MB) grown as values arrive, not sized by the header alone: a damaged or
    // foreign header promising billions of values over a few bytes would be an OutOfMemoryError, not
    // "truncated". The price: MNIST's 47M training values peak at 1.7x their size in the last copy.
    float[] features = new float[Math.min(total, 1 << 24)];
    for (int i = 0; i < total; i++) {
      if (i == features.length) features = Arrays.copyOf(features, (int) Math.min(total, 2L * i));
      double value = readValue(ii, ih.type, imagesSource, i, total);
      features[i] = (float) value;
      if (!Float.isFinite(features[i])) {
        // A float64 past a float's range rounds to Infinity: named as the file holds it.
        String what = Double.isFinite(value) ? value + ", more than a float holds (" + Float.MAX_VALUE + "): features must be finite floats"
            : value + ": features must be finite";
        throw new MalformedDataException(imagesSource, "value " + i + " (image " + i / perRow + ", pixel " + i % perRow + ") is " + what);
      }
    }
    requireEnd(ii, imagesSource);
    int[] labelValues = new int[n];
    int max = -1;
    for (int i = 0; i < n; i++) {
      double v = readValue(li, lh.type, labelsSource, i, n);
      if (v < 0) throw new MalformedDataException(labelsSource, "label " + i + " is negative: " + (long) v);
      if (v >= MAX_CLASSES) {
        throw new MalformedDataException(labelsSource, "label " + i + " is " + (long) v + ": labels number classes from 0, at most " + MAX_CLASSES);
      }
      labelValues[i] = (int) v;
      max = Math.max(max, labelValues[i]);
    }
    requireEnd(li, labelsSource);
    if (n == 0) throw new MalformedDataException(imagesSource, "no examples");
    return Dataset.of(features, labelValues, (int) perRow, max + 1);
  }

  private record Header(int type, int[] dims) {
    static Header read(DataInputStream in, String source) throws IOException {
      int magic;
      try {
        magic = in.readInt();
      } catch (EOFException e) {
        throw new MalformedDataException(source, "too short for an IDX header");
      }
      int type = (magic >>> 8) & 0xFF;
      int ndims = magic & 0xFF;
      if ((magic >>> 16) != 0 || ndims == 0) {
        // Written in the machine's byte order (numpy's '<i4'): IDX's magic, reversed.
        int reversed = Integer.reverseBytes(magic);
        String littleEndian = (reversed >>> 16) == 0 && (reversed & 0xFF) != 0 && isType((reversed >>> 8) & 0xFF)
            ? String.format(" (its bytes reversed, 0x%08X, are an IDX magic: IDX is big-endian, this file little-endian)", reversed)
            : "";
        throw new MalformedDataException(source, String.format("not an IDX file: magic 0x%08X", magic) + littleEndian);
      }
      if (!isType(type)) {
        throw new MalformedDataException(source, "unknown IDX type 0x" + Integer.toHexString(type));
      }
      int[] dims = new int[ndims];
      for (int d = 0; d < ndims; d++) {
        try {
          dims[d] = in.readInt();
        } catch (EOFException e) {
          throw new MalformedDataException(source, "truncated header: dimension " + d + " of " + ndims + " missing");
        }
        if (dims[d] < 0) throw new MalformedDataException(source, "dimension " + d + " is negative: " + dims[d]);
      }
      return new Header(type, dims);
    }
  }

  /** Whether {@code type} is one of IDX's element types. */
  private static boolean isType(int type) {
    return type == 0x08 || type == 0x09 || type == 0x0B || type == 0x0C || type == 0x0D || type == 0x0E;
  }

  private static double readValue(DataInputStream in, int type, String source, int index, int total) throws IOException {
    try {
      return switch (type) {
        case 0x08 -> in.readUnsignedByte();
        case 0x09 -> in.readByte();
        case 0x0B -> in.readShort();
        case 0x0C -> in.readInt();
        case 0x0D -> in.readFloat();
        default -> in.readDouble();
      };
    } catch (EOFException e) {
      throw new MalformedDataException(source, "truncated: the header promises " + total + " values, the data ends at value " + index);
    }
  }

  private static void requireEnd(InputStream in, String source) throws IOException {
    if (in.read() >= 0) throw new MalformedDataException(source, "unexpected bytes after the last value");
  }
}
