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
}
