package org.caviar.bench;

import dev.ludovic.netlib.blas.NativeBLAS;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OpenBLAS as dev.ludovic.netlib's JNIBLAS runs it: JNIBLAS loads the system's
 * {@code libblas.so.3}, which on Debian is OpenBLAS once {@code libopenblas0-pthread} is
 * installed. The benchmarks never need it; {@link #probe()} says whether it is there and, if not,
 * why. The library's own entry points, reached through the FFM API, tell OpenBLAS from another
 * BLAS and set its thread count, which JNIBLAS cannot.
 */
@SuppressWarnings("restricted") // FFM calls: ForkArgs.NATIVE and run-quick grant native access
final class OpenBlas {
  /** Kept strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas");

  private final NativeBLAS blas;
  private final MethodHandle setNumThreads;
  private final MethodHandle getNumThreads;
  private final String config;
  private final int threadsOnAllCores;

  /** The library, or why there is none ({@code openBlas == null}). */
  record Probe(OpenBlas openBlas, String absence) {}

  /**
   * @param setNumThreads {@code openblas_set_num_threads}, {@code (int)void}
   * @param getNumThreads {@code openblas_get_num_threads}, {@code ()int}
   */
  OpenBlas(NativeBLAS blas, MethodHandle setNumThreads, MethodHandle getNumThreads, String config) {
    this.blas = blas;
    this.setNumThreads = setNumThreads;
    this.getNumThreads = getNumThreads;
    this.config = config;
    this.threadsOnAllCores = setThreads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Silences netlib's warnings about implementations it could not load: the summary states what
   * was measured and what was absent in its own words.
   */
  static void quietNetlibLogs() {
    NETLIB_LOG.setLevel(Level.SEVERE);
  }

  /** Probed once per JVM: the answer does not change, and a summary asks for every GEMM row. */
  private static final class Probed {
    static final Probe PROBE = probeNow();
  }

  static Probe probe() {
    return Probed.PROBE;
  }

  private static Probe probeNow() {
    quietNetlibLogs();
    NativeBLAS blas;
    try {
      blas = NativeBLAS.getInstance();
    } catch (RuntimeException | LinkageError e) {
      return new Probe(null, "JNIBLAS found no native BLAS (" + e.getMessage()
          + "); on Debian, apt-get install libopenblas0-pthread");
    }
    String library = libraryName();
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup lookup = libraryLookup(library);
      Optional<MemorySegment> setThreads = lookup.find("openblas_set_num_threads");
      Optional<MemorySegment> getThreads = lookup.find("openblas_get_num_threads");
      Optional<MemorySegment> getConfig = lookup.find("openblas_get_config");
      if (setThreads.isEmpty() || getThreads.isEmpty() || getConfig.isEmpty()) {
        return new Probe(null, "JNIBLAS runs " + library + ", which is not OpenBLAS");
      }
      MethodHandle set = linker.downcallHandle(setThreads.get(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
      MethodHandle threads = linker.downcallHandle(getThreads.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
      MethodHandle get = linker.downcallHandle(getConfig.get(), FunctionDescriptor.of(ValueLayout.ADDRESS));
      MemorySegment text = (MemorySegment) get.invokeExact();
      String config = text.reinterpret(Long.MAX_VALUE).getString(0).trim();
      return new Probe(new OpenBlas(blas, set, threads, config), null);
    } catch (Throwable e) {
      return new Probe(null, "JNIBLAS runs " + library + ", whose OpenBLAS entry points failed: " + e);
    }
  }

  /** The library JNIBLAS opens, by the same system properties it reads. */
  private static String libraryName() {
    String path = System.getProperty("dev.ludovic.netlib.blas.nativeLibPath");
    if (path != null) return path;
    return System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3");
  }

  private static SymbolLookup libraryLookup(String library) {
    // dlopen of a library already loaded returns the same handle, and a symbol lookup on it also
    // searches the libraries it depends on (Debian's libblas.so.3 is a shim over libopenblas.so.0).
    return library.indexOf('/') >= 0
        ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
        : SymbolLookup.libraryLookup(library, Arena.global());
  }

  NativeBLAS blas() {
    return blas;
  }

  /** OpenBLAS's build description, e.g. {@code OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64}. */
  String config() {
    return config;
  }

  /**
   * Sets OpenBLAS's own thread pool for every later call, process-wide, and returns the threads
   * OpenBLAS says it now uses: fewer than asked in a serial build (Debian's libopenblas0-serial,
   * whose set is a no-op) or one whose MAX_THREADS is below the request.
   */
  int setThreads(int threads) {
    try {
      setNumThreads.invokeExact(threads);
      return (int) getNumThreads.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", e);
    }
  }

  /** The threads OpenBLAS runs when asked for every available processor: what {@code openblas-all} is. */
  int threadsOnAllCores() {
    return threadsOnAllCores;
  }
}
