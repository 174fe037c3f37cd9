package org.caviar.model.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.caviar.model.Kernels;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.ClassNames;
import org.caviar.model.data.Standardizer;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.StateTensor;
import org.caviar.model.optim.Floats;

/**
 * The saved-model format, version 2. Everything is big-endian as {@link java.io.DataOutput}
 * writes it; strings are {@code writeUTF} (a 16-bit byte length, then modified UTF-8); floats are
 * their raw IEEE 754 bits, so a round trip is exact to the bit.
 *
 * <pre>
 * magic         4 bytes  "CVMD"
 * version       int32    2 (1 is read too: the same without the provenance)
 * spec          UTF      the network spec's text form, e.g. "64-128-128-10 relu batchnorm"
 * classes       int32 n, then n x UTF class name (n = the spec's class count)
 * standardizer  int32 f: 0 for none, else the spec's input count, then f x float32 mean,
 *               then f x float32 scale (x' = (x - mean) * scale)
 * provenance    int8 0 for none, else 1 and the {@link Provenance}: UTF data (a description),
 *               int32 rows, int32 features (the spec's input count), int32 classes,
 *               int64 checksum (of the dataset, {@link Provenance#checksum}),
 *               float64 train fraction, float64 validation fraction, int64 split seed
 * tensors       int32 t, then t x { UTF name, int32 length, length x float32 }: every parameter
 *               then every state tensor of the network, in layer order, e.g.
 *               dense1.weight (in x out, row-major), batchnorm1.gamma, batchnorm1.beta, ...,
 *               dense3.bias, batchnorm1.runningMean, batchnorm1.runningVar, ...
 * checksum      int64    CRC-32 of every byte before it
 * </pre>
 *
 * Loading rebuilds the network from the spec ({@linkplain Network#createForInference inference-only}:
 * a loaded model predicts and evaluates, and has no gradient arrays), then requires each tensor's name and length to match
 * the rebuilt network's, in order; any mismatch, a batch norm running variance below 0 or NaN, a
 * wrong checksum or trailing bytes is a {@link MalformedModelException} saying what differs. A version 1 file (no provenance) loads as a
 * model whose {@link Model#provenance()} is null.
 */
public final class ModelFile {
  static final int MAGIC = 0x43564D44; // "CVMD"
  static final int VERSION = 2;
  /** The first version, without the provenance: still read. */
  static final int VERSION_1 = 1;

  private ModelFile() {}

  /**
   * Writes the model to a new file beside {@code path}, named for this save alone, and then moves it
   * over {@code path}, so that a save that fails or is interrupted (a full disk, a kill, a power cut)
   * leaves the file that was there whole: the new file is forced to the disk before the move, and
   * the folder after it ({@link AtomicFiles#write}). Two
   * saves of one file at once (two runs with the same --out) each move only their own whole file.
   * A failure names the file.
   */
  public static void save(Model model, Path path) throws IOException {
    notNull("model", model);
    notNull("path", path);
    // Said before the file is touched, and by name: writeUTF's own error quotes the start of the string.
    requireNamesFit(model, ": cannot save the model to " + path);
    try {
      AtomicFiles.write(path, partial -> {
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
          write(model, out);
          // AtomicFiles forces it to the disk before the move, and the folder after it.
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot save the model to " + path + ": " + reason(e), e);
    }
  }

  /** Each class name fits writeUTF's 16-bit length; {@code context} ends the message. */
  private static void requireNamesFit(Model model, String context) {
    List<String> names = model.classNames();
    for (int c = 0; c < names.size(); c++) {
      long bytes = modifiedUtf8Length(names.get(c));
      if (bytes > MAX_STRING_BYTES) {
        throw new IllegalArgumentException("class " + c + "'s name is " + bytes + " bytes in UTF-8, more than a model file holds ("
            + MAX_STRING_BYTES + ")" + context);
      }
    }
  }

  /** A null argument named, not a NullPointerException from java.nio or from inside the format. */
  private static void notNull(String name, Object value) {
    if (value == null) throw new IllegalArgumentException(name + " must not be null");
  }

  /** The most bytes a string takes in the file (writeUTF's 16-bit length). */
  static final int MAX_STRING_BYTES = 65_535;

  /** The bytes writeUTF writes for {@code s} after its length: 1 for U+0001-U+007F, 2 for U+0000 and up to U+07FF, else 3. */
  static long modifiedUtf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      n += ch >= 0x0001 && ch <= 0x007F ? 1 : ch <= 0x07FF ? 2 : 3;
    }
    return n;
  }

