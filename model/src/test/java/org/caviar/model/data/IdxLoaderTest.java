package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MNIST IDX loader on small files written here in the format's layout. */
class IdxLoaderTest {
  @TempDir Path dir;

  /** An IDX file: two zero bytes, the type, the dimension count, the dimensions, then the values. */
  private static byte[] idx(int type, int[] dims, double[] values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt((type << 8) | dims.length);
    for (int d : dims) out.writeInt(d);
    for (double v : values) {
      switch (type) {
        case 0x08, 0x09 -> out.writeByte((int) v);
        case 0x0B -> out.writeShort((int) v);
        case 0x0C -> out.writeInt((int) v);
        case 0x0D -> out.writeFloat((float) v);
        default -> out.writeDouble(v);
      }
    }
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static double[] range(int n, int scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = (i * scale) % 256;
    return v;
  }

  @Test
  void readsUnsignedByteImagesAndLabels() throws IOException {
    // 5 images of 3 x 4 pixels; values up to 255 check that bytes are read unsigned.
    Path images = write("images-idx3-ubyte", idx(0x08, new int[] {5, 3, 4}, range(60, 37)));
    Path labels = write("labels-idx1-ubyte", idx(0x08, new int[] {5}, new double[] {3, 0, 9, 1, 3}));
    Dataset d = IdxLoader.load(images, labels);
    assertEquals(5, d.rows());
    assertEquals(12, d.featureCount());
    assertEquals(10, d.classCount());
    assertArrayEquals(new int[] {3, 0, 9, 1, 3}, d.labels());
    double[] expected = range(60, 37);
    for (int i = 0; i < 60; i++) assertEquals((float) expected[i], d.features()[i]);
    assertEquals(148f, d.feature(0, 4), "unsigned: 4 * 37 = 148 > 127");
  }

  @Test
  void readsOtherTypesAndGzip() throws IOException {
    double[] pixels = {0.5, -1.25, 3, 4, 5.5, 6};
    Path images = dir.resolve("images.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(images))) {
      out.write(idx(0x0D, new int[] {3, 2}, pixels));
    }
    Path labels = write("labels", idx(0x0C, new int[] {3}, new double[] {1, 0, 1}));
    Dataset d = IdxLoader.load(images, labels);
    assertArrayEquals(new float[] {0.5f, -1.25f, 3, 4, 5.5f, 6}, d.features());
    assertEquals(2, d.classCount());
  }

  /** The loader closes the gzip streams it makes but not the caller's streams: whoever opened them closes them. */
  @Test
  void theCallersStreamsStayOpen() throws IOException {
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      out.write(idx(0x0D, new int[] {2, 2}, new double[] {1, 2, 3, 4}));
    }
    boolean[] closed = {false, false};
    java.io.InputStream images = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(gz.toByteArray())) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    java.io.InputStream labels = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(idx(0x08, new int[] {2}, new double[] {0, 1}))) {
      @Override
      public void close() {
        closed[1] = true;
      }
    };
    assertEquals(2, IdxLoader.load(images, "images", labels, "labels").rows());
    assertArrayEquals(new boolean[] {false, false}, closed, "the loader closed a caller's stream (images, labels)");
  }

  @Test
  void malformedFilesAreClearErrors() throws IOException {
    Path labels = write("labels", idx(0x08, new int[] {2}, new double[] {0, 1}));
    assertProblem(write("bad-magic", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), labels, "not an IDX file");
    assertProblem(write("bad-type", idx(0x07, new int[] {2, 2}, new double[0])), labels, "unknown IDX type 0x7");
    assertProblem(write("one-dim", idx(0x08, new int[] {2}, new double[] {1, 2})), labels,
        "an images file has at least 2 dimensions, this one has 1: is it the labels file, given as the images?");
    // The two files given the other way round: the labels are read first, and said to be images.
    Path images = write("images", idx(0x08, new int[] {2, 2}, range(4, 1)));
    var swapped = assertThrows(MalformedDataException.class, () -> IdxLoader.load(labels, images));
    assertTrue(swapped.getMessage().endsWith("a labels file has 1 dimension, this one has 2: is it the images file, given as the labels?"),
        swapped.getMessage());
    assertProblem(write("count", idx(0x08, new int[] {3, 2}, range(6, 1))), labels, "2 labels for 3 images");
    byte[] full = idx(0x08, new int[] {2, 2}, range(4, 1));
    assertProblem(write("truncated", java.util.Arrays.copyOf(full, full.length - 1)), labels, "truncated: the header promises 4 values, the data ends at value 3");
    assertProblem(write("trailing", java.util.Arrays.copyOf(full, full.length + 1)), labels, "unexpected bytes after the last value");
    Path floatLabels = write("float-labels", idx(0x0D, new int[] {2}, new double[] {0, 1}));
    var e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(write("ok", full), floatLabels));
    assertTrue(e.getMessage().contains("labels must have an integer type"), e.getMessage());
    // Values the network cannot take, and labels that cannot be class numbers, name their file.
    assertProblem(write("nan", idx(0x0D, new int[] {2, 2}, new double[] {0, 1, Double.NaN, 3})), labels,
        "value 2 (image 1, pixel 0) is NaN: features must be finite");
    // A float64 past a float's range is named as the file holds it, not as the Infinity it rounds to.
    assertProblem(write("huge", idx(0x0E, new int[] {2, 2}, new double[] {0, 1e300, 2, 3})), labels,
        "value 1 (image 0, pixel 1) is 1.0E300, more than a float holds (3.4028235E38): features must be finite floats");
    assertProblem(write("inf", idx(0x0E, new int[] {2, 2}, new double[] {0, 1, Double.NEGATIVE_INFINITY, 3})), labels,
        "value 2 (image 1, pixel 0) is -Infinity: features must be finite");
    Path huge = write("huge-label", idx(0x0C, new int[] {2}, new double[] {0, Integer.MAX_VALUE}));
    e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(write("ok2", full), huge));
    assertTrue(e.getMessage().contains("huge-label") && e.getMessage().contains("label 1 is 2147483647"), e.getMessage());
    // A gzip file damaged after its header: the JDK's ZipException, with the file named.
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(full);
    }
    byte[] damaged = gz.toByteArray();
    for (int i = 10; i < damaged.length - 8; i++) damaged[i] ^= (byte) 0x5a;
    Path damagedFile = write("damaged.gz", damaged);
    e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(damagedFile, labels));
    assertTrue(e.getMessage().contains("damaged.gz") && e.getMessage().contains("damaged gzip data"), e.getMessage());
    // Cut short: inside the gzip header, and before the trailer (the JDK's EOFException, no file named).
    for (int keep : new int[] {4, gz.size() - 8}) {
      Path cut = write("cut" + keep + ".gz", java.util.Arrays.copyOf(gz.toByteArray(), keep));
      e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(cut, labels));
      assertTrue(e.getMessage().contains("cut" + keep + ".gz") && e.getMessage().contains("truncated or damaged gzip data"), e.getMessage());
    }
  }

  /**
   * An IDX file written little-endian (a numpy array's own byte order, written without '>i4') was
   * "not an IDX file: magic 0x03080000", though the bytes are IDX's own, reversed.
   */
  @Test
  void aLittleEndianFileIsNamedSo() throws IOException {
    Path labels = write("labels", idx(0x08, new int[] {2}, new double[] {0, 1}));
    byte[] big = idx(0x08, new int[] {2, 2}, range(4, 1));
    java.nio.ByteBuffer little = java.nio.ByteBuffer.wrap(big.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) little.putInt(4 * i, java.nio.ByteBuffer.wrap(big).getInt(4 * i)); // the magic and 2 dimensions
    assertProblem(write("little", little.array()), labels,
        "little: not an IDX file: magic 0x02080000 (its bytes reversed, 0x00000802, are an IDX magic: IDX is big-endian, this file little-endian)");
    // Other bytes: no such guess.
    var e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(write("csv", "0,0,5,13\n".getBytes()), labels));
    assertTrue(e.getMessage().endsWith("not an IDX file: magic 0x302C302C"), e.getMessage());
  }

  /**
   * A damaged or foreign header promising billions of values over a few bytes of data is a
   * truncated file, not an OutOfMemoryError from an array sized by the header's word (2^31 - 9
   * floats, 8 GiB: more than a test JVM's heap).
   */
  @Test
  void aHeaderPromisingMoreThanTheFileHoldsIsTruncationNotOutOfMemory() throws IOException {
    int promised = Integer.MAX_VALUE - 8;
    Path images = write("promises", idx(0x08, new int[] {1, promised}, range(4, 1)));
    Path labels = write("one-label", idx(0x08, new int[] {1}, new double[] {0}));
    assertProblem(images, labels, "truncated: the header promises " + promised + " values, the data ends at value 4");
  }

  /** Dimensions whose product wraps around a long (2^16 x 4 = 2^64 = 0) are named, not "1 x 0 values". */
  @Test
  void dimensionsWhoseProductOverflowsAreNamed() throws IOException {
    Path images = write("huge", idx(0x08, new int[] {1, 65536, 65536, 65536, 65536}, range(4, 1)));
    Path labels = write("one-label", idx(0x08, new int[] {1}, new double[] {0}));
    assertProblem(images, labels, "an image of [65536, 65536, 65536, 65536] values is more than an array holds");
  }

  /**
   * A header that declares more values than one array holds (100,000,000 MNIST images: 78.4
   * billion floats, about 8 times the limit) is refused from the header, sizes named, before
   * anything is allocated: the files hold no data.
   */
  @Test
  void aHeaderDeclaringMoreThanAnArrayHoldsIsRefusedFromTheHeader() throws IOException {
    Path images = write("images", idx(0x08, new int[] {100_000_000, 28, 28}, new double[0]));
    Path labels = write("labels", idx(0x08, new int[] {100_000_000}, new double[0]));
    assertProblem(images, labels, images + ": 100000000 images of 28 x 28 = 78400000000 floats, more than a Java array holds (2147483639)");
    // Just past the limit: 2,739,137 images of 28 x 28 (2,147,483,408 fit, one image more does not).
    images = write("images-limit", idx(0x08, new int[] {2_739_138, 28, 28}, new double[0]));
    labels = write("labels-limit", idx(0x08, new int[] {2_739_138}, new double[0]));
    assertProblem(images, labels, "2739138 images of 28 x 28 = 2147484192 floats, more than a Java array holds (2147483639)");
  }

  private void assertProblem(Path images, Path labels, String problem) {
    var e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(images, labels));
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }
}
