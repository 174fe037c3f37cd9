package org.caviar.model;

import org.caviar.kernels.Activations;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.BatchNorm;
import org.caviar.kernels.Dropout;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Optimizers;
import org.caviar.kernels.Softmax;

/**
 * The kernel implementations a network computes with, and how many threads one network's work
 * may use. {@link #vector()} is the default: the Vector API kernels on the calling thread, which
 * keeps training deterministic for a seed. {@link #parallel(int)} lets a training step use
 * {@code threads} threads (the trainer splits the network by features, see the trainer), shares an
 * evaluation's chunks between them (see the evaluator) and splits the GEMMs of other inference;
 * {@link #scalar()} uses the plain references (slow; for cross-checking).
 *
 * @param threads threads a training step may use; 1 for the calling thread alone
 */
public record Kernels(
    Gemm gemm,
    Activations activations,
    BatchNorm batchNorm,
    Softmax softmax,
    ArrayOps arrayOps,
    Optimizers optimizers,
    Dropout dropout,
    int threads) {

  public Kernels {
    notNull("gemm", gemm);
    notNull("activations", activations);
    notNull("batchNorm", batchNorm);
    notNull("softmax", softmax);
    notNull("arrayOps", arrayOps);
    notNull("optimizers", optimizers);
    notNull("dropout", dropout);
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
  }

  /** As everywhere in the module: an IllegalArgumentException naming the argument, not a NullPointerException. */
  private static void notNull(String name, Object kernel) {
    if (kernel == null) throw new IllegalArgumentException(name + " must not be null");
  }

  /** The Vector API kernels, GEMM on the calling thread. */
  public static Kernels vector() {
    return new Kernels(
        Gemm.vector(), Activations.vector(), BatchNorm.vector(), Softmax.vector(),
        ArrayOps.vector(), Optimizers.vector(), Dropout.vector(), 1);
  }

  /**
   * The Vector API kernels for {@code threads} threads: training steps split the network over
   * them, an {@code Evaluator} shares its chunks between them, and the GEMMs of other inference
   * (prediction) are split over them.
   */
  public static Kernels parallel(int threads) {
    Kernels v = vector();
    return new Kernels(Gemm.parallel(threads), v.activations, v.batchNorm, v.softmax, v.arrayOps, v.optimizers, v.dropout, threads);
  }

  /** The scalar reference kernels. */
  public static Kernels scalar() {
    return new Kernels(
        Gemm.scalar(), Activations.scalar(), BatchNorm.scalar(), Softmax.scalar(),
        ArrayOps.scalar(), Optimizers.scalar(), Dropout.scalar(), 1);
  }

  /**
   * The same kernels and thread count with another GEMM: {@code vector().withGemm(Gemm.parallel(4))}
   * keeps training steps on one thread and splits only their products (the benchmarks compare it).
   */
  public Kernels withGemm(Gemm other) {
    return new Kernels(other, activations, batchNorm, softmax, arrayOps, optimizers, dropout, threads);
  }
}
