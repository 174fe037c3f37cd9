package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

/**
 * The thread count an {@code openblas-all} row reports is the one OpenBLAS runs, not the one it
 * was asked for: Debian's libopenblas0-serial also provides libblas.so.3 with the OpenBLAS entry
 * points, and its openblas_set_num_threads does nothing. Its rows said all cores and took the
 * all-core peak for work done on one thread. (Stand-ins for the native entry points: this machine
 * may have no OpenBLAS.)
 */
class OpenBlasTest {
  private static int requested = 1;

  static void serialSet(int threads) {}

  static int serialGet() {
    return 1;
  }

  static void pthreadSet(int threads) {
    requested = threads;
  }

  static int pthreadGet() {
    return requested;
  }

  private static OpenBlas build(String set, String get) throws ReflectiveOperationException {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    MethodHandle s = lookup.findStatic(OpenBlasTest.class, set, MethodType.methodType(void.class, int.class));
    MethodHandle g = lookup.findStatic(OpenBlasTest.class, get, MethodType.methodType(int.class));
    return new OpenBlas(null, s, g, "OpenBLAS 0.3.21 stand-in");
  }

  @Test
  void aSerialBuildRunsOneThreadWhateverItIsAsked() throws Exception {
    OpenBlas serial = build("serialSet", "serialGet");
    assertEquals(1, serial.setThreads(8));
    assertEquals(1, serial.threadsOnAllCores());
    assertEquals(1, GemmPeers.threads("openblas-all", serial));
    assertEquals(1, GemmPeers.threads("openblas", serial));
  }

  @Test
  void aThreadedBuildRunsWhatItIsAsked() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    OpenBlas pthread = build("pthreadSet", "pthreadGet");
    assertEquals(cores, pthread.threadsOnAllCores());
    assertEquals(cores, GemmPeers.threads("openblas-all", pthread));
    assertEquals(3, pthread.setThreads(3));
    // Without OpenBLAS, the name alone decides.
    assertEquals(cores, GemmPeers.threads("openblas-all", null));
  }
}
