package org.caviar.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM on the Vector API, after the BLIS/GotoBLAS scheme: blocks of B ({@link #KC} x {@link #NC})
 * and of A ({@link #MC} x KC) are packed into contiguous panels, and a register-blocked
 * micro-kernel multiplies an {@link #MR} x KC panel of A by a KC x {@link #NR} panel of B with
 * {@code MR * 2} vector accumulators held in registers for the whole k loop. When A has at
 * most MC rows and B is not transposed, B's whole panels are read where they lie (row stride
 * ldb) instead of packed copies: see {@link #streamsB}; and a transposed A whose rows spread over
 * the L1's sets, or a non-transposed A multiplied by a few panels of B, is read where it lies:
 * see {@link #readsAInPlace}.
 *
 * <p>Tile sizes follow the species: with 16 lanes (AVX-512, 32 vector registers) the micro-tile
 * is 12 x 32 (24 accumulators + 2 B vectors + 1 broadcast = 27 registers); with 8 lanes (AVX2,
 * 16 registers) it is 4 x 16 (8 + 2 + 1 = 11). A 6 x 16 tile would fit 16 registers (15) on
 * paper, but C2 compiled it to half the speed: the bare k loop on packed panels in L1, 8 lanes
 * ({@code -XX:UseAVX=2} on Zen 4, whose 8-lane FMA peak is about 100 GFLOP/s), ran at 57, 74, 96,
 * 40 and 50 GFLOP/s with 2, 3, 4, 5 and 6 rows; on 16 lanes 8 to 14 rows all ran at 115.
 *
 * <p>A B panel of KC x NR floats (32 KiB at 16 lanes) stays in L1 while all A panels of an MC
 * block stream past it from L2.
 *
 * <p>Edges (a last tile with fewer than MR rows or NR columns) are packed with zero padding, run
 * through a micro-kernel into a small scratch tile, and copied out; a last tile of exactly 4 or 8
 * rows (2 on 8 lanes) and NR columns runs a kernel of that many rows straight into C (see
 * {@link #tileRows}), and a last panel of at most L columns runs kernels of one vector instead of
 * two (see {@link #panelWidth}), straight into C when it has exactly L. Packing buffers live in a
 * per-thread workspace and are reused across calls, so small products do not allocate.
 *
 * <p>Packing that transposes (A stored by rows, B stored transposed) moves L x L blocks through
 * registers with log2(L) stages of lane shuffles instead of element by element, which made it
 * several times faster than the scalar strided copy it replaces. About half of what remains is
 * the memory pattern: packing a 256 x 256 B^T took 17-24 us, the same loads and stores without
 * the shuffles 9-11 us, and two-source permutes ({@code selectFrom(v1, v2)}) in place of each
 * rearrange-and-blend pair 15-20 us (scratch, Zen 4, four runs): too little for a second set of
 * generated transposes.
 *
 * <p>This class is the driver: blocking, packing and the choice of kernel. The micro-kernels, the
 * columns kernels of {@link #smallN} and the in-register transposes are in {@link
 * GemmMicroKernels}, a file written whole by {@code kernels/gen/micro_kernels.py}.
 */
final class VectorGemm extends Gemm {
  static final VectorGemm INSTANCE = new VectorGemm();

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();
  /** Rows of the micro-tile, sized to the vector register file (see the class comment). */
  static final int MR = L >= 16 ? 12 : 4;
  /** Columns of the micro-tile: two vectors. */
  static final int NR = 2 * L;
  /** Depth of a packed block: a KC x NR panel of B fits in a 32-48 KiB L1 beside the A stream. */
  static final int KC = 256;
  /** Rows of a packed A block (MC x KC floats: 192 KiB at 16 lanes, 96 at 8), a multiple of MR, for L2. */
  static final int MC = L >= 16 ? MR * 16 : MR * 24;
  /** Columns of a packed B block, a multiple of NR (KC x NC floats: 4 MiB, for L3). */
  static final int NC = NR * 128;

  /** The generated in-register transposes exist for 8 and 16 lanes; other widths pack by element. */
  private static final boolean BLOCK_TRANSPOSE = L == 8 || L == 16;

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** Packing buffers and the edge tile of one thread, grown on demand and then reused. */
  static final class Workspace {
    // L floats of slack: a transposed store may run past the last panel (see packA).
    float[] ap = new float[MC * KC + L];
    float[] bp = new float[0];
    final float[] tile = new float[MR * NR];
    /** The tile of {@link #columns}: 2L rows x L columns (up to {@link #COLUMNS_MAX} of them computed), column-major. */
    final float[] columns = new float[2 * L * L];
    /** Half of that tile transposed: L rows of L floats. */
    final float[] columnRows = new float[L * L];
    /** L x L floats: the last rows of a narrow transposed panel, zero-padded to a whole transpose. */
    final float[] square = new float[L * L];

    float[] bp(int size) {
      if (bp.length < size) bp = new float[size];
      return bp;
    }
  }

  private VectorGemm() {}

  /**
   * Up to this many rows of C, B is streamed as stored instead of packed: packing k x n values
   * of B would cost about as much as the product itself (a single-example prediction is m = 1).
   */
  static final int SMALL_M = 4;

  @Override
  void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (n <= SMALL_N) {
      smallN(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else if (m <= SMALL_M && !transB) {
      smallM(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else {
      block(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }

  /**
   * Few rows, B not transposed: each row of C accumulates {@code A[i][p] * B[p][:]} straight from
   * B's rows, four vectors of columns at a time. The k blocking, the order of the FMAs and the
   * final {@code fma(acc, alpha, beta * C)} are those of the packed path, so the two give the
   * same bits and callers may not tell which one ran.
   */
  static void smallM(
      boolean transA, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    FloatVector va = FloatVector.broadcast(S, alpha);
    for (int pc = 0; pc < k; pc = Blocks.next(pc, KC, k)) {
      int kc = Math.min(KC, k - pc);
      float betaBlock = pc == 0 ? beta : 1f;
      FloatVector vb = FloatVector.broadcast(S, betaBlock);
      for (int i = 0; i < m; i++) {
        int aIdx = transA ? aOff + pc * lda + i : aOff + i * lda + pc;
        int aStep = transA ? lda : 1;
        int cRow = cOff + i * ldc;
        int j = 0;
        for (; Blocks.whole(j, 4 * L, n); j += 4 * L) {
          FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
          for (int p = 0, ai = aIdx, bi = bOff + pc * ldb + j; p < kc; p++, ai += aStep, bi += ldb) {
            FloatVector ap = FloatVector.broadcast(S, a[ai]);
            s0 = ap.fma(FloatVector.fromArray(S, b, bi), s0);
            s1 = ap.fma(FloatVector.fromArray(S, b, bi + L), s1);
            s2 = ap.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
            s3 = ap.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
          }
          int ci = cRow + j;
          if (betaBlock == 0f) {
            s0.mul(va).intoArray(c, ci);
            s1.mul(va).intoArray(c, ci + L);
            s2.mul(va).intoArray(c, ci + 2 * L);
            s3.mul(va).intoArray(c, ci + 3 * L);
          } else {
            s0.fma(va, FloatVector.fromArray(S, c, ci).mul(vb)).intoArray(c, ci);
            s1.fma(va, FloatVector.fromArray(S, c, ci + L).mul(vb)).intoArray(c, ci + L);
            s2.fma(va, FloatVector.fromArray(S, c, ci + 2 * L).mul(vb)).intoArray(c, ci + 2 * L);
            s3.fma(va, FloatVector.fromArray(S, c, ci + 3 * L).mul(vb)).intoArray(c, ci + 3 * L);
          }
        }
        for (; Blocks.whole(j, L, n); j += L) {
          FloatVector s0 = FloatVector.zero(S);
          for (int p = 0, ai = aIdx, bi = bOff + pc * ldb + j; p < kc; p++, ai += aStep, bi += ldb) {
            s0 = FloatVector.broadcast(S, a[ai]).fma(FloatVector.fromArray(S, b, bi), s0);
          }
          int ci = cRow + j;
          if (betaBlock == 0f) s0.mul(va).intoArray(c, ci);
          else s0.fma(va, FloatVector.fromArray(S, c, ci).mul(vb)).intoArray(c, ci);
        }
        for (; j < n; j++) {
          float s = 0f;
          for (int p = 0, ai = aIdx, bi = bOff + pc * ldb + j; p < kc; p++, ai += aStep, bi += ldb) {
            s = Math.fma(a[ai], b[bi], s);
          }
          c[cRow + j] = betaBlock == 0f ? s * alpha : Math.fma(s, alpha, c[cRow + j] * betaBlock);
        }
      }
    }
  }

  /**
   * Up to this many columns of C (two vectors), {@link #smallN} takes the product instead of the
   * packed path: with a single panel of B the packed path packs A for nothing (no other panel
   * reuses it), pads the panel to {@link #NR} columns and sends every tile through the edge copy.
   * The output layer's products have n = classes: 32 x 10 x 256 took 6.8 us and its weight
   * gradient (256 x 10, k = 32) 11.2 us on the packed path (Zen 5, AVX-512), and on 8 lanes, where
   * ten classes are more than one vector, 64 x 128 x 10 took 5.5 us there against 1.9 for eight
   * columns on one vector.
   */
  static final int SMALL_N = NR;

  /**
   * Few columns ({@code n <= NR}). Up to {@link #COLUMNS_N} columns, groups of 2L rows of C go by
   * columns ({@link #columns}). The other rows go by rows: each k block of op(B) is packed into
   * {@code kc x w} floats, w = {@link #panelWidth}(n) (lanes past n zero), and row i of C is one
   * vector (n <= L) or two accumulating {@code broadcast(op(A)[i][p]) * B[p]}, eight rows (four of
   * two vectors) at a time so that eight FMA chains share each B load; op(A) is read as stored.
   * Either way the k blocking, the order of the FMAs and the stores are the packed path's, so all
   * give the same bits.
   */
  static void smallN(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    Workspace ws = WORKSPACE.get();
    int w = panelWidth(n);
    float[] bp = ws.bp(KC * w);
    // Steps between consecutive p, and between consecutive rows i, in A as stored.
    int pStep = transA ? lda : 1;
    int iStep = transA ? 1 : lda;
    // Rows of C that fill two vectors go by columns (see columns), the rest by rows.
    int byColumns = BLOCK_TRANSPOSE && n <= COLUMNS_N ? m / (2 * L) * (2 * L) : 0;
    for (int pc = 0; pc < k; pc = Blocks.next(pc, KC, k)) {
      int kc = Math.min(KC, k - pc);
      float betaBlock = pc == 0 ? beta : 1f;
      int aBlock = aOff + pc * pStep;
      for (int i = 0; i < byColumns; i += 2 * L) {
        if (transA) {
          columns(n, kc, a, aBlock + i, lda, transB, b, bOff, ldb, pc, ws.columns, ws.columnRows, alpha, betaBlock, c, cOff + i * ldc, ldc);
        } else {
          packColumns(kc, a, aBlock + i * lda, lda, ws.ap);
          columns(n, kc, ws.ap, 0, 2 * L, transB, b, bOff, ldb, pc, ws.columns, ws.columnRows, alpha, betaBlock, c, cOff + i * ldc, ldc);
        }
      }
      int rest = m - byColumns;
      if (rest == 0) continue;
      packFewColumns(transB, b, bOff, ldb, pc, kc, n, w, bp);
      int aRest = aBlock + byColumns * iStep, cRest = cOff + byColumns * ldc;
      if (w == L) oneVectorRows(rest, n, kc, a, aRest, pStep, iStep, bp, ws.tile, alpha, betaBlock, c, cRest, ldc);
      else twoVectorRows(rest, n, kc, a, aRest, pStep, iStep, bp, ws.tile, alpha, betaBlock, c, cRest, ldc);
    }
  }

  /** The widest pass of {@link #columns}: 2 x 12 accumulators with 32 vector registers, 2 x 6 with 16. */
  static final int COLUMNS_MAX = L >= 16 ? 12 : 6;

  /**
   * Up to this many columns of C, {@link #smallN} computes rows of C in groups of 2L by columns.
   * Past it the rows path, whose cost does not grow with n up to a vector, was as fast or faster:
   * 256 x n x 32 (A^T) on 16 lanes took 2.4 us by rows for any n up to 16, and by columns 1.1, 1.6,
   * 1.8, 2.0, 3.2 and 3.2 us for n = 2, 8, 10, 12, 14 and 16 (two passes from 13 on); on 8 lanes
   * (MaxVectorSize=32 on the same machine) 3.2, 4.9, 5.1 and 5.0 us by rows for n = 8, 10, 12 and 16
   * against 2.8, 3.4, 3.4 and 4.8 by columns (Zen 5, scratch probes, fastest of seven).
   */
  static final int COLUMNS_N = 12;

  /**
   * One k block of {@link #smallN} for 2L rows of C: each k's 2L values of op(A) as two vector
   * loads (from A^T's row as stored, or from A packed by {@link #packColumns}) times the n columns
   * of op(B) (in passes of up to {@link #COLUMNS_MAX}), each broadcast from B as stored. The rows
   * path broadcasts op(A) instead and fills n of a vector's L lanes: a load per FMA, and 10 of 16
   * lanes for ten classes. The output layer's three products at batch 32 (Zen 5, AVX-512, scratch
   * probe running them in turn): the forward 32 x 10 x 256 2.9 us by rows and 2.0-2.1 by columns,
   * the weight gradient 256 x 10 x 32 3.0-3.1 and 1.9-2.0 (at batch 128 10.1-11.3 and 4.3); the
   * price is a transposed store of the column-major tile ({@link #storeColumns}).
   */
  private static void columns(
      int n, int kc, float[] a, int ai, int aStride, boolean transB, float[] b, int bOff, int ldb, int pc,
      float[] tile, float[] rows, float alpha, float beta, float[] c, int cOff, int ldc) {
    // op(B)[pc + p][j]: B's row pc + p, or column pc + p of B's row j.
    int bRow = transB ? bOff + pc : bOff + pc * ldb;
    int bStep = transB ? 1 : ldb;
    int bCol = transB ? ldb : 1;
    int passes = (n + COLUMNS_MAX - 1) / COLUMNS_MAX;
    int width = (n + passes - 1) / passes;
    for (int j = 0; j < n; j += width) {
      int w = Math.min(width, n - j);
      int bi = bRow + j * bCol;
      switch ((w + 1) / 2) {
        case 1 -> GemmMicroKernels.columnsKernel2(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
        case 2 -> GemmMicroKernels.columnsKernel4(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
        case 3 -> GemmMicroKernels.columnsKernel6(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
        case 4 -> GemmMicroKernels.columnsKernel8(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
        case 5 -> GemmMicroKernels.columnsKernel10(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
        default -> GemmMicroKernels.columnsKernel12(kc, w, a, ai, aStride, b, bi, bStep, bCol, tile);
      }
      storeColumns(w, tile, rows, alpha, beta, c, cOff + j, ldc);
    }
  }

  /**
   * 2L rows x kc columns of A (not transposed) into {@code ap} as {@link #columns} reads them: the
   * k-th values of the rows together, at k * 2L. L x L blocks through registers, the last kc % L
   * columns by element.
   */
  private static void packColumns(int kc, float[] a, int aRow, int lda, float[] ap) {
    int p0 = kc / L * L;
    for (int half = 0; half < 2 * L; half += L) {
      for (int p = 0; p < p0; p += L) transposeSquare(a, aRow + half * lda + p, lda, ap, p * 2 * L + half, 2 * L);
    }
    for (int r = 0; r < 2 * L; r++) {
      for (int p = p0; p < kc; p++) ap[p * 2 * L + r] = a[aRow + r * lda + p];
    }
  }

  /**
   * Rows [0, 2L) of C from the column-major tile of {@link #columns} (w columns, column q at q *
   * 2L): each half's L x L block transposed into {@code rows} (row r at r * L), then stored as the
   * packed path's edge tiles are ({@link #storeTile}), so the same bits. Storing the tile by element
   * instead took about half of the 256 x 10 weight gradient's time.
   */
  private static void storeColumns(int w, float[] tile, float[] rows, float alpha, float beta, float[] c, int ci, int ldc) {
    for (int half = 0; half < 2 * L; half += L) {
      transposeSquare(tile, half, 2 * L, rows, 0, L);
      storeTile(L, w, L, L, rows, alpha, beta, c, ci + half * ldc, ldc);
    }
  }

  /** Rows of C that {@link #smallN} advances together on one vector (eight FMA chains cover the FMA latency). */
  private static final int SMALL_N_ROWS = 8;

  /** {@link #smallN}'s k block for n <= L: eight rows of C at a time, each one vector. */
  private static void oneVectorRows(
      int m, int n, int kc, float[] a, int aBlock, int pStep, int iStep, float[] bp, float[] tile,
      float alpha, float beta, float[] c, int cOff, int ldc) {
    int i = 0;
    for (; Blocks.whole(i, SMALL_N_ROWS, m); i += SMALL_N_ROWS) {
      FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
      for (int p = 0, ai = aBlock + i * iStep, bi = 0; p < kc; p++, ai += pStep, bi += L) {
        FloatVector bv = FloatVector.fromArray(S, bp, bi);
        s0 = FloatVector.broadcast(S, a[ai]).fma(bv, s0);
        s1 = FloatVector.broadcast(S, a[ai + 1 * iStep]).fma(bv, s1);
        s2 = FloatVector.broadcast(S, a[ai + 2 * iStep]).fma(bv, s2);
        s3 = FloatVector.broadcast(S, a[ai + 3 * iStep]).fma(bv, s3);
        s4 = FloatVector.broadcast(S, a[ai + 4 * iStep]).fma(bv, s4);
        s5 = FloatVector.broadcast(S, a[ai + 5 * iStep]).fma(bv, s5);
        s6 = FloatVector.broadcast(S, a[ai + 6 * iStep]).fma(bv, s6);
        s7 = FloatVector.broadcast(S, a[ai + 7 * iStep]).fma(bv, s7);
      }
      s0.intoArray(tile, 0 * L);
      s1.intoArray(tile, 1 * L);
      s2.intoArray(tile, 2 * L);
      s3.intoArray(tile, 3 * L);
      s4.intoArray(tile, 4 * L);
      s5.intoArray(tile, 5 * L);
      s6.intoArray(tile, 6 * L);
      s7.intoArray(tile, 7 * L);
      storeTile(SMALL_N_ROWS, n, L, L, tile, alpha, beta, c, cOff + i * ldc, ldc);
    }
    for (; i < m; i++) {
      FloatVector s0 = FloatVector.zero(S);
      for (int p = 0, ai = aBlock + i * iStep, bi = 0; p < kc; p++, ai += pStep, bi += L) {
        s0 = FloatVector.broadcast(S, a[ai]).fma(FloatVector.fromArray(S, bp, bi), s0);
      }
      s0.intoArray(tile, 0);
      storeTile(1, n, L, L, tile, alpha, beta, c, cOff + i * ldc, ldc);
    }
  }

  /** {@link #smallN}'s k block for L < n <= NR: four rows of C at a time, each two vectors. */
  private static void twoVectorRows(
      int m, int n, int kc, float[] a, int aBlock, int pStep, int iStep, float[] bp, float[] tile,
      float alpha, float beta, float[] c, int cOff, int ldc) {
    int i = 0;
    for (; Blocks.whole(i, 4, m); i += 4) {
      FloatVector s0a = FloatVector.zero(S), s0b = s0a, s1a = s0a, s1b = s0a, s2a = s0a, s2b = s0a, s3a = s0a, s3b = s0a;
      for (int p = 0, ai = aBlock + i * iStep, bi = 0; p < kc; p++, ai += pStep, bi += NR) {
        FloatVector b0 = FloatVector.fromArray(S, bp, bi);
        FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
        FloatVector x0 = FloatVector.broadcast(S, a[ai]);
        s0a = x0.fma(b0, s0a);
        s0b = x0.fma(b1, s0b);
        FloatVector x1 = FloatVector.broadcast(S, a[ai + iStep]);
        s1a = x1.fma(b0, s1a);
        s1b = x1.fma(b1, s1b);
        FloatVector x2 = FloatVector.broadcast(S, a[ai + 2 * iStep]);
        s2a = x2.fma(b0, s2a);
        s2b = x2.fma(b1, s2b);
        FloatVector x3 = FloatVector.broadcast(S, a[ai + 3 * iStep]);
        s3a = x3.fma(b0, s3a);
        s3b = x3.fma(b1, s3b);
      }
      s0a.intoArray(tile, 0);
      s0b.intoArray(tile, L);
      s1a.intoArray(tile, NR);
      s1b.intoArray(tile, NR + L);
      s2a.intoArray(tile, 2 * NR);
      s2b.intoArray(tile, 2 * NR + L);
      s3a.intoArray(tile, 3 * NR);
      s3b.intoArray(tile, 3 * NR + L);
      storeTile(4, n, NR, NR, tile, alpha, beta, c, cOff + i * ldc, ldc);
    }
    for (; i < m; i++) {
      FloatVector s0a = FloatVector.zero(S), s0b = s0a;
      for (int p = 0, ai = aBlock + i * iStep, bi = 0; p < kc; p++, ai += pStep, bi += NR) {
        FloatVector x0 = FloatVector.broadcast(S, a[ai]);
        s0a = x0.fma(FloatVector.fromArray(S, bp, bi), s0a);
        s0b = x0.fma(FloatVector.fromArray(S, bp, bi + L), s0b);
      }
      s0a.intoArray(tile, 0);
      s0b.intoArray(tile, L);
      storeTile(1, n, NR, NR, tile, alpha, beta, c, cOff + i * ldc, ldc);
    }
  }

  /** Rows [pc, pc + kc) of op(B)'s first n columns into {@code kc x w} floats, lanes past n zero. */
  private static void packFewColumns(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int n, int w, float[] bp) {
    if (!transB) {
      packNarrow(b, bOff, ldb, pc, kc, 0, n, w, bp, 0);
      return;
    }
    for (int p = 0; p < kc; p++) {
      int d = p * w;
      for (int j = 0; j < n; j++) bp[d + j] = b[bOff + j * ldb + pc + p];
      for (int j = n; j < w; j++) bp[d + j] = 0f;
    }
  }

  /**
   * Rows [0, mr) of C from a tile whose rows are {@code stride} floats apart, each {@code w} floats
   * (one or two vectors) of accumulators: the first n lanes of each, {@code acc * alpha} or
   * {@code fma(acc, alpha, beta * C)}. Every tile goes out this way, the few-columns path's and
   * the edge tiles of the packed path (stride NR), so an element's value does not depend on which
   * path or tile computed it. The accumulators go through the tile because a helper taking
   * vectors is not inlined into the panels (too large) and would box them.
   */
  private static void storeTile(int mr, int n, int w, int stride, float[] tile, float alpha, float beta, float[] c, int ci, int ldc) {
    // The mask comes from Lanes' table, not made here nor passed in: either way it would be a heap
    // object whenever C2 does not inline its maker, and training steps must not allocate.
    int head = w - L;
    VectorMask<Float> last = Lanes.inRange(head, n);
    FloatVector va = FloatVector.broadcast(S, alpha);
    FloatVector vb = FloatVector.broadcast(S, beta);
    for (int r = 0; r < mr; r++, ci += ldc) {
      int t = r * stride;
      if (head > 0) {
        // Two vectors: the first is whole (n > L).
        FloatVector acc = FloatVector.fromArray(S, tile, t);
        if (beta == 0f) acc.mul(va).intoArray(c, ci);
        else acc.fma(va, FloatVector.fromArray(S, c, ci).mul(vb)).intoArray(c, ci);
      }
      if (!Lanes.fits(ci + head, c)) {
        // The last vector would reach past C's end, where a masked store may allocate (see
        // Lanes): C's last values by element, the same operations.
        for (int j = head; j < n; j++) {
          float acc = tile[t + j];
          c[ci + j] = beta == 0f ? acc * alpha : Math.fma(acc, alpha, c[ci + j] * beta);
        }
        continue;
      }
      FloatVector acc = FloatVector.fromArray(S, tile, t + head);
      if (beta == 0f) acc.mul(va).intoArray(c, ci + head, last);
      else acc.fma(va, FloatVector.fromArray(S, c, ci + head, last).mul(vb)).intoArray(c, ci + head, last);
    }
  }

  /**
   * Computes rows [i0, i1) and columns [j0, j1) of C: the unit of work that {@link ParallelGemm}
   * hands to a thread.
   */
  static void block(
      boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    block(streamsB(transB, i1 - i0), readsAInPlace(transA, lda, j1 - j0), transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /**
   * Whether {@link #block} reads B where it lies instead of packing it: when B is not transposed
   * and A's rows fit one block of MC. Packed panels pay off when several row blocks of A reuse
   * them; with one block, each panel serves the block's micro-tile rows once either way, and
   * packing only adds a pass over B. Streaming the whole panels of NR columns, row by row
   * (stride ldb), against packing them, alternating in one JVM (Zen 4): 1.02-1.20x on 16 lanes
   * for M = 16-192 (784 x 256, 256 x 256, 512 x 512, 1024 x 1024, 512 x 2048), 1.41x at M = 8;
   * 1.00-1.09x on 8 lanes ({@code -XX:UseAVX=2}), 1.16-1.22x at M = 8-16.
   */
  static boolean streamsB(boolean transB, int rows) {
    return !transB && rows <= MC;
  }

  /**
   * Whether {@link #block} reads A where it lies instead of packing it. A transposed A: the
   * micro-kernel then takes each k's MR values of op(A) (contiguous in a row of A) at stride lda
   * instead of MR. Only where those rows fall into every set of the L1 (64 sets of 64-byte lines
   * on Zen 3, 4 and 5 and on Xeons since Skylake; not measured on a Xeon): the k rows of a panel
   * must stay in L1 while every panel of B passes. On
   * 784 x N x K weight gradients (lda 784, rows 3,136 bytes apart: every set), in place against
   * packed, alternating in one JVM, same bits (Zen 5): 1.00-1.21x on 16 lanes (784 x 128 x 128
   * 1.10x), 0.98-1.09x on 8 lanes ({@code -XX:UseAVX=2}). Rows 512 bytes apart use 8 sets: on
   * Zen 4 (8 ways) 128 x 128 x 64 ran at 0.31-0.65x in place, so any stride that shares sets
   * stays packed.
   *
   * <p>A non-transposed A is read in place when the block has at most {@link
   * #ROWS_IN_PLACE_PANELS} panels of B ({@code cols} columns): the rows kernels ({@code
   * GemmMicroKernels.rowsKernel...}) broadcast each k's value from MR rows lda apart. Packing transposes A, and a
   * packed panel pays back only over many panels of B, while the rows kernel, with MR row offsets
   * where the packed one has a single base, is a few percent slower per panel on 16 lanes. M x N x K,
   * in place against packed through {@link #block}, alternating in one JVM, same bits (Zen 5, M 32,
   * 64 and 128, K 64 to 784): on 16 lanes 1.20-1.45x at N = 16 and 32, 1.07-1.21x at 64, 1.03-1.11x
   * at 96, 0.99-1.07x at 128, 0.96-1.05x at 192, 0.91-1.08x at 256; on 8 lanes ({@code -XX:UseAVX=2},
   * MR = 4) 1.9-2.1x at N = 16, 1.05-1.16x at 128 and 1.00-1.12x at 256. Strides of 512, 1024 and 2048
   * floats did as well as others (the rows kernel reads each row's line once per 16 k).
   */
  static boolean readsAInPlace(boolean transA, int lda, int cols) {
    // Every set, with a 4 KiB period of 64 sets: 4 * lda bytes is not a multiple of 128.
    if (transA) return Integer.numberOfTrailingZeros(lda) <= 4;
    return cols <= ROWS_IN_PLACE_PANELS * NR;
  }

  /** Panels of B up to which {@link #block} reads a non-transposed A in place: 128 columns on 16 lanes, 256 on 8. */
  static final int ROWS_IN_PLACE_PANELS = MR == 12 ? 4 : 16;

  /** {@link #block} with the choices of {@link #streamsB} and {@link #readsAInPlace} made by the caller (tests compare them). */
  static void block(
      boolean streamB, boolean aInPlace, boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (streamB && transB) throw new IllegalArgumentException("a transposed B cannot be streamed");
    Workspace ws = WORKSPACE.get();
    float[] ap = ws.ap;
    for (int jc = j0; jc < j1; jc = Blocks.next(jc, NC, j1)) {
      int nc = Math.min(NC, j1 - jc);
      // A streamed B is read where it lies in whole panels of NR columns, and of L columns when
      // exactly L are left; a last panel narrower than that is packed, zero-padded.
      int rest = nc % NR;
      int packedFrom = streamB ? (rest == L ? nc : nc - rest) : 0;
      float[] bp = ws.bp(KC * roundUp(nc - packedFrom, NR));
      for (int pc = 0; pc < k; pc = Blocks.next(pc, KC, k)) {
        int kc = Math.min(KC, k - pc);
        // Later k blocks add to what the first one wrote.
        float betaBlock = pc == 0 ? beta : 1f;
        if (packedFrom < nc) packB(transB, b, bOff, ldb, pc, kc, jc + packedFrom, nc - packedFrom, bp);
        for (int ic = i0; ic < i1; ic = Blocks.next(ic, MC, i1)) {
          int mc = Math.min(MC, i1 - ic);
          // In place, only a last tile that no kernel fits exactly is packed (as panel 0).
          int edge = mc % MR;
          if (!aInPlace) packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
          else if (edge != 0 && tileRows(edge) != edge) packA(transA, a, aOff, lda, ic + mc - edge, edge, pc, kc, ap);
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            // A last panel of at most L columns runs the one-vector kernels: half the FMAs.
            int width = panelWidth(nr);
            boolean packed = jr >= packedFrom;
            float[] bs = packed ? bp : b;
            // Packed panel (jr - packedFrom) / NR starts at that times kc * NR.
            int bIdx = packed ? (jr - packedFrom) * kc : bOff + pc * ldb + jc + jr;
            int bStride = packed ? width : ldb;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int cIdx = cOff + (ic + ir) * ldc + jc + jr;
              int rows = tileRows(mr);
              boolean direct = aInPlace && rows == mr;
              float[] as = direct ? a : ap;
              // Packed: this tile's panel, or in place the last tile packed as panel 0.
              int aIdx = aInPlace ? 0 : ir * kc;
              if (direct) aIdx = transA ? aOff + pc * lda + ic + ir : aOff + (ic + ir) * lda + pc;
              int aStride = direct ? lda : MR;
              boolean aRows = direct && !transA;
              if (rows == mr && nr == width) {
                kernel(rows, width, kc, aRows, as, aIdx, aStride, bs, bIdx, bStride, c, cIdx, ldc, alpha, betaBlock);
              } else {
                float[] tile = ws.tile;
                kernel(rows, width, kc, aRows, as, aIdx, aStride, bs, bIdx, bStride, tile, 0, NR, 1f, 0f);
                storeTile(mr, nr, width, NR, tile, alpha, betaBlock, c, cIdx, ldc);
              }
            }
          }
        }
      }
    }
  }

  /** Row counts of the edge kernels, smallest first: tiles of fewer than MR rows run the first that fits. */
  private static final int EDGE_SMALL = MR == 12 ? 4 : 2;
  private static final int EDGE_LARGE = MR == 12 ? 8 : 2;

  /**
   * Rows a micro-kernel computes for a tile of {@code mr} valid rows: MR, or for a last tile the
   * smallest edge kernel that covers it (4 or 8 rows on 16 lanes, 2 on 8). A batch of 32, 64 or
   * 128 rows ends in a tile of 8 or 4 rows on 16 lanes, which the full kernel computed as 12 with
   * zero rows, a third or two thirds of its FMAs wasted, and then copied out element by element.
   */
  static int tileRows(int mr) {
    return mr <= EDGE_SMALL ? EDGE_SMALL : mr <= EDGE_LARGE ? EDGE_LARGE : MR;
  }

  /**
   * Columns a micro-kernel computes for a panel of {@code nr} valid columns: NR (two vectors), or L
   * (one) for a last panel of at most L. A layer of 100 units ends in a panel of 4 columns, 112 in
   * one of 16: on two vectors they cost the FMAs of 32 (and 64 x 128 x 100 took longer than
   * 64 x 128 x 128 on Zen 5).
   */
  static int panelWidth(int nr) {
    return nr <= L ? L : NR;
  }

  /**
   * The first {@code rows} rows ({@link #tileRows}) of an MR-row panel of A times a panel of B of
   * {@code width} columns ({@link #panelWidth}).
   */
  private static void kernel(
      int rows, int width, int kc, boolean aRows, float[] ap, int aIdx, int aStride, float[] bp, int bIdx, int bStride, float[] c, int cIdx,
      int ldc, float alpha, float beta) {
    if (aRows) {
      rowsKernel(rows, width, kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
    } else if (width == NR) {
      switch (rows) {
        case 12 -> GemmMicroKernels.kernel12x2(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 8 -> GemmMicroKernels.kernel8x2(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 4 -> GemmMicroKernels.kernel4x2(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        default -> GemmMicroKernels.kernel2x2(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
      }
    } else {
      switch (rows) {
        case 12 -> GemmMicroKernels.kernel12x1(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 8 -> GemmMicroKernels.kernel8x1(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 4 -> GemmMicroKernels.kernel4x1(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        default -> GemmMicroKernels.kernel2x1(kc, ap, aIdx, aStride, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
      }
    }
  }

  /** {@link #kernel} on rows of a non-transposed A read where they lie, lda apart (see readsAInPlace). */
  private static void rowsKernel(
      int rows, int width, int kc, float[] a, int aIdx, int lda, float[] bp, int bIdx, int bStride, float[] c, int cIdx, int ldc,
      float alpha, float beta) {
    if (width == NR) {
      switch (rows) {
        case 12 -> GemmMicroKernels.rowsKernel12x2(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 8 -> GemmMicroKernels.rowsKernel8x2(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 4 -> GemmMicroKernels.rowsKernel4x2(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        default -> GemmMicroKernels.rowsKernel2x2(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
      }
    } else {
      switch (rows) {
        case 12 -> GemmMicroKernels.rowsKernel12x1(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 8 -> GemmMicroKernels.rowsKernel8x1(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        case 4 -> GemmMicroKernels.rowsKernel4x1(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
        default -> GemmMicroKernels.rowsKernel2x1(kc, a, aIdx, lda, bp, bIdx, bStride, c, cIdx, ldc, alpha, beta);
      }
    }
  }

  /**
   * Packs rows [ic, ic + mc) x columns [pc, pc + kc) of op(A) into panels of MR rows: panel q
   * holds op(A)[ic + q*MR + r][pc + p] at {@code q*kc*MR + p*MR + r}, rows past mc are zero.
   */
  static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] ap) {
    for (int q = 0, i = ic; i < ic + mc; q++, i = Blocks.next(i, MR, ic + mc)) {
      int rows = Math.min(MR, ic + mc - i);
      int dst = q * kc * MR;
      if (transA) {
        // op(A)[i][p] = A[p][i]: each p contributes MR contiguous values, copied as one vector
        // (MR <= L) whose lanes past MR land on the next p's slot, written right after (the last
        // p's on the next panel, or on the slack). By element, the 784 x 128 panels of the first
        // layer's weight gradient at batch 128 took 65 us. Where A's rows spread over the L1's
        // sets, block reads A^T in place instead (see readsAInPlace).
        int p = 0;
        if (rows == MR && MR <= L) {
          for (; p < kc; p++) {
            int src = aOff + (pc + p) * lda + i;
            if (!Lanes.fits(src, a)) break;
            FloatVector.fromArray(S, a, src).intoArray(ap, dst + p * MR);
          }
        }
        for (; p < kc; p++) {
          int src = aOff + (pc + p) * lda + i;
          int d = dst + p * MR;
          for (int r = 0; r < rows; r++) ap[d + r] = a[src + r];
          for (int r = rows; r < MR; r++) ap[d + r] = 0f;
        }
      } else {
        int p0 = 0;
        if (BLOCK_TRANSPOSE && tileRows(rows) == rows) {
          // rows x L columns at a time. Each column is stored as a full vector at stride MR, so
          // its zero tail (the panel's rows past `rows`, then lanes past MR) lands on the next
          // column's slot, which is written right after (and the last one's on the next block or
          // panel, also written later, or on the slack). A last panel of 8 or 4 rows went element
          // by element: 8 x 784 strided stores and 4 x 784 zeros for X of a batch of 32.
          for (; p0 + L <= kc; p0 += L) transposeRows(rows, a, aOff + i * lda + pc + p0, lda, ap, dst + p0 * MR);
        }
        for (int r = 0; r < rows; r++) {
          int src = aOff + (i + r) * lda + pc;
          for (int p = p0; p < kc; p++) ap[dst + p * MR + r] = a[src + p];
        }
        for (int r = rows; r < MR; r++) {
          for (int p = p0; p < kc; p++) ap[dst + p * MR + r] = 0f;
        }
      }
    }
  }

  /** Transposes {@code rows} (MR or an edge kernel's rows) x L of A into a panel, columns at stride MR. */
  private static void transposeRows(int rows, float[] a, int src, int lda, float[] ap, int dst) {
    if (L == 16) {
      if (rows == 12) GemmMicroKernels.transpose12x16(a, src, lda, ap, dst, MR);
      else if (rows == 8) GemmMicroKernels.transpose8x16(a, src, lda, ap, dst, MR);
      else GemmMicroKernels.transpose4x16(a, src, lda, ap, dst, MR);
    } else {
      if (rows == 4) GemmMicroKernels.transpose4x8(a, src, lda, ap, dst, MR);
      else GemmMicroKernels.transpose2x8(a, src, lda, ap, dst, MR);
    }
  }

  /**
   * Packs rows [pc, pc + kc) x columns [jc, jc + nc) of op(B) into panels of NR columns: panel q
   * holds op(B)[pc + p][jc + q*NR + j] at {@code q*kc*NR + p*w + j}, where w is the panel's
   * {@link #panelWidth} (NR, or L for a last panel of at most L columns); columns past nc are zero.
   */
  static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
    for (int q = 0, j = jc; j < jc + nc; q++, j = Blocks.next(j, NR, jc + nc)) {
      int cols = Math.min(NR, jc + nc - j);
      int w = panelWidth(cols);
      int dst = q * kc * NR;
      if (!transB) {
        if (cols == NR) {
          for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * ldb + j;
            int d = dst + p * NR;
            FloatVector.fromArray(S, b, src).intoArray(bp, d);
            FloatVector.fromArray(S, b, src + L).intoArray(bp, d + L);
          }
        } else {
          packNarrow(b, bOff, ldb, pc, kc, j, cols, w, bp, dst);
        }
      } else {
        // op(B)[p][j] = B[j][p]: L x L blocks through registers, then the last kc % L values.
        int p0 = BLOCK_TRANSPOSE ? kc / L * L : 0;
        for (int half = 0; half < w && p0 > 0; half += L) {
          int rows = Math.min(L, cols - half);
          if (rows == L) {
            for (int p = 0; p < p0; p += L) transposeSquare(b, bOff + (j + half) * ldb + pc + p, ldb, bp, dst + p * w + half, w);
          } else {
            // The panel's last rows of B (fewer than L) through a square whose other rows stay zero.
            float[] square = WORKSPACE.get().square;
            Arrays.fill(square, rows * L, L * L, 0f);
            for (int p = 0; p < p0; p += L) {
              for (int r = 0; r < rows; r++) System.arraycopy(b, bOff + (j + half + r) * ldb + pc + p, square, r * L, L);
              transposeSquare(square, 0, L, bp, dst + p * w + half, w);
            }
          }
        }
        // The last kc - p0 < L values of each row through a masked transpose, its other rows zero:
        // the output layer's input gradient packs 256 rows of 10 (k = classes), which by element
        // took 1.7 of the product's 2.9 us (32 x 256 x 10, Zen 5, scratch probe). The transpose
        // reads L floats of each row: a panel whose last row ends too near B's end goes by element.
        if (BLOCK_TRANSPOSE && p0 < kc && Lanes.fits(bOff + (j + cols - 1) * ldb + pc + p0, b)) {
          VectorMask<Float> valid = Lanes.inRange(p0, kc);
          for (int half = 0; half < w; half += L) {
            int rows = Math.max(0, Math.min(L, cols - half));
            transposeMasked(b, bOff + (j + half) * ldb + pc + p0, ldb, rows, valid, kc - p0, bp, dst + p0 * w + half, w);
          }
        } else {
          for (int jj = 0; jj < cols; jj++) {
            int src = bOff + (j + jj) * ldb + pc;
            for (int p = p0; p < kc; p++) bp[dst + p * w + jj] = b[src + p];
          }
          for (int jj = cols; jj < w; jj++) {
            for (int p = p0; p < kc; p++) bp[dst + p * w + jj] = 0f;
          }
        }
      }
    }
  }

  /**
   * A panel of {@code cols <= NR} columns of B (not transposed), {@code w} wide: whole vectors with
   * the lanes past {@code cols} zeroed (a last panel, or {@link #smallN}'s only one). At k = 128 (Zen 5)
   * a panel of 4 columns took 0.80 us by element and takes 0.26 us so, one of 24 columns 1.44 and
   * 0.41 us; 64 x 128 x 120 as a whole went from 13.0-13.3 to 11.8-12.3 us.
   */
  private static void packNarrow(float[] b, int bOff, int ldb, int pc, int kc, int j, int cols, int w, float[] bp, int dst) {
    // The lanes of the panel's last vector that hold columns.
    int head = w - L;
    VectorMask<Float> last = Lanes.inRange(head, cols);
    FloatVector zero = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int src = bOff + (pc + p) * ldb + j;
      int d = dst + p * w;
      if (head > 0) FloatVector.fromArray(S, b, src).intoArray(bp, d);
      if (Lanes.fits(src + head, b)) {
        // A whole vector (past cols it reads the next row or whatever follows), lanes past cols zeroed.
        zero.blend(FloatVector.fromArray(S, b, src + head), last).intoArray(bp, d + head);
      } else {
        for (int jj = head; jj < cols; jj++) bp[d + jj] = b[src + jj];
        for (int jj = cols; jj < w; jj++) bp[d + jj] = 0f;
      }
    }
  }

  /** Rows x cols floats (cols < L values of up to L rows of B) transposed into a panel of stride {@code w}, lanes past rows zero. */
  private static void transposeMasked(float[] src, int srcOff, int ld, int rows, VectorMask<Float> valid, int cols, float[] bp, int d, int w) {
    if (L == 16) GemmMicroKernels.transposeMasked16(src, srcOff, ld, rows, valid, cols, bp, d, w);
    else GemmMicroKernels.transposeMasked8(src, srcOff, ld, rows, valid, cols, bp, d, w);
  }

  /** An L x L block of B^T into a panel of stride {@code w}. */
  private static void transposeSquare(float[] src, int srcOff, int ld, float[] bp, int d, int w) {
    if (L == 16) GemmMicroKernels.transpose16x16(src, srcOff, ld, bp, d, w);
    else GemmMicroKernels.transpose8x8(src, srcOff, ld, bp, d, w);
  }

  static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
