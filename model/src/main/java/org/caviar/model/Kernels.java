package org.caviar.model;

import java.util.Objects;
import org.caviar.kernels.Activations;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.BatchNorm;
import org.caviar.kernels.Dropout;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Optimizers;
import org.caviar.kernels.Softmax;

/**
 * The kernel implementations a network computes with. {@link #vector()} is the default: the
 * Vector API kernels with a single-threaded GEMM, which keeps training deterministic for a seed.
 * {@link #parallel(int)} swaps in a multi-threaded GEMM; {@link #scalar()} uses the plain
 * references (slow; for cross-checking).
 */
public record Kernels(
    Gemm gemm,
    Activations activations,
    BatchNorm batchNorm,
    Softmax softmax,
    ArrayOps arrayOps,
    Optimizers optimizers,
    Dropout dropout) {

  public Kernels {
    Objects.requireNonNull(gemm, "gemm");
    Objects.requireNonNull(activations, "activations");
    Objects.requireNonNull(batchNorm, "batchNorm");
    Objects.requireNonNull(softmax, "softmax");
    Objects.requireNonNull(arrayOps, "arrayOps");
    Objects.requireNonNull(optimizers, "optimizers");
    Objects.requireNonNull(dropout, "dropout");
  }

  /** The Vector API kernels, GEMM on the calling thread. */
  public static Kernels vector() {
    return new Kernels(
        Gemm.vector(), Activations.vector(), BatchNorm.vector(), Softmax.vector(),
        ArrayOps.vector(), Optimizers.vector(), Dropout.vector());
  }

  /** The Vector API kernels with GEMM split over {@code threads} threads. */
  public static Kernels parallel(int threads) {
    return vector().withGemm(Gemm.parallel(threads));
  }

  /** The scalar reference kernels. */
  public static Kernels scalar() {
    return new Kernels(
        Gemm.scalar(), Activations.scalar(), BatchNorm.scalar(), Softmax.scalar(),
        ArrayOps.scalar(), Optimizers.scalar(), Dropout.scalar());
  }

  /** The same kernels with another GEMM, e.g. {@code Gemm.parallel(4)}. */
  public Kernels withGemm(Gemm other) {
    return new Kernels(other, activations, batchNorm, softmax, arrayOps, optimizers, dropout);
  }
}
