package org.caviar.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * {@link VectorGemm} split over a fixed pool: the calling thread takes one share and
 * {@code threads - 1} daemon workers take the others. The split runs along n (each thread packs
 * only its own columns of B) when n has enough micro-tile columns, else along m; shares are whole
 * micro-tiles so no tile is cut. Products below {@link #MIN_PARALLEL_FLOPS} stay on the calling
 * thread, where a hand-off (tens of microseconds to wake a parked worker) would cost more than it
 * saves.
 */
final class ParallelGemm extends Gemm {
  /** 2 m n k below which one thread is faster: about 40 microseconds of single-thread work. */
  static final long MIN_PARALLEL_FLOPS = 4L << 20;

  private static final ConcurrentHashMap<Integer, ParallelGemm> BY_THREADS = new ConcurrentHashMap<>();

  private final int threads;
  private final ExecutorService pool;

  /** The shared instance for a thread count: pools are never shut down, so never duplicated. */
  static ParallelGemm withThreads(int threads) {
    return BY_THREADS.computeIfAbsent(threads, ParallelGemm::new);
  }

  private ParallelGemm(int threads) {
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, "caviar-gemm");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    long flops = 2L * m * n * k;
    int colTiles = (n + VectorGemm.NR - 1) / VectorGemm.NR;
    int rowTiles = (m + VectorGemm.MR - 1) / VectorGemm.MR;
    boolean splitN = colTiles >= threads;
    int parts = Math.min(threads, splitN ? colTiles : rowTiles);
    if (flops < MIN_PARALLEL_FLOPS || parts < 2) {
      VectorGemm.INSTANCE.compute(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    int tiles = splitN ? colTiles : rowTiles;
    int unit = splitN ? VectorGemm.NR : VectorGemm.MR;
    int extent = splitN ? n : m;
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int t = 1; t < parts; t++) {
      int lo = Math.min(extent, (int) ((long) tiles * t / parts) * unit);
      int hi = Math.min(extent, (int) ((long) tiles * (t + 1) / parts) * unit);
      futures[t - 1] = pool.submit(() -> share(splitN, lo, hi, transA, transB, m, n, k, alpha,
          a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
    }
    int hi0 = Math.min(extent, (tiles / parts) * unit);
    share(splitN, 0, hi0, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a GEMM share", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a GEMM share failed", e.getCause());
      }
    }
  }

  private static void share(
      boolean splitN, int lo, int hi, boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    if (lo >= hi) return;
    if (splitN) VectorGemm.block(transA, transB, 0, m, lo, hi, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    else VectorGemm.block(transA, transB, lo, hi, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }
}
