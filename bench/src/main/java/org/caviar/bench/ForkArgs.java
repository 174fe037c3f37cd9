package org.caviar.bench;

/**
 * JVM arguments every benchmark fork gets, as constants so that {@code @Fork(jvmArgsAppend = ...)}
 * can name them. Appended, so a fork also inherits the launching JVM's own arguments.
 */
final class ForkArgs {
  private ForkArgs() {}

  /** The Vector API is an incubator module: without it neither Caviar nor VectorBLAS loads. */
  static final String VECTOR = "--add-modules=jdk.incubator.vector";

  /** JNIBLAS loads a JNI library and {@link OpenBlas} calls OpenBLAS through the FFM API. */
  static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

  /** JMH 1.37 reads fields through sun.misc.Unsafe, which JDK 24+ warns about in every fork. */
  static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";

  /** A fixed heap, so that no fork resizes it while measuring; the largest benchmark needs ~20 MB. */
  static final String HEAP_MIN = "-Xms1g";

  static final String HEAP_MAX = "-Xmx1g";
}
