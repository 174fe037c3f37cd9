package org.caviar.bench;

/**
 * What one benchmark operation does, so that a throughput in operations per second can be turned
 * into the units a reader wants: GFLOP/s from {@code flops}, GB/s from {@code bytes} and
 * nanoseconds per element from {@code elements}. A zero means the unit does not apply.
 *
 * @param kernel the question, e.g. {@code gemm} or {@code softmax-xent}
 * @param impl who answers it, e.g. {@code caviar-vector} or {@code ejml}
 * @param shape the problem size, without commas (it goes into a CSV cell)
 * @param threads how many threads did the work
 */
record Work(
    String kernel, String impl, String shape, int threads, double flops, double bytes, double elements) {

  static Work flops(String kernel, String impl, String shape, int threads, double flops) {
    return new Work(kernel, impl, shape, threads, flops, 0, 0);
  }

  static Work traffic(String kernel, String impl, String shape, double bytes, double elements) {
    return new Work(kernel, impl, shape, 1, 0, bytes, elements);
  }
}