  /** What went wrong, without the path: the JDK's file exceptions are often only the path. */
  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException missing) return noSuchFile(missing);
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /**
   * A save's "no such file" (ENOENT): its folder is missing, or the folder is there and its file
   * system answers so for a new file (Linux's /proc, whose folder a "no such folder" named).
   */
  private static String noSuchFile(NoSuchFileException e) {
    Path folder = e.getFile() == null ? null : Path.of(e.getFile()).toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder)) return "no such folder";
    return "its folder " + folder + " exists, but the file system refused a file there (no such file or directory)";
  }

  /** Whether {@code path} starts as a Caviar model file does (its magic), whatever its state after that. */
  public static boolean isModelFile(Path path) {
    notNull("path", path);
    try (InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(4);
      return head.length == 4 && ByteBuffer.wrap(head).getInt() == MAGIC;
    } catch (IOException e) {
      return false;
    }
  }

  public static Model load(Path path) throws IOException {
    return load(path, Kernels.vector());
  }

  /**
   * Loads onto the given kernels. A file that cannot be read is an {@link IOException} naming it:
   * the JDK's file exceptions ({@link NoSuchFileException}, {@link AccessDeniedException}, ...) as
   * they are, a read error that names no file (a folder's "Is a directory") with the file named.
   */
  public static Model load(Path path, Kernels kernels) throws IOException {
    notNull("path", path);
    notNull("kernels", kernels);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      return read(in, path.toString(), kernels);
    } catch (MalformedModelException | FileSystemException e) {
      throw e; // each names the file
    } catch (IOException e) {
      throw new IOException("cannot read the model " + path + ": " + reason(e), e);
    }
  }

  /** Writes the format to a stream (left open). */
  public static void write(Model model, OutputStream stream) throws IOException {
    notNull("model", model);
    notNull("stream", stream);
    Network network = model.network();
    if (network.spec() == null) throw new IllegalArgumentException("only networks built from a NetworkSpec can be saved");
    // Before the first byte: writeUTF's UTFDataFormatException quoted the name's start, after the stream had the model's first part.
    requireNamesFit(model, "");
    CRC32 crc = new CRC32();
    DataOutputStream out = new DataOutputStream(new CheckedOutputStream(stream, crc));
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeUTF(network.spec().toString());
    out.writeInt(model.classNames().size());
    for (String name : model.classNames()) out.writeUTF(name);
    Standardizer s = model.standardizer();
    if (s == null) {
      out.writeInt(0);
    } else {
      out.writeInt(s.featureCount());
      writeFloats(out, s.mean());
      writeFloats(out, s.scale());
    }
    Provenance prov = model.provenance();
    if (prov == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      out.writeUTF(prov.data());
      out.writeInt(prov.rows());
      out.writeInt(prov.features());
      out.writeInt(prov.classes());
      out.writeLong(prov.checksum());
      out.writeDouble(prov.trainFraction());
      out.writeDouble(prov.validationFraction());
      out.writeLong(prov.splitSeed());
    }
    List<Parameter> params = network.parameters();
    List<StateTensor> state = network.state();
    out.writeInt(params.size() + state.size());
    for (Parameter p : params) writeTensor(out, p.name(), p.values());
    for (StateTensor t : state) writeTensor(out, t.name(), t.values());
    out.flush();
    // The checksum covers everything above; write it outside the checked stream.
    new DataOutputStream(stream).writeLong(crc.getValue());
    stream.flush();
  }

  /**
   * Reads the format from a stream; {@code source} names it in errors. The magic and version come
   * first (a foreign file is refused after 8 bytes, however large); then the rest is read whole
   * and its checksum checked before anything else is parsed or built, so that a damaged spec
   * naming a huge layer reads as a damaged file instead of running out of memory.
   */
  public static Model read(InputStream stream, String source, Kernels kernels) throws IOException {
    notNull("stream", stream);
    notNull("kernels", kernels);
    byte[] header = stream.readNBytes(8);
    // A short file is a model file cut short only if it starts as one: a 6-byte CSV is not a model file.
    byte[] magicBytes = ByteBuffer.allocate(4).putInt(MAGIC).array();
    // An empty file starts as anything: it holds no model (a save that never wrote, a touch), nor the start of one.
    if (header.length == 0) throw new MalformedModelException(source + ": an empty file, not a Caviar model file");
    if (header.length < 4 && !java.util.Arrays.equals(header, java.util.Arrays.copyOf(magicBytes, header.length))) {
      throw new MalformedModelException(source + ": not a Caviar model file (" + header.length + " bytes long)");
    }
    if (header.length < 4) throw new MalformedModelException(source + ": truncated model file");
    ByteBuffer h = ByteBuffer.wrap(header);
    int magic = h.getInt();
    if (magic != MAGIC) throw new MalformedModelException(source + ": not a Caviar model file (magic " + Integer.toHexString(magic) + ")");
    if (header.length < 8) throw new MalformedModelException(source + ": truncated model file");
    int version = h.getInt();
    if (version != VERSION && version != VERSION_1) {
      throw new MalformedModelException(source + ": model format version " + version + ", this build reads " + VERSION_1 + " and " + VERSION);
    }
    byte[] body = stream.readAllBytes();
    if (body.length < 8) throw new MalformedModelException(source + ": truncated model file");
    int end = body.length - 8;
    CRC32 crc = new CRC32();
    crc.update(header);
    crc.update(body, 0, end);
    long stored = ByteBuffer.wrap(body, end, 8).getLong();
    if (stored != crc.getValue()) throw new MalformedModelException(source + ": " + damage(body, version, stored, crc.getValue()));

    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body, 0, end));
    try {
      NetworkSpec spec;
      String specText = in.readUTF();
      try {
        spec = NetworkSpec.parseSaved(specText); // as earlier versions wrote it too
      } catch (IllegalArgumentException e) {
        throw new MalformedModelException(source + ": bad network spec: " + e.getMessage(), e);
      }
      int classCount = in.readInt();
      if (classCount != spec.classes()) {
        throw new MalformedModelException(source + ": " + classCount + " class names for a spec of " + spec.classes() + " classes");
      }
      List<String> classNames = new ArrayList<>(classCount);
      for (int i = 0; i < classCount; i++) classNames.add(in.readUTF());
      try {
        ClassNames.requireDistinct(classNames, "classNames");
      } catch (IllegalArgumentException e) {
        throw new MalformedModelException(source + ": bad class names: " + e.getMessage(), e);
      }
      int f = in.readInt();
      Standardizer standardizer = null;
      if (f != 0) {
        if (f != spec.inputs()) throw new MalformedModelException(source + ": standardizer of " + f + " features for " + spec.inputs() + " inputs");
        float[] mean = readFloats(in, f);
        float[] scale = readFloats(in, f);
        try {
          standardizer = new Standardizer(mean, scale);
        } catch (IllegalArgumentException e) {
          throw new MalformedModelException(source + ": bad standardizer: " + e.getMessage(), e);
        }
      }
      Provenance provenance = version == VERSION_1 ? null : readProvenance(in, source, spec);
      // Each weight is 4 bytes of the file: a spec that needs more than it holds is refused before
      // the network is built (a layer of millions of units, its checksum right, ran out of memory).
      long weights = spec.forwardMultiplyAdds();
      if (4 * weights > end) {
        throw new MalformedModelException(source + ": the spec " + spec + " has " + weights + " weights (4 bytes each), more than the file's "
            + (end + 16) + " bytes hold");
      }
      // A loaded model only predicts (Model, evaluate): no gradient arrays, as many floats again as
      // its weights. The trainer refuses such a network by name, should a caller ever train one.
      Network network = Network.createForInference(spec, 0L, kernels);
      List<String> names = new ArrayList<>();
      List<float[]> targets = new ArrayList<>();
      for (Parameter p : network.parameters()) {
        names.add(p.name());
        targets.add(p.values());
      }
      for (StateTensor t : network.state()) {
        names.add(t.name());
        targets.add(t.values());
      }
      int count = in.readInt();
      if (count != names.size()) throw new MalformedModelException(source + ": " + count + " tensors, the spec needs " + names.size());
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int length = in.readInt();
        if (!name.equals(names.get(i)) || length != targets.get(i).length) {
          throw new MalformedModelException(
              source + ": tensor " + i + " is " + name + "[" + length + "], expected " + names.get(i) + "["
                  + targets.get(i).length + "]");
        }
        float[] dst = targets.get(i);
        for (int j = 0; j < length; j++) dst[j] = Float.intBitsToFloat(in.readInt());
      }
      if (in.available() > 0) throw new MalformedModelException(source + ": " + in.available() + " bytes between the tensors and the checksum");
      // No training writes a running variance below 0 (nor NaN): such a file loaded, and its first
      // prediction failed in the batch norm kernel, naming neither the file nor the tensor.
      for (var layer : network.layers()) {
        if (!(layer instanceof org.caviar.model.layer.BatchNormLayer bn)) continue;
        float[] v = bn.runningVar();
        for (int j = 0; j < v.length; j++) {
          if (!(v[j] >= 0)) {
            throw new MalformedModelException(source + ": " + bn.name() + ".runningVar[" + j + "] is " + Floats.text(v[j]) + ": a variance must be >= 0");
          }
        }
      }
      return new Model(network, standardizer, classNames, provenance);
    } catch (EOFException e) {
      // The checksum matched, so the file is as written: a writer's fault, not damage.
      throw new MalformedModelException(source + ": truncated model file (its parts end before its checksum)", e);
    } catch (UTFDataFormatException e) {
      throw new MalformedModelException(source + ": a name in the model file is not valid modified UTF-8", e);
    }
  }

  /**
   * What is wrong with a file body (everything after the magic and version) whose checksum does
   * not match: its parts, walked by their lengths alone (no text decoded), end past the file
   * (truncated), before its last 8 bytes (bytes were added), or just there (a changed byte).
   */
  private static String damage(byte[] body, int version, long stored, long computed) {
    ByteBuffer b = ByteBuffer.wrap(body);
    try {
      skipText(b);
      int classes = b.getInt();
      for (int i = 0; i < classes && b.hasRemaining(); i++) skipText(b);
      int f = b.getInt();
      skip(b, 8L * Math.max(0, f));
      if (version != VERSION_1 && b.get() != 0) {
        skipText(b);
        skip(b, 3 * 4 + 4 * 8); // rows, features, classes; checksum, fractions, seed
      }
      int count = b.getInt();
      for (int i = 0; i < count && b.hasRemaining(); i++) {
        skipText(b);
        skip(b, 4L * Math.max(0, b.getInt()));
      }
      skip(b, 8);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return "truncated model file (or a damaged length in it): its parts run past its end";
    }
    if (b.hasRemaining()) return "unexpected bytes after the checksum (" + b.remaining() + ")";
    return "checksum mismatch (stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(computed) + "): the file is damaged";
  }

  /** The provenance section of a version 2 file (after the standardizer). */
  private static Provenance readProvenance(DataInputStream in, String source, NetworkSpec spec) throws IOException {
    int present = in.readUnsignedByte();
    if (present == 0) return null;
    if (present != 1) throw new MalformedModelException(source + ": bad provenance marker " + present + " (0 or 1)");
    String data = in.readUTF();
    int rows = in.readInt();
    int features = in.readInt();
    int classes = in.readInt();
    long checksum = in.readLong();
    double train = in.readDouble();
    double validation = in.readDouble();
    long seed = in.readLong();
    if (features != spec.inputs()) {
      throw new MalformedModelException(source + ": provenance of data with " + features + " features for " + spec.inputs() + " inputs");
    }
    try {
      return new Provenance(data, rows, features, classes, checksum, train, validation, seed);
    } catch (IllegalArgumentException e) {
      throw new MalformedModelException(source + ": bad provenance: " + e.getMessage(), e);
    }
  }

  private static void skipText(ByteBuffer b) {
    skip(b, Short.toUnsignedInt(b.getShort()));
  }

  private static void skip(ByteBuffer b, long n) {
    if (n > b.remaining()) throw new BufferUnderflowException();
    b.position(b.position() + (int) n);
  }

  private static void writeTensor(DataOutputStream out, String name, float[] values) throws IOException {
    out.writeUTF(name);
    out.writeInt(values.length);
    writeFloats(out, values);
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    for (float v : values) out.writeInt(Float.floatToRawIntBits(v));
  }

  private static float[] readFloats(DataInputStream in, int n) throws IOException {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat(in.readInt());
    return a;
  }
}
