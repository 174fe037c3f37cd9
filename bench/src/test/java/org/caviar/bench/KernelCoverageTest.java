package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.caviar.kernels.Activations;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.BatchNorm;
import org.caviar.kernels.Dropout;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Optimizers;
import org.caviar.kernels.Softmax;
import org.junit.jupiter.api.Test;

/**
 * The guide wants every kernel benchmarked: each public computing method of the kernels' classes
 * must be called somewhere in the bench module's code (a benchmark, or the helper it measures
 * through, such as GemmPeers or TrainGemmReplay). Read from the compiled classes' calls, so that a
 * kernel added to kernels/ without a benchmark fails here.
 */
class KernelCoverageTest {
  /** The kernels' public classes; Workers is the thread team the parallel ones run on, not a kernel. */
  private static final List<Class<?>> KERNELS =
      List.of(Gemm.class, Softmax.class, BatchNorm.class, Activations.class, Dropout.class, ArrayOps.class, Optimizers.class);

  @Test
  void everyPublicKernelMethodIsCalledByTheBenchmarks() throws IOException, URISyntaxException {
    Set<String> called = new TreeSet<>();
    Path classes = Path.of(PeakBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path bench = classes.resolve("org/caviar/bench");
    assertTrue(Files.isDirectory(bench), bench + " holds the bench module's classes");
    try (Stream<Path> files = Files.list(bench)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        ClassModel model = ClassFile.of().parse(file);
        for (MethodModel m : model.methods()) {
          m.code().ifPresent(code -> code.forEach(e -> {
            if (e instanceof InvokeInstruction i) {
              called.add(i.owner().asInternalName().replace('/', '.') + "." + i.name().stringValue() + i.type().stringValue());
            }
          }));
        }
      }
    }
    Set<String> missing = new TreeSet<>();
    int kernels = 0;
    for (Class<?> k : KERNELS) {
      for (Method m : k.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) continue; // the factories
        kernels++;
        String key = k.getName() + "." + m.getName() + descriptor(m);
        if (!called.contains(key)) missing.add(key);
      }
    }
    assertTrue(kernels >= 25, "found only " + kernels + " kernel methods: the reflection above misses some");
    assertEquals(Set.of(), missing, "kernel methods no benchmark calls");
  }

  private static String descriptor(Method m) {
    StringBuilder d = new StringBuilder("(");
    for (Class<?> p : m.getParameterTypes()) d.append(p.descriptorString());
    return d.append(')').append(m.getReturnType().descriptorString()).toString();
  }
}
