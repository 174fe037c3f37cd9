package org.caviar.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The lengths of the arrays a benchmark's setup makes, each a product of its whole-number
 * parameters ({@code "n*n"}, {@code "rows*cols"}) or of a K x N parameter's sides
 * ({@code "layer.K*layer.N"}), as its setup multiplies them. {@link Plan} refuses, before the run,
 * {@code -p} values whose array cannot exist: a product past {@link Plan#MAX_ARRAY_LENGTH} (in int
 * arithmetic it wrapped, and every configuration failed in setup with a stack trace:
 * NegativeArraySizeException for GemmBench's n = 50000).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface ArrayLengths {
  /** One product per array shape, its factors joined by {@code *}. */
  String[] value();

  /**
   * The floats its setup holds at once, as a sum of such products with a whole-number count first
   * where several arrays share a shape ({@code "3*n*n"}: GemmBench's A, B and C): {@link Plan}
   * refuses values whose arrays alone pass the forks' heap ({@link ForkArgs#HEAP_MAX}), where every
   * configuration ran into an OutOfMemoryError in setup. Arrays of a few values (a row of biases)
   * are left out: a lower bound, so that nothing it refuses could have run.
   */
  String[] heap() default {};
}
