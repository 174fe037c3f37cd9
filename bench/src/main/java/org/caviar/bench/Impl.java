package org.caviar.bench;

import java.util.function.Supplier;

/** The kernel a benchmark's {@code impl} parameter names: the scalar reference or the Vector API one. */
final class Impl {
  private Impl() {}

  static <T> T scalarOrVector(String impl, Supplier<T> scalar, Supplier<T> vector) {
    return switch (impl) {
      case "scalar" -> scalar.get();
      case "vector" -> vector.get();
      default -> throw new IllegalArgumentException("impl must be scalar or vector, got " + impl);
    };
  }
}
