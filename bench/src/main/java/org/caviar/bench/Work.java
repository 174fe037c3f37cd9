package org.caviar.bench;

/**
 * What one benchmark operation does, so that a throughput in operations per second can be turned
 * into the units a reader wants: GFLOP/s from {@code flops}, GB/s from {@code bytes}, nanoseconds
 * per element from {@code elements} and examples/s from {@code examples}. A zero means the unit
 * does not apply. A benchmark that measures time per operation (JMH's AverageTime) is reported in
 * JMH's own unit, and its work is only named.
 *
 * @param kernel the question, e.g. {@code gemm} or {@code softmax-xent}
 * @param impl who answers it, e.g. {@code caviar-vector} or {@code ejml}
 * @param shape the problem size, without commas (it goes into a CSV cell)
 * @param threads how many threads did the work
 * @param examples training examples one operation processes
 */
record Work(
    String kernel, String impl, String shape, int threads, double flops, double bytes, double elements,
    double examples) {

  static Work flops(String kernel, String impl, String shape, int threads, double flops) {
    return new Work(kernel, impl, shape, threads, flops, 0, 0, 0);
  }

  static Work traffic(String kernel, String impl, String shape, double bytes, double elements) {
    return new Work(kernel, impl, shape, 1, 0, bytes, elements, 0);
  }

  /** Training: examples/s, and GFLOP/s from the flops the examples count for. */
  static Work training(String kernel, String impl, String shape, int threads, double flops, double examples) {
    return new Work(kernel, impl, shape, threads, flops, 0, 0, examples);
  }

  /** A benchmark in time per operation. */
  static Work latency(String kernel, String impl, String shape, int threads) {
    return new Work(kernel, impl, shape, threads, 0, 0, 0, 0);
  }
}
