package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.debug.Diagnostics;
import org.caviar.model.debug.GradientCheck;
import org.caviar.model.debug.HistogramRecorder;
import org.caviar.model.debug.LayerStatistics;
import org.caviar.model.debug.WorstExamples;
import org.caviar.model.io.ModelFile;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Parameter;
import org.caviar.model.optim.Optimizer;
import org.caviar.model.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A null where the public API takes an object is an IllegalArgumentException naming the argument,
 * as everywhere else in the module: these were bare NullPointerExceptions from inside the call
 * (Optimizer's and Network.of's list entries only at the first step or pass, far from the cause).
 */
class NullArgumentsTest {
  private static final Dataset DATA = Dataset.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, new int[] {0, 1, 0, 1}, 2, 2);
  private static final NetworkSpec SPEC = NetworkSpec.parse("2-3-2");

  private static void refused(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  @Test
  void nullArgumentsAreNamed() {
    Network network = Network.create(SPEC, 1);
    refused("activation must not be null", () -> SPEC.withActivation(null));
    refused("activation must not be null", () -> Activation.parse(null));
    refused("init must not be null", () -> Init.parse(null));
    // Not null, but as silent: a layer of no inputs got an infinite standard deviation.
    refused("nIn must be >= 1, got 0", () -> Init.HE.std(0, 3));
    refused("nOut must be >= 1, got 0", () -> Init.GLOROT.std(3, 0));
    refused("train must not be null", () -> Standardizer.fit(null));
    refused("data must not be null", () -> Standardizer.fit(DATA).apply(null));
    refused("data must not be null", () -> Split.stratified(null, 0.5, 0.25, 1));
    refused("indices must not be null", () -> DATA.subset(null));
    refused("spec must not be null", () -> Diagnostics.overfitTinyBatch(null, DATA, 2, 1, 0, Kernels.vector()));
    refused("data must not be null", () -> Diagnostics.overfitTinyBatch(SPEC, null, 2, 1, 0, Kernels.vector()));
    refused("network must not be null", () -> GradientCheck.check(null, DATA, 0f));
    refused("options must not be null", () -> GradientCheck.check(network, DATA.features(), DATA.labels(), 4, 0f, null));
    refused("network must not be null", () -> WorstExamples.find((Network) null, DATA, 1));
    refused("model must not be null", () -> WorstExamples.find((Model) null, DATA, 1));
    refused("data must not be null", () -> WorstExamples.find(new Model(network, null, DATA.classNames()), null, 1));
    refused("network must not be null", () -> LayerStatistics.probe(null, DATA.features(), DATA.labels(), 4, 3));
    refused("network must not be null", () -> new HistogramRecorder(null, DATA, 2, 3));
    refused("parameters[0] must not be null",
        () -> new Optimizer(new OptimizerSpec.Sgd(), Arrays.asList((Parameter) null), 0f, Kernels.vector().optimizers()));
    refused("layers[0] must not be null", () -> Network.of(Arrays.asList((Layer) null), 2, Kernels.vector()));
  }

  /** Building by hand: Kernels' and Dense.initialize's nulls were NullPointerExceptions ("gemm", or from the first draw). */
  @Test
  void handMadePartsNameTheirNullArguments() {
    Kernels v = Kernels.vector();
    refused("gemm must not be null", () -> v.withGemm(null));
    refused("gemm must not be null",
        () -> new Kernels(null, v.activations(), v.batchNorm(), v.softmax(), v.arrayOps(), v.optimizers(), v.dropout(), 1));
    refused("dropout must not be null",
        () -> new Kernels(v.gemm(), v.activations(), v.batchNorm(), v.softmax(), v.arrayOps(), v.optimizers(), null, 1));
    org.caviar.model.layer.Dense dense = new org.caviar.model.layer.Dense("d", 2, 3, true, v.gemm(), v.arrayOps());
    refused("init must not be null", () -> dense.initialize(null, new java.util.Random(1)));
    refused("random must not be null", () -> dense.initialize(Init.HE, null));
    refused("name must not be null", () -> new Parameter(null, 2, 3, true));
    // Taken, and a NullPointerException at the first Trainer (its snapshot of the state) or save.
    refused("name must not be null", () -> new org.caviar.model.layer.StateTensor(null, new float[1]));
    refused("values of s must not be null", () -> new org.caviar.model.layer.StateTensor("s", null));
    // Taken, and a NullPointerException at total() or toString().
    refused("counts must not be null", () -> new org.caviar.model.debug.Histogram(0, 1, null));
    refused("nonFinite must be >= 0, got -1", () -> new org.caviar.model.debug.Histogram(0, 1, new long[2], -1));
  }

  /** Saving and loading: a null path or model was a NullPointerException from java.nio or from inside the writer. */
  @Test
  void modelFilesNameTheirNullArguments() {
    Model model = new Model(Network.create(SPEC, 1), null, java.util.List.of("a", "b"));
    java.nio.file.Path somewhere = java.nio.file.Path.of("model.bin");
    refused("path must not be null", () -> model.save(null));
    refused("path must not be null", () -> Model.load(null));
    refused("path must not be null", () -> ModelFile.save(model, null));
    refused("model must not be null", () -> ModelFile.save(null, somewhere));
    refused("path must not be null", () -> ModelFile.load(null, Kernels.vector()));
    refused("kernels must not be null", () -> ModelFile.load(somewhere, null));
    refused("path must not be null", () -> ModelFile.isModelFile(null));
    refused("model must not be null", () -> ModelFile.write(null, java.io.OutputStream.nullOutputStream()));
    refused("stream must not be null", () -> ModelFile.write(model, null));
    refused("stream must not be null", () -> ModelFile.read(null, "x", Kernels.vector()));
    refused("kernels must not be null", () -> ModelFile.read(java.io.InputStream.nullInputStream(), "x", null));
  }

  /**
   * The loaders and the provenance: a null path, stream or dataset was a NullPointerException from
   * java.nio or from inside the loader ("this.in is null", "all is null"), and a null among the
   * classes to match one from CsvLoader's number parsing ("s is null").
   */
  @Test
  void loadersAndProvenanceNameTheirNullArguments() {
    java.nio.file.Path somewhere = java.nio.file.Path.of("data.csv");
    var csv = org.caviar.model.data.CsvLoader.defaults();
    refused("path must not be null", () -> csv.load((java.nio.file.Path) null));
    refused("path must not be null", () -> csv.loadTable((java.nio.file.Path) null));
    refused("stream must not be null", () -> csv.load((java.io.InputStream) null, "x"));
    refused("stream must not be null", () -> csv.loadTable((java.io.InputStream) null, "x"));
    refused("reader must not be null", () -> csv.load((java.io.Reader) null, "x"));
    refused("images must not be null", () -> org.caviar.model.data.IdxLoader.load(null, somewhere));
    refused("labels must not be null", () -> org.caviar.model.data.IdxLoader.load(somewhere, null));
    refused("images must not be null",
        () -> org.caviar.model.data.IdxLoader.load(null, "i", java.io.InputStream.nullInputStream(), "l"));
    refused("labels must not be null",
        () -> org.caviar.model.data.IdxLoader.load(java.io.InputStream.nullInputStream(), "i", null, "l"));
    refused("all must not be null", () -> org.caviar.model.io.Provenance.of("x", null, 0.5, 0.25, 1));
    var provenance = org.caviar.model.io.Provenance.of("x", DATA, 0.5, 0.25, 1);
    refused("dataset must not be null", () -> provenance.sameData(null));
    refused("dataset must not be null", () -> org.caviar.model.io.Provenance.checksum(null));
    refused("classes[1] must not be null", () -> DATA.inClasses(Arrays.asList("0", null), "the data", "the model"));
  }
}
