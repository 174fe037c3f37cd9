package org.caviar.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link VectorGemm} split over the {@link Workers} team of {@code threads} threads: the calling
 * thread takes one share and the team's workers the others. Shares are whole micro-tiles, so every
 * element is computed exactly as one thread would compute it.
 *
 * <p>Each thread packs its own panels, so a split along n packs all of op(A) once per thread and
 * a split along m all of op(B): the split goes along m when op(B) is the smaller, {@code m > n}
 * (op(A) is {@code m x k}, op(B) {@code k x n}), and m has a micro-tile for every thread, and
 * also whenever n has fewer micro-tiles than threads (see {@link #alongColumns}). Measured on
 * the 784-256-256-10 training products at batch 128 (each thread's share timed alone against one
 * thread on the whole): the weight gradient {@code X^T dY} (784 x 256, k = 128) split along m
 * ran 1.82x, along n 1.65x, where every thread packed and transposed all 100 K elements of X.
 * Square products stay split along n: 1024^3 NN ran at 1.62x of one thread split along m, 2.0x
 * along n (JMH).
 *
 * <p>Products below {@link #MIN_PARALLEL_FLOPS} stay on the calling thread. A caller that finds
 * the team busy with another caller's product computes its own product alone rather than wait.
 */
final class ParallelGemm extends Gemm {
  /**
   * 2 m n k below which one thread is faster (about 20 microseconds of one thread's work). At
   * 1 MFLOP the digits MLP's 2-MFLOP products were split and its training ran at 0.64x of one
   * thread (JMH, --full); 4 MFLOP still splits every 784-256-256-10 product at batch 32, which
   * ran at 1.36x.
   */
  static final long MIN_PARALLEL_FLOPS = 4L << 20;

  private static final ConcurrentHashMap<Integer, ParallelGemm> BY_THREADS = new ConcurrentHashMap<>();

  private final int threads;
  private final Workers team;
  private final Share share = new Share();
  private final ReentrantLock busy = new ReentrantLock();

  /** The shared instance for a thread count, on the shared team of that count. */
  static ParallelGemm withThreads(int threads) {
    return BY_THREADS.computeIfAbsent(threads, ParallelGemm::new);
  }

  private ParallelGemm(int threads) {
    this.threads = threads;
    this.team = Workers.of(threads);
  }

  /**
   * Whether a product of this shape is split along n (else along m) over {@code threads}: when n
   * has a micro-tile ({@link VectorGemm#NR} columns) for every thread and either {@code m <= n} or
   * m has fewer micro-tiles ({@link VectorGemm#MR} rows) than threads.
   */
  static boolean alongColumns(int m, int n, int threads) {
    int colTiles = Math.ceilDiv(n, VectorGemm.NR);
    int rowTiles = Math.ceilDiv(m, VectorGemm.MR);
    return colTiles >= threads && (m <= n || rowTiles < threads);
  }

  /** The shares of a split of {@code extent} rows or columns in whole {@code unit}s: one a unit, at most {@code threads}. */
  static int parts(int extent, int unit, int threads) {
    // ceilDiv: (extent + unit - 1) / unit wrapped negative for an extent within a unit of Integer.MAX_VALUE.
    return Math.min(threads, Math.ceilDiv(extent, unit));
  }

  @Override
  void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    boolean splitN = alongColumns(m, n, threads);
    int unit = splitN ? VectorGemm.NR : VectorGemm.MR;
    int extent = splitN ? n : m;
    int parts = parts(extent, unit, threads);
    // isHeldByCurrentThread: a caller inside one of this GEMM's own shares computes alone.
    if (2L * m * n * k < MIN_PARALLEL_FLOPS || parts < 2 || busy.isHeldByCurrentThread() || !busy.tryLock()) {
      VectorGemm.INSTANCE.compute(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    try {
      share.set(splitN, unit, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      team.run(parts, share);
    } finally {
      share.clear();
      busy.unlock();
    }
  }

  /** The product being split; filled under {@code busy}, read by the team's threads. */
  private static final class Share implements Workers.Task {
    private boolean splitN, transA, transB;
    private int unit, m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
    private float alpha, beta;
    private float[] a, b, c;

    void set(
        boolean splitN, int unit, boolean transA, boolean transB, int m, int n, int k, float alpha,
        float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
      this.splitN = splitN;
      this.unit = unit;
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.beta = beta;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
    }

    /** Drops the caller's arrays, so that they are not kept alive. */
    void clear() {
      a = b = c = null;
    }

    @Override
    public void run(int part, int parts) {
      int lo = Workers.boundary(splitN ? n : m, unit, part, parts);
      int hi = Workers.boundary(splitN ? n : m, unit, part + 1, parts);
      if (lo >= hi) return;
      if (splitN) VectorGemm.block(transA, transB, 0, m, lo, hi, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      else VectorGemm.block(transA, transB, lo, hi, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }
}
