package org.caviar.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.caviar.model.Kernels;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Datasets;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
  private static Model trained;
  private static Dataset rawTest;

  @BeforeAll
  static void train() {
    Split split = DigitsSplit.RAW;
    Standardizer s = DigitsSplit.STANDARDIZER;
    Network network = Network.create(NetworkSpec.parse("64-32-16-10 leaky_relu slope=0.05 batchnorm dropout=0.1"), 3);
    new Trainer(network, TrainingConfig.builder().epochs(3).build()).fit(DigitsSplit.TRAIN, null, null);
    List<String> names = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    trained = new Model(network, s, names);
    rawTest = split.test();
  }

  @Test
  void aRoundTripIsExact(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("digits.cvm");
    trained.save(file);
    Model loaded = Model.load(file);
    assertEquals(trained.network().spec(), loaded.network().spec());
    assertEquals(trained.classNames(), loaded.classNames());
    assertArrayEquals(trained.standardizer().mean(), loaded.standardizer().mean());
    assertArrayEquals(trained.standardizer().scale(), loaded.standardizer().scale());
    for (int i = 0; i < trained.network().parameters().size(); i++) {
      assertArrayEquals(trained.network().parameters().get(i).values(), loaded.network().parameters().get(i).values());
    }
    for (int i = 0; i < trained.network().state().size(); i++) {
      assertArrayEquals(trained.network().state().get(i).values(), loaded.network().state().get(i).values());
    }
    // Same kernels, same numbers: predictions and probabilities agree to the bit.
    assertPredictsAsSaved(trained, loaded);
    for (int r = 0; r < 20; r++) {
      float[] row = rawTest.row(r);
      assertArrayEquals(trained.probabilities(row), loaded.probabilities(row));
      assertEquals(trained.predictName(row), loaded.predictName(row));
    }
    // One example's methods take one example's features, not a row of a wider table.
    float[] wide = java.util.Arrays.copyOf(rawTest.row(0), 65);
    for (Runnable call : List.<Runnable>of(() -> loaded.predict(wide), () -> loaded.predictName(wide), () -> loaded.probabilities(wide))) {
      var e = assertThrows(IllegalArgumentException.class, call::run);
      assertEquals("features has 65 values, the model takes 64", e.getMessage());
    }
    // A batch after a single example still predicts as before (the example's buffer is reused).
    assertPredictsAsSaved(trained, loaded);
  }

  /**
   * A loaded model only predicts: its network has no gradient arrays (as many floats again as its
   * weights, allocated for nothing), and still predicts and scores as the saved one, to the bit, on
   * one thread and on two (the evaluator's replicas copy its values).
   */
  @Test
  void aLoadedNetworkHasNoGradients(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("digits.cvm");
    trained.save(file);
    for (Kernels kernels : List.of(Kernels.vector(), Kernels.parallel(2))) {
      Model loaded = ModelFile.load(file, kernels);
      assertTrue(loaded.network().inferenceOnly(), "threads " + kernels.threads());
      for (var p : loaded.network().parameters()) assertTrue(!p.hasGradient(), p.name());
      assertPredictsAsSaved(trained, loaded);
    }
  }

  @Test
  void theFileStartsWithItsMagicAndVersion(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.cvm");
    trained.save(file);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals("CVMD", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertArrayEquals(new byte[] {0, 0, 0, 2}, java.util.Arrays.copyOfRange(bytes, 4, 8));
  }

  /** Bad split fractions are written as a person writes numbers (0 and 1.5, not Java's 0.0). */
  @Test
  void badSplitFractionsAreNamedAsWritten() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Provenance("d", 10, 2, 2, 0, 0.0, 1.5, 1));
    assertEquals("need trainFraction > 0, validationFraction >= 0 and their sum <= 1, got 0 and 1.5", e.getMessage());
  }

  /** The data and split a model was trained on come back as saved, and the model predicts as before. */
  @Test
  void aRoundTripKeepsTheProvenance(@TempDir Path dir) throws IOException {
    Provenance p = Provenance.of("digits", Datasets.digits(), 0.5, 0.3, 7);
    Model model = new Model(trained.network(), trained.standardizer(), trained.classNames(), p);
    Path file = dir.resolve("p.cvm");
    model.save(file);
    Model loaded = Model.load(file);
    assertEquals(p, loaded.provenance()); // a record: every field, the fractions by their bits
    assertEquals("0.5,0.3", loaded.provenance().split());
    assertTrue(loaded.provenance().sameData(Datasets.digits()));
    assertPredictsAsSaved(model, loaded);
    // Damage past the provenance is still told apart: its parts are walked over it.
    byte[] bytes = Files.readAllBytes(file);
    byte[] length = bytes.clone();
    length[tensorLengthOffset(bytes) + 3] ^= 1;
    assertProblem(dir, "length", length, "length: truncated model file (or a damaged length in it)");
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    assertProblem(dir, "flipped", flipped, "checksum mismatch");
    // A model without provenance saves and loads without one.
    trained.save(file);
    assertEquals(null, Model.load(file).provenance());
  }

  /** A file of the first format (no provenance), which models saved before version 2 are, still loads and predicts as saved. */
  @Test
  void aVersion1FileStillLoads(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("v1.cvm");
    Files.write(file, version1(trained));
    Model loaded = Model.load(file);
    assertEquals(null, loaded.provenance());
    assertEquals(trained.classNames(), loaded.classNames());
    assertPredictsAsSaved(trained, loaded);
    // Its damage is told as before: a tensor length is found where version 1 has it.
    byte[] bytes = Files.readAllBytes(file);
    byte[] length = bytes.clone();
    length[standardizerOffset(bytes) + 8 * 64 + 4 + 2 + "dense1.weight".length() + 3] ^= 1;
    assertProblem(dir, "length", length, "length: truncated model file (or a damaged length in it)");
  }

  /** The fingerprint tells apart data that differs in one feature's bits, one label or one class name, and not equal copies. */
  @Test
  void theChecksumTellsDataApart() {
    Dataset d = Datasets.digits();
    long c = Provenance.checksum(d);
    assertEquals(c, Provenance.checksum(new Dataset(d.features().clone(), d.labels().clone(), d.featureCount(), d.classNames())));
    float[] f = d.features().clone();
    f[1000] = Math.nextUp(f[1000]);
    assertTrue(c != Provenance.checksum(new Dataset(f, d.labels(), d.featureCount(), d.classNames())));
    int[] labels = d.labels().clone();
    labels[5] = (labels[5] + 1) % 10;
    assertTrue(c != Provenance.checksum(new Dataset(d.features(), labels, d.featureCount(), d.classNames())));
    List<String> names = new java.util.ArrayList<>(d.classNames());
    names.set(3, "three");
    assertTrue(c != Provenance.checksum(new Dataset(d.features(), d.labels(), d.featureCount(), names)));
    Provenance p = Provenance.of("digits", d, 0.6, 0.2, 42);
    assertTrue(p.sameData(d));
    assertTrue(!p.sameData(d.head(1796)));
  }

  /** The model in the version 1 layout, as builds before version 2 wrote it. */
  private static byte[] version1(Model model) throws IOException {
    var bytes = new java.io.ByteArrayOutputStream();
    var crc = new java.util.zip.CRC32();
    var out = new java.io.DataOutputStream(new java.util.zip.CheckedOutputStream(bytes, crc));
    out.writeInt(0x43564D44);
    out.writeInt(1);
    out.writeUTF(model.network().spec().toString());
    out.writeInt(model.classNames().size());
    for (String name : model.classNames()) out.writeUTF(name);
    out.writeInt(model.standardizer().featureCount());
    for (float v : model.standardizer().mean()) out.writeInt(Float.floatToRawIntBits(v));
    for (float v : model.standardizer().scale()) out.writeInt(Float.floatToRawIntBits(v));
    var tensors = new java.util.ArrayList<java.util.Map.Entry<String, float[]>>();
    for (var p : model.network().parameters()) tensors.add(java.util.Map.entry(p.name(), p.values()));
    for (var t : model.network().state()) tensors.add(java.util.Map.entry(t.name(), t.values()));
    out.writeInt(tensors.size());
    for (var t : tensors) {
      out.writeUTF(t.getKey());
      out.writeInt(t.getValue().length);
      for (float v : t.getValue()) out.writeInt(Float.floatToRawIntBits(v));
    }
    out.flush();
    new java.io.DataOutputStream(bytes).writeLong(crc.getValue());
    return bytes.toByteArray();
  }

  @Test
  void damageIsDetected(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.cvm");
    trained.save(file);
    byte[] bytes = Files.readAllBytes(file);

    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10; // a bit inside the weights
    assertProblem(dir, "flipped", flipped, "checksum mismatch");
    assertProblem(dir, "truncated", java.util.Arrays.copyOf(bytes, bytes.length - 3), "truncated");
    assertProblem(dir, "longer", java.util.Arrays.copyOf(bytes, bytes.length + 1), "unexpected bytes after the checksum");
    byte[] magic = bytes.clone();
    magic[0] = 'X';
    assertProblem(dir, "magic", magic, "not a Caviar model file");
    byte[] version = bytes.clone();
    version[7] = 9;
    assertProblem(dir, "version", version, "model format version 9");
    // A standardizer mean damaged into a NaN: the checksum says so, before the Standardizer can
    // refuse the value as an argument.
    byte[] nanMean = bytes.clone();
    int at = standardizerOffset(bytes);
    nanMean[at] = 0x7f;
    nanMean[at + 1] = (byte) 0xc0;
    nanMean[at + 2] = 0;
    nanMean[at + 3] = 0;
    assertProblem(dir, "nan-mean", nanMean, "checksum mismatch");
    // A spec damaged into a first layer of 20 million units (64 x 2e7 weights, 5 GB): the checksum says
    // so before the network is built; building it first ran out of memory.
    assertProblem(dir, "huge-spec", withSpec(bytes, s -> s.replaceFirst("-32-", "-20000000-")), "checksum mismatch");
    // A damaged length: the parts no longer line up with the file; said so, with the file named
    // (decoding the misplaced bytes as a tensor name would give the JDK's bare "malformed input").
    byte[] length = bytes.clone();
    length[tensorLengthOffset(bytes) + 3] ^= 1;
    assertProblem(dir, "length", length, "length: truncated model file (or a damaged length in it)");
  }

  /**
   * A file whose class names repeat one (written before Model refused that, or by another writer,
   * its checksum right) is a malformed model; it was loaded, and then matched data to its classes
   * by name, every row of the repeated name to its first class.
   */
  @Test
  void classNamesGivenTwiceAreAMalformedModel(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.cvm");
    trained.save(file);
    byte[] bytes = Files.readAllBytes(file);
    byte[] one = {0, 3, 'o', 'n', 'e'};
    int at = -1;
    for (int i = 0; at < 0 && i + one.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + one.length, one, 0, one.length)) at = i;
    }
    assertTrue(at > 0, "the class name 'one' is in the file");
    byte[] twice = bytes.clone();
    twice[at + 2] = 's';
    twice[at + 3] = 'i';
    twice[at + 4] = 'x';
    var crc = new java.util.zip.CRC32();
    crc.update(twice, 0, twice.length - 8);
    java.nio.ByteBuffer.wrap(twice, twice.length - 8, 8).putLong(crc.getValue());
    assertProblem(dir, "twice", twice, "bad class names: classNames has 'six' twice (classes 1 and 6)");
  }

  /**
   * A running variance below 0 or NaN (another writer's file, its checksum right) is a malformed
   * model: no training writes one, and the file loaded, to fail at its first prediction with the
   * batch norm kernel's "runningVar[5] must be >= 0, got -1.0", which named neither the file nor
   * the tensor.
   */
  @Test
  void aRunningVarianceBelowZeroIsAMalformedModel(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.cvm");
    trained.save(file);
    byte[] bytes = Files.readAllBytes(file);
    byte[] name = "batchnorm1.runningVar".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int at = -1;
    for (int i = 0; at < 0 && i + name.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) at = i;
    }
    assertTrue(at > 0, "the tensor batchnorm1.runningVar is in the file");
    int values = at + name.length + 4; // past the name and the tensor's length
    // The value as the other messages write numbers (Floats.text): -1e-5, not Java's -1.0E-5.
    float[] bads = {-1f, -1e-5f, Float.NaN};
    String[] written = {"-1", "-1e-5", "NaN"};
    for (int b = 0; b < bads.length; b++) {
      byte[] damaged = bytes.clone();
      java.nio.ByteBuffer.wrap(damaged, values + 5 * 4, 4).putFloat(bads[b]);
      var crc = new java.util.zip.CRC32();
      crc.update(damaged, 0, damaged.length - 8);
      java.nio.ByteBuffer.wrap(damaged, damaged.length - 8, 8).putLong(crc.getValue());
      assertProblem(dir, "variance", damaged, "variance: batchnorm1.runningVar[5] is " + written[b] + ": a variance must be >= 0");
    }
  }

  /**
   * A spec whose weights need more bytes than the file has, its checksum right (a file edited and
   * re-summed, or another writer's): a first layer of 20 million units (5 GB of weights) ran out of
   * memory building the network before the tensors were compared with it.
   */
  @Test
  void aSpecLargerThanTheFileIsAMalformedModel(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.cvm");
    trained.save(file);
    byte[] huge = withSpec(Files.readAllBytes(file), s -> s.replaceFirst("-32-", "-20000000-"));
    var crc = new java.util.zip.CRC32();
    crc.update(huge, 0, huge.length - 8);
    java.nio.ByteBuffer.wrap(huge, huge.length - 8, 8).putLong(crc.getValue());
    assertProblem(dir, "huge", huge, "64-20000000-16-10 leaky_relu slope=0.05 batchnorm dropout=0.1 has 1600000160 weights"
        + " (4 bytes each), more than the file's");
  }

  /**
   * Earlier versions saved a spec without hidden layers with the options the network did not have
   * ("64-10 relu batchnorm dropout=0.5"), which the spec's text now refuses: such a file still
   * loads, as the network it holds, and says so ("64-10 relu").
   */
  @Test
  void aSpecSavedWithOptionsItsNetworkDidNotHaveStillLoads(@TempDir Path dir) throws IOException {
    Network network = Network.create(NetworkSpec.parse("64-10 relu"), 3);
    Model model = new Model(network, DigitsSplit.STANDARDIZER, trained.classNames());
    Path file = dir.resolve("m.cvm");
    model.save(file);
    byte[] old = withSpec(Files.readAllBytes(file), s -> s + " batchnorm dropout=0.5");
    var crc = new java.util.zip.CRC32();
    crc.update(old, 0, old.length - 8);
    java.nio.ByteBuffer.wrap(old, old.length - 8, 8).putLong(crc.getValue());
    Files.write(file, old);
    Model loaded = ModelFile.load(file, Kernels.vector());
    assertEquals("64-10 relu", loaded.network().spec().toString());
    assertPredictsAsSaved(model, loaded);
  }

  /** Where the first tensor's length lies: past the standardizer's floats, the provenance, the tensor count and the first name. */
  private static int tensorLengthOffset(byte[] file) throws IOException {
    var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(file));
    in.skipNBytes(standardizerOffset(file) + 8L * 64);
    if (in.readByte() != 0) {
      in.readUTF();
      in.skipNBytes(3 * 4 + 4 * 8);
    }
    in.readInt();
    in.readUTF();
    return file.length - in.available();
  }

  /** The file with its spec text replaced (the checksum left as it was). */
  private static byte[] withSpec(byte[] file, java.util.function.UnaryOperator<String> change) throws IOException {
    var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(file));
    int magic = in.readInt();
    int version = in.readInt();
    String spec = in.readUTF();
    String damaged = change.apply(spec);
    assertTrue(!damaged.equals(spec), spec);
    var out = new java.io.ByteArrayOutputStream();
    var data = new java.io.DataOutputStream(out);
    data.writeInt(magic);
    data.writeInt(version);
    data.writeUTF(damaged);
    data.write(in.readAllBytes());
    return out.toByteArray();
  }

  /** Where the first standardizer mean lies in a saved file: past the magic, version, spec, class names and feature count. */
  private static int standardizerOffset(byte[] file) throws IOException {
    var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(file));
    in.readInt();
    in.readInt();
    in.readUTF();
    int classes = in.readInt();
    for (int i = 0; i < classes; i++) in.readUTF();
    assertEquals(64, in.readInt(), "the digits model's standardizer has 64 features");
    return file.length - in.available();
  }

  private static void assertProblem(Path dir, String name, byte[] content, String problem) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    // Its own type: a command line refuses such a file as bad usage, and a file it cannot read as a failure.
    var e = assertThrows(MalformedModelException.class, () -> ModelFile.load(p, Kernels.vector()));
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }

  /**
   * A file shorter than the magic and version that does not start as a model file does (a small CSV
   * given as --model, a text note) is not a model file; it was called a truncated one. A model file
   * cut inside its version is truncated.
   */
  @Test
  void aShortFileIsNamedForWhatItIs(@TempDir Path dir) throws IOException {
    assertProblem(dir, "csv", "1,2,0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "csv: not a Caviar model file (magic 312c322c)");
    assertProblem(dir, "three", new byte[] {'C', 'V', 'M'}, "three: truncated model file");
    assertProblem(dir, "magic", new byte[] {'C', 'V', 'M', 'D', 0, 0}, "magic: truncated model file");
    assertProblem(dir, "empty", new byte[0], "empty: an empty file, not a Caviar model file");
    assertProblem(dir, "two", new byte[] {'a', '\n'}, "two: not a Caviar model file (2 bytes long)");
  }

  /** The shape evaluate's notes show: "1 class", not "1 classes". */
  @Test
  void aShapeCountsInWords() {
    assertEquals("1 row, 1 feature, 1 class", Provenance.shape(1, 1, 1));
    assertEquals("0 rows, 64 features, 10 classes", Provenance.shape(0, 64, 10));
  }

  /** A file that cannot be read at all is a plain IOException, not a malformed model. */
  @Test
  void aFileThatCannotBeReadIsNotMalformed(@TempDir Path dir) {
    for (Path p : List.of(dir, dir.resolve("missing.cvm"))) {
      var e = assertThrows(IOException.class, () -> ModelFile.load(p));
      assertTrue(!(e instanceof MalformedModelException), p + ": " + e);
      // Named: a folder's read error was the JDK's bare "Is a directory".
      assertTrue(e.getMessage().contains(p.toString()), p + ": " + e);
    }
    // The JDK's own file exceptions keep their type: a command line tells them apart.
    assertThrows(java.nio.file.NoSuchFileException.class, () -> ModelFile.load(dir.resolve("missing.cvm")));
  }

  @Test
  void onlySpecBuiltNetworksCanBeSaved(@TempDir Path dir) throws IOException {
    Network custom = Network.of(trained.network().layers(), 10, Kernels.vector());
    Model m = new Model(custom, null, Dataset.numberedClasses(10));
    var e = assertThrows(IllegalArgumentException.class, () -> m.save(dir.resolve("x")));
    assertTrue(e.getMessage().contains("NetworkSpec"), e.getMessage());
    assertEquals(List.of(), listing(dir), "no partial file left behind");
  }

  /** A save that fails leaves the file that was there as it was, and nothing beside it. */
  @Test
  void aFailedSaveKeepsTheOldFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.caviar");
    trained.save(file);
    byte[] before = Files.readAllBytes(file);
    Model unsaveable = new Model(Network.of(trained.network().layers(), 10, Kernels.vector()), null, Dataset.numberedClasses(10));
    assertThrows(IllegalArgumentException.class, () -> unsaveable.save(file)); // fails after the partial file is opened
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of("m.caviar"), listing(dir));
    trained.save(file); // over an existing file
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of("m.caviar"), listing(dir));
    Path nowhere = dir.resolve("missing").resolve("m.caviar");
    var e = assertThrows(IOException.class, () -> trained.save(nowhere));
    assertEquals("cannot save the model to " + nowhere + ": no such folder", e.getMessage());
  }

  /**
   * A folder that exists but makes no new file (Linux's /proc answers "no such file", ENOENT, as a
   * missing folder does) is not a missing folder: the message said "no such folder" of /proc.
   */
  @Test
  void aFolderThatExistsButTakesNoFileIsNotCalledMissing() {
    Path proc = Path.of("/proc");
    // Only where there is a /proc (Linux): elsewhere this case has no real folder to try, and is skipped.
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc), "no /proc on this machine");
    Path file = proc.resolve("caviar-model.bin");
    var e = assertThrows(IOException.class, () -> trained.save(file));
    assertEquals("cannot save the model to " + file + ": its folder " + proc
        + " exists, but the file system refused a file there (no such file or directory)", e.getMessage());
  }

  /**
   * A save does not depend on a fixed file beside the model: one left by an earlier run (here a
   * folder under the name the save once wrote first, m.caviar.partial) neither fails it nor is
   * touched by it.
   */
  @Test
  void aSaveIgnoresWhatIsBesideTheModel(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.caviar");
    Path leftover = Files.createDirectory(dir.resolve("m.caviar.partial"));
    trained.save(file);
    assertEquals(trained.network().spec(), Model.load(file).network().spec());
    assertTrue(Files.isDirectory(leftover), "left as it was");
    assertEquals(List.of("m.caviar", "m.caviar.partial"), listing(dir));
  }

  /**
   * Two saves of the same file at once (two runs with the same --out) both complete, and each
   * leaves the whole file of one of them: each writes its own file before moving it into place.
   */
  @Test
  void concurrentSavesOfOneFileEachLeaveAWholeFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.caviar");
    Model other = new Model(trained.network(), null, trained.classNames()); // no standardizer: other bytes
    byte[][] expected = new byte[2][];
    for (int i = 0; i < 2; i++) {
      Path one = dir.resolve("one-" + i);
      (i == 0 ? trained : other).save(one);
      expected[i] = Files.readAllBytes(one);
      Files.delete(one);
    }
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
      for (int round = 0; round < 200; round++) {
        var start = new java.util.concurrent.CyclicBarrier(2);
        List<java.util.concurrent.Future<Object>> saves = new java.util.ArrayList<>();
        for (Model m : List.of(trained, other)) {
          saves.add(pool.submit(() -> {
            start.await();
            m.save(file);
            return null;
          }));
        }
        for (var save : saves) save.get(); // throws if a save failed
        byte[] saved = Files.readAllBytes(file);
        assertTrue(java.util.Arrays.equals(expected[0], saved) || java.util.Arrays.equals(expected[1], saved), "round " + round);
        assertEquals(List.of("m.caviar"), listing(dir), "round " + round);
      }
    }
  }

  /** A saved model may be read as any new file may (the umask's permissions), not by its owner alone. */
  @Test
  void aSavedModelHasANewFilesPermissions(@TempDir Path dir) throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("m.caviar");
    trained.save(file);
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
  }

  private static List<String> listing(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * A class name longer than the file's strings hold (65,535 bytes of modified UTF-8) is refused by
   * name before the file is touched; the JDK's own error quoted the name's start. The longest that
   * fits saves and loads back.
   */
  @Test
  void aClassNameTooLongForTheFileIsNamed(@TempDir Path dir) throws IOException {
    Network network = Network.create(NetworkSpec.parse("2-3-2"), 1);
    Path longest = dir.resolve("longest.caviar");
    String fits = "a".repeat(65_535);
    ModelFile.save(new Model(network, null, List.of("b", fits)), longest);
    assertEquals(List.of("b", fits), ModelFile.load(longest).classNames());
    Path refused = dir.resolve("refused.caviar");
    for (String name : List.of("a".repeat(65_536), "\u00e9".repeat(32_768), "\u20ac".repeat(21_846))) {
      var e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(new Model(network, null, List.of("b", name)), refused));
      long bytes = name.charAt(0) == 'a' ? 65_536 : name.charAt(0) == '\u00e9' ? 65_536 : 65_538;
      assertEquals("class 1's name is " + bytes + " bytes in UTF-8, more than a model file holds (65535): cannot save the model to "
          + refused, e.getMessage());
    }
    assertEquals(List.of("longest.caviar"), listing(dir));
  }

  /**
   * The same name written to a stream (a model copied through memory, as Model's doc says to give
   * each thread its own) was writeUTF's UTFDataFormatException quoting the name's start, with the
   * stream already holding the model's first part.
   */
  @Test
  void aClassNameTooLongIsNamedWhenWrittenToAStream() {
    Network network = Network.create(NetworkSpec.parse("2-3-2"), 1);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    var e = assertThrows(IllegalArgumentException.class,
        () -> ModelFile.write(new Model(network, null, List.of("b", "a".repeat(65_536))), bytes));
    assertEquals("class 1's name is 65536 bytes in UTF-8, more than a model file holds (65535)", e.getMessage());
    assertEquals(0, bytes.size(), "nothing written");
  }

  /** The loaded model's classes of every test row, and its loss there, are the saved one's, to the bit. */
  private static void assertPredictsAsSaved(Model saved, Model loaded) {
    int n = rawTest.rows();
    int[] before = new int[n];
    int[] after = new int[n];
    saved.predict(rawTest.features(), n, before);
    loaded.predict(rawTest.features(), n, after);
    assertArrayEquals(before, after);
    assertEquals(saved.evaluate(rawTest).loss(), loaded.evaluate(rawTest).loss());
  }
}
