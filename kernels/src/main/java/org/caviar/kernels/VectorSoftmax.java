package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax on the Vector API. A first read-only sweep finds every row's maximum and rejects a bad
 * row before anything is written; the maxima are kept (in a per-thread workspace up to
 * {@link #KEPT_MAXIMA} rows) so they are not computed twice. Then each row takes two sweeps:
 * {@code e = exp(x - max)} stored while its sum accumulates, then one multiply by
 * {@code 1 / sum} (L1-resident by then).
 *
 * <p>{@code exp} is inline polynomial arithmetic (see {@link #expStore}) rather than
 * {@code lanewise(EXP)}, which on x86 calls out to an SVML stub: exp, store and sum of 256K floats
 * measured 1.4 to 1.7 times as fast inline (AVX-512), and its error is within 1 ulp.
 *
 * <p>No method here takes or returns a vector. C2 stops inlining ordinary methods once a
 * compilation passes a node-count cutoff, and each Vector API operation costs hundreds of nodes
 * while it is parsed; a refused helper that returns a vector would box it on every call, an order
 * of magnitude slower, whereas a refused helper over arrays is merely a call. For the same reason
 * the {@code exp} code exists once (see {@link #expStore}).
 */
final class VectorSoftmax extends Softmax {
  static final VectorSoftmax INSTANCE = new VectorSoftmax();

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  /**
   * Up to this many classes, cross-entropy runs across rows, L rows at a time with one vector per
   * class ({@link #crossEntropyOfFewClasses}). Along a row, 10 logits fill 10 of 16 lanes, and
   * every row pays for two sums across lanes and a chain of dependent steps: 7.1 ns per logit at
   * 32 x 10 (JMH), against 0.33 for rows of 1000.
   *
   * <p>The block is transposed in and out by scalar loops. Vector gathers and scatters with an
   * index map (stride cols) were faster on AVX-512 (1.4-1.8 ns per logit against 1.9-2.4), but
   * in the training step's compilations they, or the int label vector beside them, were left to
   * the Vector API's Java code, which boxed vectors: 1.6 KB a step at batch 16 on AVX-512, where
   * the same calls alone allocated nothing; and AVX2 has no scatter instruction at all.
   */
  static final int FEW_CLASSES = 16;

  /** Per-thread buffers, grown on demand and then reused, so calls do not allocate. */
  private static final class Workspace {
    /** The row maxima of the call (or chunk) in progress: at most {@link #KEPT_MAXIMA} kept (see {@link #rowMaxima}). */
    float[] maxima = new float[0];
    /** Scratch for the exponentials of a row that log-softmax does not keep. */
    float[] row = new float[0];
    /** One vector, for the partial vector at the end of a row. */
    final float[] pad = new float[L];
    /** Logits of L rows at a time, class by class (see {@link #crossEntropyOfFewClasses}). */
    float[] columns = new float[0];
    /** The rows' labels as floats, for comparisons in float lanes. */
    float[] classes = new float[0];
    /** Per lane: the row's sum of exponentials; the target logit minus the max. */
    final float[] sums = new float[L];
    final float[] targets = new float[L];

    /** For {@code blocks <= CHUNK_ROWS / L} blocks of L rows: bounded. */
    float[] columns(int blocks, int cols) {
      int size = blocks * L * cols;
      if (columns.length < size) columns = new float[size];
      return columns;
    }

    float[] classes(int size) {
      if (classes.length < size) classes = new float[size];
      return classes;
    }

    float[] maxima(int rows) {
      if (maxima.length < rows) maxima = new float[rows];
      return maxima;
    }

    float[] row(int cols) {
      if (row.length < cols) row = new float[cols];
      return row;
    }
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /**
   * The paths across rows for few classes go CHUNK_ROWS rows at a time (64 blocks of L rows), so
   * that their copy of the rows class by class ({@link Workspace#columns}) has a bound whatever the
   * call: at most 64 x 16 x 16 floats, 64 KB, on 16 lanes (32 KB on 8), which stays in a core's L2
   * (256 KB and up) beside the chunk's rows of input and output, as large each. Copying the whole
   * input instead needed an int size that overflowed near 2^31 floats and kept a second input's
   * worth of memory in the thread's workspace for good. The work per row is the same at any chunk
   * size, and 64 blocks leave the few steps per chunk (a loop's start) nothing to weigh. A call
   * of at most one chunk (every training batch up to 1024 rows on 16 lanes) takes one pass as
   * before; over more, every row's maximum is checked in a first, read-only pass, since a bad row
   * must be rejected before anything is written (y may be x) and a chunk is written before the
   * next is read.
   */
  static final int CHUNK_ROWS = 64 * L;

  /** The floats the calling thread's workspace holds: what its buffers keep alive between calls. */
  static long workspaceFloats() {
    Workspace ws = WORKSPACE.get();
    return (long) ws.maxima.length + ws.row.length + ws.pad.length + ws.columns.length + ws.classes.length
        + ws.sums.length + ws.targets.length;
  }

  private VectorSoftmax() {}

  @Override
  void forwardImpl(int rows, int cols, float[] x, float[] y) {
    if (cols <= FEW_CLASSES) {
      fewClasses(rows, cols, x, y, false);
      return;
    }
    Workspace ws = WORKSPACE.get();
    float[] maxima = checkedMaxima(rows, cols, x, "x", rowMaxima(ws, rows));
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      float sum = expStore(x, base, cols, maxima[r], y, base, ws.pad);
      scale(y, base, cols, 1f / sum);
    }
  }

  @Override
  void logForwardImpl(int rows, int cols, float[] x, float[] y) {
    if (cols <= FEW_CLASSES) {
      fewClasses(rows, cols, x, y, true);
      return;
    }
    Workspace ws = WORKSPACE.get();
    float[] maxima = checkedMaxima(rows, cols, x, "x", rowMaxima(ws, rows));
    // The exponentials go to scratch: y may be x, which the last sweep still reads.
    float[] scratch = ws.row(cols);
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      float max = maxima[r];
      float logSum = (float) Math.log(expStore(x, base, cols, max, scratch, 0, ws.pad));
      shift(x, base, cols, max, logSum, y);
    }
  }

  @Override
  float crossEntropyImpl(int rows, int cols, float[] logits, int[] labels, float[] grad) {
    if (cols <= FEW_CLASSES) return crossEntropyOfFewClasses(rows, cols, logits, labels, grad);
    Workspace ws = WORKSPACE.get();
    float[] maxima = checkedMaxima(rows, cols, logits, "logits", rowMaxima(ws, rows));
    float invRows = 1f / rows;
    double loss = 0;
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      int at = base + labels[r];
      float max = maxima[r];
      // Read before the row of grad, which may be logits, is written.
      float target = logits[at] - max;
      float sum = expStore(logits, base, cols, max, grad, base, ws.pad);
      // p - 1 = -(the other classes' exps) / sum, with those summed apart: p - 1 by subtraction
      // keeps only the absolute error of p (~1 ulp of 1), all of the result when p ~ 1.
      grad[at] = 0f;
      float others = rowSum(grad, base, cols, ws.pad);
      float inv = 1f / sum;
      scale(grad, base, cols, inv * invRows);
      grad[at] = (0f - others * inv) * invRows; // 0 - x: +0, not -0, for a single class
      loss += Math.log(sum) - target;
    }
    return (float) (loss / rows);
  }

  /**
   * Cross-entropy for rows of at most {@link #FEW_CLASSES} logits, across rows: lane i of a vector
   * holds row {@code r0 + i}, and class j of L rows is one vector of a transposed copy. The
   * arithmetic per row is the reference's, in its order: the maximum, {@code exp(x - max)} summed
   * over the classes left to right, the other classes' sum for the label entry, the scaling. By
   * chunks of {@link #CHUNK_ROWS} rows: a first pass copies every block of the chunk into
   * {@code columns} and finds the maxima (reading only, so a bad row is rejected before anything
   * is written; over several chunks, {@link #checkRows} has checked every row before); the second
   * computes each block's gradient and copies it back to {@code grad}, which may be {@code logits}.
   */
  private static float crossEntropyOfFewClasses(int rows, int cols, float[] logits, int[] labels, float[] grad) {
    Workspace ws = WORKSPACE.get();
    if (rows > CHUNK_ROWS) checkRows(rows, cols, logits, "logits");
    int chunkBlocks = blocks(Math.min(rows, CHUNK_ROWS));
    float[] maxima = ws.maxima(chunkBlocks * L);
    float[] columns = ws.columns(chunkBlocks, cols);
    float[] classes = ws.classes(chunkBlocks * L);
    float invRows = 1f / rows;
    double loss = 0;
    float[] sums = ws.sums;
    float[] targets = ws.targets;
    for (int first = 0; first < rows; ) {
      int chunk = Math.min(CHUNK_ROWS, rows - first);
      int blocks = blocks(chunk);
      // The labels as floats (-1 past the chunk's last row).
      for (int r = 0; r < blocks * L; r++) classes[r] = r < chunk ? labels[first + r] : -1f;
      checkedBlocks(first, chunk, cols, logits, "logits", columns, maxima);
      for (int b = 0; b < blocks; b++) {
        int r0 = b * L;
        int at = b * cols * L;
        int n = Math.min(L, chunk - r0);
        gradientBlock(columns, at, cols, maxima, classes, r0, invRows, sums, targets, ws.pad);
        for (int lane = 0; lane < n; lane++) {
          int to = (first + r0 + lane) * cols;
          for (int j = 0; j < cols; j++) grad[to + j] = columns[at + j * L + lane];
          // The reference's expression: the log in double of the float sum. A float log of the Vector
          // API (lanewise LOG) is an SVML call once C2 compiles it, whose last bit differs from the
          // interpreter's on AVX2: the same input gave a loss of other bits before and after the JIT.
          loss += Math.log(sums[lane]) - targets[lane];
        }
      }
      first += chunk;
    }
    return (float) (loss / rows);
  }

  /** The blocks of L rows that hold {@code rows} rows, the last one partial (no overflow near 2^31). */
  private static int blocks(int rows) {
    return rows / L + (rows % L == 0 ? 0 : 1);
  }

  /**
   * Softmax ({@code log} false) or log-softmax of rows of at most {@link #FEW_CLASSES} values,
   * across rows as {@link #crossEntropyOfFewClasses}. Row by row as for wider rows, such a row is
   * one partial vector and every step ends in a lane reduction: slower than the scalar reference
   * (10 classes, 16 lanes, JMH: 9.1 against 6.2 ns a value at one row, 6.4 against 6.0 at 32;
   * across rows 1.7 at 32). A row's lanes are the same whatever its place in the block, so its
   * result does not depend on the other rows.
   */
  private static void fewClasses(int rows, int cols, float[] x, float[] y, boolean log) {
    Workspace ws = WORKSPACE.get();
    if (rows <= ROW_BY_ROW) {
      fewClassesRowByRow(rows, cols, x, y, log, ws);
      return;
    }
    // Every maximum checked before the first write, y may be x: in one pass with the copy below
    // for one chunk, before it for several (see CHUNK_ROWS).
    if (rows > CHUNK_ROWS) checkRows(rows, cols, x, "x");
    int chunkBlocks = blocks(Math.min(rows, CHUNK_ROWS));
    float[] maxima = ws.maxima(chunkBlocks * L);
    float[] columns = ws.columns(chunkBlocks, cols);
    float[] sums = ws.sums;
    for (int first = 0; first < rows; ) {
      int chunk = Math.min(CHUNK_ROWS, rows - first);
      checkedBlocks(first, chunk, cols, x, "x", columns, maxima);
      fewClassesChunk(first, chunk, cols, columns, maxima, sums, y, log, ws);
      first += chunk;
    }
  }

  /**
   * {@link #fewClasses} of rows [first, first + chunk), which {@link #checkedBlocks} has copied
   * into {@code columns} with their maxima.
   */
  private static void fewClassesChunk(
      int first, int chunk, int cols, float[] columns, float[] maxima, float[] sums, float[] y, boolean log, Workspace ws) {
    for (int b = 0, blocks = blocks(chunk); b < blocks; b++) {
      int r0 = b * L;
      int at = b * cols * L;
      int n = Math.min(L, chunk - r0);
      FloatVector vmax = FloatVector.fromArray(SPECIES, maxima, r0);
      for (int j = 0; j < cols; j++) {
        FloatVector.fromArray(SPECIES, columns, at + j * L).sub(vmax).intoArray(columns, at + j * L);
      }
      if (log) {
        // The shifted values stay; their exponentials go to scratch.
        float[] exps = ws.row(cols * L);
        expStore(columns, at, cols * L, 0f, exps, 0, ws.pad);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < cols; j++) sum = sum.add(FloatVector.fromArray(SPECIES, exps, j * L));
        sum.intoArray(sums, 0);
        // The log in double of the float sum, rounded to float, as the reference takes it.
        for (int lane = 0; lane < n; lane++) sums[lane] = (float) Math.log(sums[lane]);
        FloatVector logSum = FloatVector.fromArray(SPECIES, sums, 0);
        for (int j = 0; j < cols; j++) {
          FloatVector.fromArray(SPECIES, columns, at + j * L).sub(logSum).intoArray(columns, at + j * L);
        }
      } else {
        expStore(columns, at, cols * L, 0f, columns, at, ws.pad);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < cols; j++) sum = sum.add(FloatVector.fromArray(SPECIES, columns, at + j * L));
        FloatVector inv = FloatVector.broadcast(SPECIES, 1f).div(sum);
        for (int j = 0; j < cols; j++) {
          FloatVector.fromArray(SPECIES, columns, at + j * L).mul(inv).intoArray(columns, at + j * L);
        }
      }
      for (int lane = 0; lane < n; lane++) {
        int to = (first + r0 + lane) * cols;
        for (int j = 0; j < cols; j++) y[to + j] = columns[at + j * L + lane];
      }
    }
  }

  /**
   * The chunk of rows [first, first + chunk), block by block: rows [r0, r0 + L) of the chunk class
   * by class into {@code columns[at + j * L + lane]}, at = r0 cols (lanes past the chunk's last
   * row hold 0), then each row's maximum into {@code maxima[r0 + lane]} (NaN if the row holds one,
   * as rowMax); throws {@link Softmax#badRow} for the first row whose maximum is not finite,
   * before the caller has written anything; name is x's argument name.
   */
  private static void checkedBlocks(int first, int chunk, int cols, float[] x, String name, float[] columns, float[] maxima) {
    for (int b = 0, blocks = blocks(chunk); b < blocks; b++) {
      int r0 = b * L;
      int at = b * cols * L;
      int n = Math.min(L, chunk - r0);
      for (int lane = 0; lane < L; lane++) {
        int from = lane < n ? (first + r0 + lane) * cols : 0;
        for (int j = 0; j < cols; j++) columns[at + j * L + lane] = lane < n ? x[from + j] : 0f;
      }
      FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      for (int j = 0; j < cols; j++) {
        max = max.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, columns, at + j * L));
      }
      max.intoArray(maxima, r0);
    }
    for (int r = 0; r < chunk; r++) {
      if (!Float.isFinite(maxima[r])) throw badRow(name, x, first + r, cols, maxima[r]);
    }
  }

  /**
   * Throws {@link Softmax#badRow} for the first row whose maximum is not finite, writing nothing:
   * the first pass of a call over several chunks. The same rows fail as in {@link #checkedBlocks},
   * with the same maximum (a row is bad if it holds a NaN or +infinity or is all -infinity).
   */
  private static void checkRows(int rows, int cols, float[] x, String name) {
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      float max = rowMax(x, base, cols);
      if (!Float.isFinite(max)) throw badRow(name, x, r, cols, max);
    }
  }

  /**
   * Up to this many rows, {@link #fewClasses} goes row by row: a block costs as much for one row as
   * for L. 10 classes, 16 lanes (Zen 5), ns a row by block / row by row: 1 row 202 / 79, 2 rows
   * 112 / 54, 4 rows 63 / 50, 6 rows 46 / 50, 16 rows 25 / 45.
   */
  static final int ROW_BY_ROW = 4;

  /**
   * {@link #fewClasses} for a few rows, with the same bits: the exponentials are element by
   * element, and the sum is taken class by class in order, as each lane of a block sums its row.
   */
  private static void fewClassesRowByRow(int rows, int cols, float[] x, float[] y, boolean log, Workspace ws) {
    float[] maxima = checkedMaxima(rows, cols, x, "x", rowMaxima(ws, rows));
    float[] exps = ws.row(cols);
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      float max = maxima[r];
      expStore(x, base, cols, max, exps, 0, ws.pad);
      float sum = 0f;
      for (int j = 0; j < cols; j++) sum += exps[j];
      if (log) {
        float logSum = (float) Math.log(sum);
        for (int j = 0; j < cols; j++) y[base + j] = (x[base + j] - max) - logSum;
      } else {
        float inv = 1f / sum;
        for (int j = 0; j < cols; j++) y[base + j] = exps[j] * inv;
      }
    }
  }

  /**
   * Replaces the block's logits in {@code columns} by the gradient entries, and leaves per lane
   * the row's sum of exponentials in {@code sums} and its target logit minus the max in
   * {@code targets}, for the caller to take the log of in double, as the reference does. The exp
   * is {@link #expStore}'s, over the block once the max is taken off.
   */
  private static void gradientBlock(
      float[] columns, int at, int cols, float[] maxima, float[] classes, int r0, float invRows,
      float[] sums, float[] targets, float[] pad) {
    FloatVector label = FloatVector.fromArray(SPECIES, classes, r0);
    FloatVector vmax = FloatVector.fromArray(SPECIES, maxima, r0);
    FloatVector target = FloatVector.zero(SPECIES);
    // x - max, each lane its row's max; then exp in place (expStore with max 0: v - 0 is v).
    for (int j = 0; j < cols; j++) {
      FloatVector v = FloatVector.fromArray(SPECIES, columns, at + j * L).sub(vmax);
      target = target.blend(v, label.compare(VectorOperators.EQ, j));
      v.intoArray(columns, at + j * L);
    }
    expStore(columns, at, cols * L, 0f, columns, at, pad);
    FloatVector sum = FloatVector.zero(SPECIES);
    FloatVector others = sum;
    for (int j = 0; j < cols; j++) {
      FloatVector e = FloatVector.fromArray(SPECIES, columns, at + j * L);
      sum = sum.add(e);
      // 0 for the label: the same sum as the reference's over a row whose label entry is zeroed.
      others = others.add(e.blend(0f, label.compare(VectorOperators.EQ, j)));
    }
    FloatVector inv = FloatVector.broadcast(SPECIES, 1f).div(sum);
    FloatVector scale = inv.mul(invRows);
    // p - 1 = -(the other classes' exps) / sum (see crossEntropyImpl); 0 - x: +0 for a single class.
    FloatVector atLabel = FloatVector.zero(SPECIES).sub(others.mul(inv)).mul(invRows);
    for (int j = 0; j < cols; j++) {
      VectorMask<Float> isLabel = label.compare(VectorOperators.EQ, j);
      FloatVector g = FloatVector.fromArray(SPECIES, columns, at + j * L).mul(scale);
      g.blend(atLabel, isLabel).intoArray(columns, at + j * L);
    }
    sum.intoArray(sums, 0);
    target.intoArray(targets, 0);
  }

  /**
   * Up to this many rows of more than {@link #FEW_CLASSES} values, the workspace keeps their
   * maxima (256 KB at most), so that a training step of any batch size allocates nothing; past it
   * see {@link #rowMaxima}.
   */
  static final int KEPT_MAXIMA = 1 << 16;

  /**
   * Room for the maxima of a call over rows of more than {@link #FEW_CLASSES} values: the
   * workspace's up to {@link #KEPT_MAXIMA} rows, an array of this call's alone past that, so that
   * the workspace does not keep the largest call's for good (a second pass over the rows to find
   * the maxima again by chunks would cost more than the array).
   */
  private static float[] rowMaxima(Workspace ws, int rows) {
    return rows <= KEPT_MAXIMA ? ws.maxima(rows) : new float[rows];
  }

  /**
   * Every row's maximum, into {@code maxima}; throws {@link Softmax#badRow} for the first row whose
   * maximum is not finite, before the caller has written anything; name is x's argument name.
   */
  private static float[] checkedMaxima(int rows, int cols, float[] x, String name, float[] maxima) {
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      float max = rowMax(x, base, cols);
      if (!Float.isFinite(max)) throw badRow(name, x, r, cols, max);
      maxima[r] = max;
    }
    return maxima;
  }

  /**
   * The maximum of {@code x[base, base + cols)}, NaN if one is there (lanewise MAX follows
   * {@link Math#max}). Four accumulators, because MAX with Java's NaN and signed-zero rules is a
   * chain of several instructions per vector on x86.
   */
  private static float rowMax(float[] x, int base, int cols) {
    FloatVector m0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
    FloatVector m1 = m0;
    FloatVector m2 = m0;
    FloatVector m3 = m0;
    int i = 0;
    for (int bound = cols - 4 * L; i <= bound; i += 4 * L) {
      m0 = m0.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, x, base + i));
      m1 = m1.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, x, base + i + L));
      m2 = m2.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, x, base + i + 2 * L));
      m3 = m3.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, x, base + i + 3 * L));
    }
    // At most three whole vectors and a partial one: masked loads, which read nothing past cols.
    for (; i < cols; i += L) {
      if (!Lanes.fits(base + i, x)) {
        // Past x's end (see Lanes): the row's last values by element; max is exact.
        float t = x[base + i];
        for (int j = i + 1; j < cols; j++) t = Math.max(t, x[base + j]);
        m0 = m0.lanewise(VectorOperators.MAX, t);
        break;
      }
      VectorMask<Float> m = Lanes.inRange(i, cols);
      m0 = m0.lanewise(VectorOperators.MAX, FloatVector.fromArray(SPECIES, x, base + i, m), m);
    }
    return m0.lanewise(VectorOperators.MAX, m1)
        .lanewise(VectorOperators.MAX, m2.lanewise(VectorOperators.MAX, m3))
        .reduceLanes(VectorOperators.MAX);
  }

  // exp(x) = 2^k * exp(r) with x = k ln2 + r, |r| <= ln2 / 2 (Cody-Waite reduction).
  private static final float LOG2E = 1.44269504f;
  /** ln 2 split in two: LN2_HI has 16 significant bits, so k * LN2_HI is exact for |k| < 2^8. */
  private static final float LN2_HI = 0.693145751953125f;
  private static final float LN2_LO = 1.428606765330187e-6f;
  /**
   * 1.5 * 2^23: adding it rounds x log2(e) to the nearest integer k and leaves k in the low
   * mantissa bits, so k needs no float-to-int conversion (which Java makes saturating and slow).
   */
  private static final float SHIFTER = 0x1.8p23f;
  /**
   * Below this, 2^k would underflow the exponent field; the result is flushed to +0 instead of the
   * true value, which is under exp(-86.5) = 2.7e-38.
   */
  static final float EXP_MIN = -86.5f;
  // Minimax (Remez, relative error 3.3e-9 over |r| <= 0.35) for exp(r) = 1 + r + r^2 (C2 + ... + C6 r^4).
  private static final float C2 = 0x1.fffffcp-2f;
  private static final float C3 = 0x1.55548ap-3f;
  private static final float C4 = 0x1.555916p-5f;
  private static final float C5 = 0x1.123fc6p-7f;
  private static final float C6 = 0x1.6a1a72p-10f;

  /**
   * Writes {@code e = exp(x - max)} for {@code x[from, from + cols)} to {@code y[to, to + cols)} and
   * returns their sum. A row whose length is not a multiple of L ends in a partial vector, which
   * is staged in {@code pad} (before anything is written, since y may be x) with -infinity past
   * the row's end, so that its extra lanes come out exactly 0, and then goes through the same loop
   * as a second segment: the exp code exists once, which keeps this method's compilation well
   * under C2's inlining cutoff.
   *
   * <p>{@code exp(v)} for {@code v <= 0} (the only arguments softmax has), {@code -infinity}
   * included: error at most 1 ulp (0.89 ulp against the exact value, measured over every float in
   * [-86.5, 0]); +0 below {@link #EXP_MIN}. Fourteen vector instructions, no call, no table; the
   * polynomial is evaluated by Horner with fused multiply-adds down to the constant term, which
   * keeps the low bits of r that a separate {@code 1 + r} would round off.
   *
   * <p>One sum suffices: an {@code exp} takes longer to issue than the addition chain takes to
   * retire. Its lanes are added pairwise in a fixed order at the end, because reduceLanes(ADD) may
   * associate differently once C2 compiles it than when interpreted, and the same input must
   * always give the same bits.
   */
  static float expStore(float[] x, int from, int cols, float max, float[] y, int to, float[] pad) {
    int whole = SPECIES.loopBound(cols);
    VectorMask<Float> partial = Lanes.inRange(whole, cols);
    int segments = 1;
    if (whole < cols) {
      if (Lanes.fits(from + whole, x)) {
        FloatVector.fromArray(SPECIES, x, from + whole, partial)
            .blend(Float.NEGATIVE_INFINITY, partial.not())
            .intoArray(pad, 0);
      } else {
        // Past x's end (see Lanes): the same pad, by element.
        for (int j = 0; j < L; j++) pad[j] = whole + j < cols ? x[from + whole + j] : Float.NEGATIVE_INFINITY;
      }
      segments = 2;
    }
    FloatVector vmax = FloatVector.broadcast(SPECIES, max);
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int segment = 0; segment < segments; segment++) {
      float[] src = segment == 0 ? x : pad;
      float[] dst = segment == 0 ? y : pad;
      int in = segment == 0 ? from : 0;
      int out = segment == 0 ? to : 0;
      int len = segment == 0 ? whole : L;
      for (int i = 0; i < len; i += L) {
        FloatVector v = FloatVector.fromArray(SPECIES, src, in + i).sub(vmax);
        FloatVector z = v.fma(LOG2E, SHIFTER);
        FloatVector k = z.sub(SHIFTER);
        FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -LN2_HI), v);
        r = k.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, FloatVector.broadcast(SPECIES, C4));
        p = p.fma(r, FloatVector.broadcast(SPECIES, C3));
        p = p.fma(r, FloatVector.broadcast(SPECIES, C2));
        p = p.fma(r, one);
        p = p.fma(r, one);
        // Multiply by 2^k by adding k to the exponent field: z's low bits hold k, << 23 moves them there.
        FloatVector e = p.reinterpretAsInts()
            .add(z.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
            .reinterpretAsFloats()
            .blend(0f, v.compare(VectorOperators.LT, EXP_MIN));
        e.intoArray(dst, out + i);
        sum = sum.add(e);
      }
    }
    if (segments == 2) {
      if (Lanes.fits(to + whole, y)) FloatVector.fromArray(SPECIES, pad, 0).intoArray(y, to + whole, partial);
      else System.arraycopy(pad, 0, y, to + whole, cols - whole);
    }
    for (int half = L / 2; half > 0; half /= 2) sum = sum.add(sum.slice(half));
    return sum.lane(0);
  }

  /**
   * The sum of {@code y[base, base + cols)}, its lanes added in the fixed order of {@link #expStore};
   * {@code pad} (L floats) stages a last partial vector that would reach past y's end.
   */
  private static float rowSum(float[] y, int base, int cols, float[] pad) {
    FloatVector sum = FloatVector.zero(SPECIES);
    int i = 0;
    for (int bound = SPECIES.loopBound(cols); i < bound; i += L) {
      sum = sum.add(FloatVector.fromArray(SPECIES, y, base + i));
    }
    if (i < cols && !Lanes.fits(base + i, y)) {
      // Past y's end (see Lanes): the masked load's lanes, zero past the row, from pad.
      for (int j = 0; j < L; j++) pad[j] = i + j < cols ? y[base + i + j] : 0f;
      sum = sum.add(FloatVector.fromArray(SPECIES, pad, 0));
    } else if (i < cols) {
      VectorMask<Float> m = Lanes.inRange(i, cols);
      sum = sum.add(FloatVector.fromArray(SPECIES, y, base + i, m));
    }
    for (int half = L / 2; half > 0; half /= 2) sum = sum.add(sum.slice(half));
    return sum.lane(0);
  }

  /** {@code y *= s} over the row. */
  private static void scale(float[] y, int base, int cols, float s) {
    int i = 0;
    for (int bound = SPECIES.loopBound(cols); i < bound; i += L) {
      FloatVector.fromArray(SPECIES, y, base + i).mul(s).intoArray(y, base + i);
    }
    if (i < cols && !Lanes.fits(base + i, y)) {
      for (; i < cols; i++) y[base + i] *= s; // past y's end (see Lanes)
    } else if (i < cols) {
      VectorMask<Float> m = Lanes.inRange(i, cols);
      FloatVector.fromArray(SPECIES, y, base + i, m).mul(s).intoArray(y, base + i, m);
    }
  }

  /** {@code y = (x - max) - logSum} over the row, in the reference's order of operations. */
  private static void shift(float[] x, int base, int cols, float max, float logSum, float[] y) {
    int i = 0;
    for (int bound = SPECIES.loopBound(cols); i < bound; i += L) {
      FloatVector.fromArray(SPECIES, x, base + i).sub(max).sub(logSum).intoArray(y, base + i);
    }
    if (i < cols && !(Lanes.fits(base + i, x) && Lanes.fits(base + i, y))) {
      for (; i < cols; i++) y[base + i] = x[base + i] - max - logSum; // past an array's end (see Lanes)
    } else if (i < cols) {
      VectorMask<Float> m = Lanes.inRange(i, cols);
      FloatVector.fromArray(SPECIES, x, base + i, m).sub(max).sub(logSum).intoArray(y, base + i, m);
    }
  }
}
