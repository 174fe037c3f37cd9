package org.caviar.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link VectorGemm} split over {@code threads} threads: the calling thread takes one share and
 * {@code threads - 1} daemon workers take the others. The split runs along n (each thread packs
 * only its own columns of B) when n has enough micro-tile columns, else along m; shares are whole
 * micro-tiles, so every element is computed exactly as one thread would compute it.
 *
 * <p>Training calls GEMM thousands of times a second on products of a few hundred microseconds,
 * so the hand-off must cost far less than that. An executor's queue and a parked worker took tens
 * of microseconds to wake on these machines (two threads were slower than one on 784-256-256-10
 * training), so each worker has a plain slot for its share and spins on it for
 * {@link #SPIN_NANOS} after its last share before it parks. Products below
 * {@link #MIN_PARALLEL_FLOPS} stay on the calling thread. A caller that finds the workers busy
 * with another caller's product computes its own product alone rather than wait.
 */
final class ParallelGemm extends Gemm {
  /**
   * 2 m n k below which one thread is faster (about 20 microseconds of one thread's work). At
   * 1 MFLOP the digits MLP's 2-MFLOP products were split and its training ran at 0.64x of one
   * thread (JMH, --full); 4 MFLOP still splits every 784-256-256-10 product at batch 32, which
   * ran at 1.36x.
   */
  static final long MIN_PARALLEL_FLOPS = 4L << 20;
  /** How long an idle worker watches its slot before it parks. */
  static final long SPIN_NANOS = 200_000;

  private static final ConcurrentHashMap<Integer, ParallelGemm> BY_THREADS = new ConcurrentHashMap<>();

  private final int threads;
  private final Worker[] workers;
  private final ReentrantLock busy = new ReentrantLock();

  /** The shared instance for a thread count: workers live as long as the JVM, so never duplicated. */
  static ParallelGemm withThreads(int threads) {
    return BY_THREADS.computeIfAbsent(threads, ParallelGemm::new);
  }

  private ParallelGemm(int threads) {
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker("caviar-gemm-" + (i + 1));
      workers[i].start();
    }
  }

  @Override
  void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    int colTiles = (n + VectorGemm.NR - 1) / VectorGemm.NR;
    int rowTiles = (m + VectorGemm.MR - 1) / VectorGemm.MR;
    boolean splitN = colTiles >= threads;
    int tiles = splitN ? colTiles : rowTiles;
    int parts = Math.min(threads, tiles);
    if (2L * m * n * k < MIN_PARALLEL_FLOPS || parts < 2 || !busy.tryLock()) {
      VectorGemm.INSTANCE.compute(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    try {
      int unit = splitN ? VectorGemm.NR : VectorGemm.MR;
      int extent = splitN ? n : m;
      for (int t = 1; t < parts; t++) {
        int lo = Math.min(extent, (int) ((long) tiles * t / parts) * unit);
        int hi = Math.min(extent, (int) ((long) tiles * (t + 1) / parts) * unit);
        workers[t - 1].submit(splitN, lo, hi, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
      int hi0 = Math.min(extent, (tiles / parts) * unit);
      share(splitN, 0, hi0, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      for (int t = 1; t < parts; t++) workers[t - 1].awaitDone();
    } finally {
      busy.unlock();
    }
  }

  private static void share(
      boolean splitN, int lo, int hi, boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    if (lo >= hi) return;
    if (splitN) VectorGemm.block(transA, transB, 0, m, lo, hi, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    else VectorGemm.block(transA, transB, lo, hi, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /**
   * A daemon thread with one slot: the caller fills the share's fields, then sets
   * {@code pending}; the worker computes it and clears {@code pending}. The volatile write and
   * read of {@code pending} order the plain fields on both sides.
   */
  private static final class Worker extends Thread {
    private volatile boolean pending;
    private volatile boolean parked;
    private volatile Throwable failure;

    private boolean splitN, transA, transB;
    private int lo, hi, m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
    private float alpha, beta;
    private float[] a, b, c;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    void submit(
        boolean splitN, int lo, int hi, boolean transA, boolean transB, int m, int n, int k, float alpha,
        float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
      this.splitN = splitN;
      this.lo = lo;
      this.hi = hi;
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
      pending = true;
      // Dekker with the worker's (parked = true; read pending): one of the two sees the other.
      if (parked) LockSupport.unpark(this);
    }

    void awaitDone() {
      while (pending) Thread.onSpinWait();
      Throwable f = failure;
      if (f != null) {
        failure = null;
        throw new IllegalStateException("a GEMM share failed on " + getName(), f);
      }
    }

    @Override
    public void run() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (true) {
        if (pending) {
          try {
            share(splitN, lo, hi, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
          } catch (Throwable e) {
            failure = e;
          }
          a = b = c = null; // do not keep the caller's arrays alive
          pending = false;
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          parked = true;
          if (!pending) LockSupport.park(this);
          parked = false;
          spinUntil = System.nanoTime() + SPIN_NANOS;
        }
      }
    }
  }
}
