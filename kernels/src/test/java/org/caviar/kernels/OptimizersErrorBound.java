package org.caviar.kernels;

/**
 * Running error analysis for the optimizer tests: a quantity that a kernel computes in float,
 * held as its exact value (evaluated in double) and a bound on how far the kernel's float result
 * can be from it. Each operation propagates its operands' bounds (rigorously, second-order terms
 * included) and adds the rounding of its own result, {@code u |result| + 2^-150} with
 * {@code u = 2^-24} (the second term covers subnormal results, whose rounding error is absolute).
 * A fused multiply-add rounds once where a multiply and an add round twice; following each
 * kernel's own sequence of operations is what makes the bound as tight as its arithmetic.
 *
 * <p>The values are doubles, not reals: every double operation is off by at most {@code 2^-53} of
 * its result where the float bound adds {@code 2^-24} of it, and both propagate alike, so the
 * double error is below {@code 2^-29} of the bound. {@link #tolerance()} adds {@code 2^-20}.
 */
record OptimizersErrorBound(double value, double error) {
  static final double U = 0x1p-24;
  private static final double UNDERFLOW = 0x1p-150;

  /** A float input, exact. */
  static OptimizersErrorBound exact(float x) {
    return new OptimizersErrorBound(x, 0);
  }

  /** A constant whose exact value is {@code exact} and which the kernel holds as {@code stored}. */
  static OptimizersErrorBound constant(double exact, float stored) {
    return new OptimizersErrorBound(exact, Math.abs(stored - exact));
  }

  /**
   * A constant that a correct kernel computes to within {@code relative} of {@code exact}: the
   * bound comes from how the constant should be computed, not from the value the kernel returned.
   */
  static OptimizersErrorBound within(double exact, double relative) {
    return new OptimizersErrorBound(exact, relative * Math.abs(exact));
  }

  /** The bound with room for the doubles' own rounding (see the class comment). */
  double tolerance() {
    return error * (1 + 0x1p-20);
  }

  private static OptimizersErrorBound rounded(double value, double propagated) {
    return new OptimizersErrorBound(value, propagated + U * (Math.abs(value) + propagated) + UNDERFLOW);
  }

  private static double productError(OptimizersErrorBound a, OptimizersErrorBound b) {
    return Math.abs(a.value) * b.error + Math.abs(b.value) * a.error + a.error * b.error;
  }

  OptimizersErrorBound plus(OptimizersErrorBound b) {
    return rounded(value + b.value, error + b.error);
  }

  OptimizersErrorBound minus(OptimizersErrorBound b) {
    return rounded(value - b.value, error + b.error);
  }

  OptimizersErrorBound times(OptimizersErrorBound b) {
    return rounded(value * b.value, productError(this, b));
  }

  /** {@code this * b + c}, rounded once. */
  OptimizersErrorBound fma(OptimizersErrorBound b, OptimizersErrorBound c) {
    return rounded(value * b.value + c.value, productError(this, b) + c.error);
  }

  /** |a'/b' - a/b| <= (ea |b| + |a| eb) / (|b| (|b| - eb)) when |b| > eb. */
  OptimizersErrorBound dividedBy(OptimizersErrorBound b) {
    double d = Math.abs(b.value);
    if (!(d > b.error)) throw new IllegalStateException("divisor " + b + " may be 0");
    return rounded(value / b.value, (error * d + Math.abs(value) * b.error) / (d * (d - b.error)));
  }

  /** |sqrt(a') - sqrt(a)| = |a' - a| / (sqrt(a') + sqrt(a)) <= min(sqrt(ea), ea / sqrt(a)). */
  OptimizersErrorBound sqrt() {
    double propagated = value > 0 ? Math.min(Math.sqrt(error), error / Math.sqrt(value)) : Math.sqrt(error);
    return rounded(Math.sqrt(value), propagated);
  }

  OptimizersErrorBound negate() {
    return new OptimizersErrorBound(-value, error);
  }
}
