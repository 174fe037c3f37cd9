package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.caviar.kernels.Gemm.Op;
import org.junit.jupiter.api.Test;

/** The Vector API GEMM (one thread and split over threads) against the scalar reference. */
class GemmProperties {
  private static final float U = 0x1p-24f; // unit roundoff of float

  @Provide
  Arbitrary<Integer> dims() {
    // Crosses the micro-tile (MR rows, NR = 2L columns) and the MC row block (16 MR on 16 lanes,
    // 24 MR on 8) edges: jqwik's edge cases include the bound, MC + MR + 1.
    return Shapes.sizes(VectorGemm.MC + VectorGemm.MR + 1);
  }

  @Provide
  Arbitrary<Integer> depths() {
    // Crosses the KC = 256 depth block, so later blocks must add to what the first wrote.
    return Arbitraries.oneOf(Shapes.sizes(64), Arbitraries.of(VectorGemm.KC - 1, VectorGemm.KC, VectorGemm.KC + 1, 300));
  }

  @Provide
  Arbitrary<Float> alphas() {
    return Arbitraries.of(1f, -0.5f, 2.5f);
  }

  @Provide
  Arbitrary<Integer> fewColumns() {
    return Arbitraries.integers().between(1, VectorGemm.SMALL_N);
  }

  @Provide
  Arbitrary<Float> betas() {
    return Arbitraries.of(0f, 1f, -0.75f);
  }

  @Property(tries = 120)
  void vectorMatchesScalar(
      @ForAll("dims") int m, @ForAll("dims") int n, @ForAll("depths") int k,
      @ForAll Op opA, @ForAll Op opB, @ForAll("alphas") float alpha, @ForAll("betas") float beta,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] c0 = Shapes.uniform(rnd, m * n, 1f);
    float[] expected = c0.clone();
    float[] actual = c0.clone();
    Gemm.scalar().gemm(opA, opB, m, n, k, alpha, a, b, beta, expected);
    Gemm.vector().gemm(opA, opB, m, n, k, alpha, a, b, beta, actual);
    assertWithinBound(opA, opB, m, n, k, alpha, a, b, beta, c0, expected, actual);
  }

  @Property(tries = 40)
  void parallelIsBitwiseTheVectorKernel(
      @ForAll("dims") int rows, @ForAll("dims") int n, @ForAll("depths") int depth, @ForAll Op opA,
      @ForAll Op opB, @ForAll("betas") float beta, @ForAll @IntRange(min = 0, max = 16) int pad,
      @ForAll @IntRange(min = 2, max = 3) int threads, @ForAll long seed) {
    // Every thread computes whole micro-tiles with the same packing and k blocking as one thread
    // does, so the split must not change a single bit. Only a product that ParallelGemm splits
    // tests that, so every one here is: it has two tiles or more along the way it is cut (a shape
    // of one tile either way gets a second row tile), and k grows until 2mnk >= MIN_PARALLEL_FLOPS
    // (a grown k ends its last KC block anywhere).
    int m = shares(rows, n, threads) < 2 ? rows + VectorGemm.MR : rows;
    int k = (int) Math.max(depth, (ParallelGemm.MIN_PARALLEL_FLOPS + 2L * m * n - 1) / (2L * m * n));
    assertParallelIsTheVectorKernel(opA, opB, m, n, k, beta, pad, threads, seed);
  }

  @Property(tries = 20)
  void smallProductThroughParallelIsBitwiseTheVectorKernel(
      @ForAll @IntRange(min = 1, max = 40) int m, @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 1, max = 40) int k, @ForAll Op opA, @ForAll Op opB, @ForAll("betas") float beta,
      @ForAll @IntRange(min = 0, max = 5) int pad, @ForAll @IntRange(min = 2, max = 3) int threads,
      @ForAll long seed) {
    // Below MIN_PARALLEL_FLOPS (2mnk <= 224 K here) ParallelGemm hands the whole product to the
    // one-thread kernel: the bits must survive the hand-off of every argument (the offsets differ
    // from each other, so one passed in another's place shows).
    assertParallelIsTheVectorKernel(opA, opB, m, n, k, beta, pad, threads, seed);
  }

  /** The shares ParallelGemm.compute cuts a product of at least MIN_PARALLEL_FLOPS into. */
  private static int shares(int m, int n, int threads) {
    boolean alongN = ParallelGemm.alongColumns(m, n, threads);
    int extent = alongN ? n : m, unit = alongN ? VectorGemm.NR : VectorGemm.MR;
    return Math.min(threads, (extent + unit - 1) / unit);
  }

  /** The same product on parallel(threads) and on vector(), with offsets and padded rows: the same bits in and around C. */
  private static void assertParallelIsTheVectorKernel(
      Op opA, Op opB, int m, int n, int k, float beta, int pad, int threads, long seed) {
    Padded x = Padded.of(new Random(seed), opA, opB, m, n, k, pad, 0);
    float[] one = x.c();
    float[] many = one.clone();
    Gemm.vector().gemm(opA, opB, m, n, k, 1.25f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), beta, one, x.cOff(), x.ldc());
    Gemm.parallel(threads).gemm(opA, opB, m, n, k, 1.25f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), beta, many, x.cOff(), x.ldc());
    assertArrayEquals(one, many, m + " x " + n + " x " + k + " " + opA + opB + " on " + threads + " threads");
  }

  /**
   * Operands stored from offsets (7, 3 and 5, so that one passed for another shows) with rows
   * padded (lda, ldb and ldc longer than a row by pad, 2 pad and 3 pad), values in [-1, 1], and
   * {@code cSlack} more floats after C.
   */
  private record Padded(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    static Padded of(Random rnd, Op opA, Op opB, int m, int n, int k, int pad, int cSlack) {
      int aRows = opA == Op.N ? m : k, aCols = opA == Op.N ? k : m;
      int bRows = opB == Op.N ? k : n, bCols = opB == Op.N ? n : k;
      int lda = aCols + pad, ldb = bCols + 2 * pad, ldc = n + 3 * pad;
      float[] a = Shapes.uniform(rnd, 7 + aRows * lda, 1f);
      float[] b = Shapes.uniform(rnd, 3 + bRows * ldb, 1f);
      float[] c = Shapes.uniform(rnd, 5 + m * ldc + cSlack, 1f);
      return new Padded(a, 7, lda, b, 3, ldb, c, 5, ldc);
    }
  }

  @Property(tries = 40)
  void transposedOperandEqualsExplicitTranspose(
      @ForAll("dims") int m, @ForAll("dims") int n, @ForAll("depths") int k, @ForAll long seed) {
    // op = T packs the same panels as op = N on the transposed copy, so results agree exactly.
    Random rnd = new Random(seed);
    float[] a = Shapes.uniform(rnd, m * k, 1f); // m x k
    float[] b = Shapes.uniform(rnd, k * n, 1f); // k x n
    float[] at = transpose(a, m, k);
    float[] bt = transpose(b, k, n);
    float[] nn = new float[m * n];
    Gemm.vector().gemm(Op.N, Op.N, m, n, k, 1f, a, b, 0f, nn);
    for (Op opA : Op.values()) {
      for (Op opB : Op.values()) {
        float[] c = new float[m * n];
        Gemm.vector().gemm(opA, opB, m, n, k, 1f, opA == Op.N ? a : at, opB == Op.N ? b : bt, 0f, c);
        assertArrayEquals(nn, c, opA + "" + opB);
      }
    }
  }

  @Property(tries = 40)
  void fewRowsStreamBAndMatchThePackedPathBitForBit(
      @ForAll @IntRange(min = 1, max = VectorGemm.SMALL_M) int m, @ForAll("dims") int n,
      @ForAll("depths") int k, @ForAll Op opA, @ForAll("betas") float beta, @ForAll long seed) {
    // With op(B) = N and m <= SMALL_M the kernel reads B as stored; with op(B) = T it packs.
    // Both promise the same FMA order, k blocking and final rounding, hence the same bits.
    Random rnd = new Random(seed);
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] streamed = Shapes.uniform(rnd, m * n, 1f);
    float[] packed = streamed.clone();
    Gemm.vector().gemm(opA, Op.N, m, n, k, 0.75f, a, b, beta, streamed);
    Gemm.vector().gemm(opA, Op.T, m, n, k, 0.75f, a, transpose(b, k, n), beta, packed);
    assertArrayEquals(packed, streamed);
  }

  @Property(tries = 60)
  void fewColumnsMatchThePackedPathBitForBit(
      @ForAll("dims") int m, @ForAll("fewColumns") int n,
      @ForAll("depths") int k, @ForAll Op opA, @ForAll Op opB, @ForAll("betas") float beta, @ForAll long seed) {
    // n <= SMALL_N takes the few-columns path (groups of 2L rows by columns up to COLUMNS_N
    // columns; other rows on one vector, or on two past L); the packed path (what ParallelGemm's
    // shares run) computes the same elements with the same FMA order, k blocking and final rounding.
    Random rnd = new Random(seed);
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] few = Shapes.uniform(rnd, m * n, 1f);
    float[] packed = few.clone();
    boolean ta = opA == Op.T, tb = opB == Op.T;
    int lda = ta ? m : k, ldb = tb ? k : n;
    Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, beta, few, 0, n);
    VectorGemm.block(ta, tb, 0, m, 0, n, k, 0.75f, a, 0, lda, b, 0, ldb, beta, packed, 0, n);
    assertArrayEquals(packed, few);
  }

  @Test
  void everyColumnsPassMatchesThePackedPathBitForBit() {
    // The few-columns path by columns (n <= COLUMNS_N, groups of 2L rows) has a generated kernel
    // per even width, a packed A when A is not transposed, and leaves the rows past the last group
    // to the rows path; the properties above reach each combination only now and then. Every
    // width here, each operand from an offset with padded rows and its array ending where it ends
    // (so a vector load past an operand's end shows), k within one block, past L, and past KC; all
    // of C's array (padding and the floats around C included) must come out as the packed path
    // leaves it.
    int l = VectorGemm.L;
    Random rnd = new Random(11);
    for (int n = 1; n <= VectorGemm.COLUMNS_N + 1; n++) {
      for (int m : new int[] {2 * l, 2 * l + 1, 6 * l - 1}) {
        for (int k : new int[] {1, l - 1, l + 1, VectorGemm.KC + l + 3}) {
          for (Op opA : Op.values()) {
            for (Op opB : Op.values()) {
              for (float beta : new float[] {0f, 1f, -0.75f}) {
                int pad = (n + m + k) % 3;
                Padded x = Padded.of(rnd, opA, opB, m, n, k, pad, 0);
                boolean ta = opA == Op.T, tb = opB == Op.T;
                float[] few = x.c();
                float[] packed = few.clone();
                Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), beta, few, x.cOff(), x.ldc());
                VectorGemm.block(ta, tb, 0, m, 0, n, k, 0.75f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), beta, packed, x.cOff(), x.ldc());
                assertArrayEquals(packed, few, m + " x " + n + " x " + k + " " + opA + opB + ", beta " + beta + ", pad " + pad);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void everyEdgeTileAndLastPanelMatchesTheReference() {
    // The packed path's edge kernels (a last tile of m mod MR rows: 4 or 8 rows on 16 lanes, 2 on
    // 8, or MR padded) meet each kind of last panel (exactly L columns, fewer, between L and NR), with A
    // read in place (rows of A, or A^T's rows at stride lda) or packed (more than
    // ROWS_IN_PLACE_PANELS panels), B streamed or packed, and C stored straight (beta read when it
    // is not 0, and from the second k block on) or through the tile. The generated shapes reach
    // some of these combinations only now and then (an 8-row tile storing over a one-vector
    // panel of exactly L columns with beta != 0 in none of a whole run): here every one, against
    // the reference within the bound of assertWithinBound.
    int l = VectorGemm.L, nr = VectorGemm.NR, mr = VectorGemm.MR;
    int[] widths = {2 * nr + 1, 2 * nr + l, 2 * nr + l + 1, VectorGemm.ROWS_IN_PLACE_PANELS * nr + l};
    Random rnd = new Random(23);
    for (int m = mr + 1; m <= 2 * mr; m++) {
      for (int n : widths) {
        for (int k : new int[] {3, VectorGemm.KC + 5}) {
          for (Op opA : Op.values()) {
            for (Op opB : Op.values()) {
              float[] a = Shapes.uniform(rnd, m * k, 1f), b = Shapes.uniform(rnd, k * n, 1f), c0 = Shapes.uniform(rnd, m * n, 1f);
              float[] expected = new float[m * n];
              for (float beta : new float[] {0f, 1f, -0.75f}) {
                System.arraycopy(c0, 0, expected, 0, c0.length);
                Gemm.scalar().gemm(opA, opB, m, n, k, -0.5f, a, b, beta, expected);
                float[] actual = c0.clone();
                Gemm.vector().gemm(opA, opB, m, n, k, -0.5f, a, b, beta, actual);
                assertWithinBound(opA, opB, m, n, k, -0.5f, a, b, beta, c0, expected, actual);
              }
            }
          }
        }
      }
    }
  }

  @Property(tries = 60)
  void streamedBMatchesPackedBBitForBit(
      @ForAll("dims") int m, @ForAll("dims") int n, @ForAll("depths") int k, @ForAll Op opA,
      @ForAll("betas") float beta, @ForAll @IntRange(min = 0, max = 40) int pad, @ForAll long seed) {
    // Streaming B (read where it lies, stride ldb) and packing it feed the micro-kernel the same
    // values in the same order: the products must agree bit for bit, also with a padded ldb and
    // an offset, and with a last panel narrower than NR (which is packed in either case).
    Random rnd = new Random(seed);
    boolean ta = opA == Op.T;
    int lda = ta ? m : k, ldb = n + pad, bOff = pad / 3;
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, bOff + k * ldb, 1f);
    float[] streamed = Shapes.uniform(rnd, m * n, 1f);
    float[] packed = streamed.clone();
    VectorGemm.block(true, false, ta, false, 0, m, 0, n, k, 0.75f, a, 0, lda, b, bOff, ldb, beta, streamed, 0, n);
    VectorGemm.block(false, false, ta, false, 0, m, 0, n, k, 0.75f, a, 0, lda, b, bOff, ldb, beta, packed, 0, n);
    assertArrayEquals(packed, streamed);
  }

  @Property(tries = 60)
  void aReadInPlaceMatchesThePackedOneBitForBit(
      @ForAll("dims") int m, @ForAll("dims") int n, @ForAll("depths") int k, @ForAll Op opA, @ForAll Op opB,
      @ForAll("betas") float beta, @ForAll @IntRange(min = 0, max = 40) int pad, @ForAll boolean streamB,
      @ForAll long seed) {
    // In place, the micro-kernel reads each k's values of op(A) where A lies: for A^T from A's
    // row at stride lda instead of from a packed panel at stride MR, for A from MR rows lda
    // apart. The same values in the same order, so the same bits, for any lda and offset (the
    // rule only decides whether it is worth it), any edge tile (packed in either case when no
    // kernel fits it) and k past a block of KC.
    Random rnd = new Random(seed);
    boolean ta = opA == Op.T, tb = opB == Op.T;
    boolean stream = streamB && !tb;
    int lda = (ta ? m : k) + pad, aOff = pad / 3, ldb = tb ? k : n;
    float[] a = Shapes.uniform(rnd, aOff + (ta ? k : m) * lda, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] inPlace = Shapes.uniform(rnd, m * n, 1f);
    float[] packed = inPlace.clone();
    VectorGemm.block(stream, true, ta, tb, 0, m, 0, n, k, 0.75f, a, aOff, lda, b, 0, ldb, beta, inPlace, 0, n);
    VectorGemm.block(stream, false, ta, tb, 0, m, 0, n, k, 0.75f, a, aOff, lda, b, 0, ldb, beta, packed, 0, n);
    assertArrayEquals(packed, inPlace);
  }

  @Property(tries = 80)
  void aRowComesOutTheSameInWhicheverTileComputesIt(
      @ForAll @IntRange(min = 1, max = 3 * 12 + 9) int m, @ForAll("dims") int n, @ForAll("depths") int k,
      @ForAll Op opA, @ForAll Op opB, @ForAll("betas") float beta, @ForAll @IntRange(min = 1, max = 12) int skip,
      @ForAll long seed) {
    // The rows from r0 on, multiplied on their own, fall into other tiles than in the whole
    // product: a full MR-row tile, an edge kernel of 4 or 8 rows (2 on 8 lanes) written
    // straight to C, a padded tile copied out, or the few-rows path. Each element is the same
    // chain of FMAs in every one of them, so the bits must agree.
    Random rnd = new Random(seed);
    int r0 = Math.min(skip, m - 1);
    int lda = opA == Op.N ? k : m, ldb = opB == Op.N ? n : k;
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] whole = Shapes.uniform(rnd, m * n, 1f);
    float[] rest = whole.clone();
    Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, beta, whole, 0, n);
    int aOff = opA == Op.N ? r0 * lda : r0;
    Gemm.vector().gemm(opA, opB, m - r0, n, k, 0.75f, a, aOff, lda, b, 0, ldb, beta, rest, r0 * n, n);
    assertArrayEquals(java.util.Arrays.copyOfRange(whole, r0 * n, m * n), java.util.Arrays.copyOfRange(rest, r0 * n, m * n));
  }

  @Property(tries = 80)
  void aColumnComesOutTheSameInWhicheverPanelComputesIt(
      @ForAll("dims") int m, @ForAll @IntRange(min = 1, max = 3 * 32 + 17) int n, @ForAll("depths") int k,
      @ForAll Op opA, @ForAll Op opB, @ForAll("betas") float beta, @ForAll @IntRange(min = 1, max = 40) int skip,
      @ForAll long seed) {
    // The columns from j0 on, multiplied on their own, fall into other panels than in the whole
    // product: a full two-vector panel, a last one of exactly one vector read where it lies or
    // packed, a narrower one-vector panel or a two-vector one padded with zeros, or the
    // few-columns path. Each element is the same chain of FMAs in every one of them.
    Random rnd = new Random(seed);
    int j0 = Math.min(skip, n - 1);
    int lda = opA == Op.N ? k : m, ldb = opB == Op.N ? n : k;
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] whole = Shapes.uniform(rnd, m * n, 1f);
    float[] rest = whole.clone();
    Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, beta, whole, 0, n);
    int bOff = opB == Op.N ? j0 : j0 * ldb;
    Gemm.vector().gemm(opA, opB, m, n - j0, k, 0.75f, a, 0, lda, b, bOff, ldb, beta, rest, j0, n);
    for (int i = 0; i < m; i++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(whole, i * n + j0, i * n + n),
          java.util.Arrays.copyOfRange(rest, i * n + j0, i * n + n), "row " + i);
    }
  }

  @Property(tries = 80)
  void packedPanelsHoldOpBInTheirLayoutWithZerosPastTheLastColumn(
      @ForAll boolean transB, @ForAll @IntRange(min = 1, max = 3 * 32 + 17) int nc, @ForAll("depths") int k,
      @ForAll @IntRange(min = 0, max = 40) int jc, @ForAll @IntRange(min = 0, max = 3) int ldExtra,
      @ForAll long seed) {
    // Panel q holds op(B)[pc + p][jc + q NR + j] at q kc NR + p w + j, w = NR or, for a last panel
    // of at most L columns, L; columns past nc are zero (the kernels read them). The copy must be
    // exact whichever way a panel is moved: by whole vectors, transposed through registers, or
    // through the zero-padded square of a narrow transposed panel.
    Random rnd = new Random(seed);
    int n = jc + nc;
    int ldb = (transB ? k : n) + ldExtra;
    int bOff = 3;
    float[] b = Shapes.uniform(rnd, bOff + (transB ? n : k) * ldb, 1f);
    int pc = k > VectorGemm.KC ? VectorGemm.KC : 0;
    int kc = Math.min(VectorGemm.KC, k - pc);
    int panels = (nc + VectorGemm.NR - 1) / VectorGemm.NR;
    float[] bp = new float[panels * kc * VectorGemm.NR];
    java.util.Arrays.fill(bp, Float.NaN);
    VectorGemm.packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
    for (int q = 0; q < panels; q++) {
      int cols = Math.min(VectorGemm.NR, nc - q * VectorGemm.NR);
      int w = VectorGemm.panelWidth(cols);
      for (int p = 0; p < kc; p++) {
        for (int j = 0; j < w; j++) {
          int col = jc + q * VectorGemm.NR + j;
          float expected = j >= cols ? 0f : transB ? b[bOff + col * ldb + pc + p] : b[bOff + (pc + p) * ldb + col];
          assertEquals(expected, bp[q * kc * VectorGemm.NR + p * w + j], "panel " + q + ", p " + p + ", column " + j);
        }
      }
    }
  }

  @Property(tries = 40)
  void subMatricesLeaveTheRestAlone(
      @ForAll @IntRange(min = 1, max = 40) int m, @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 1, max = 40) int k, @ForAll @IntRange(min = 0, max = 5) int pad,
      @ForAll Op opA, @ForAll Op opB, @ForAll long seed) {
    Padded x = Padded.of(new Random(seed), opA, opB, m, n, k, pad, 4);
    float[] a = x.a(), b = x.b(), c = x.c();
    int aOff = x.aOff(), bOff = x.bOff(), cOff = x.cOff(), lda = x.lda(), ldb = x.ldb(), ldc = x.ldc();
    float[] expected = c.clone();
    Gemm.scalar().gemm(opA, opB, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 2f, expected, cOff, ldc);
    float[] actual = c.clone();
    Gemm.vector().gemm(opA, opB, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 2f, actual, cOff, ldc);
    for (int i = 0; i < c.length; i++) {
      int rel = i - cOff;
      boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
      if (!inside) assertEquals(c[i], actual[i], 0f, "element " + i + " outside C was written");
      // The bound of assertWithinBound with |a|, |b| <= 1: sum_p |a b| <= k.
      else assertEquals(expected[i], actual[i], (2 * k + 4) * U * (0.5f * k + 2f * Math.abs(c[i])) + 1e-30f);
    }
  }

  @Test
  void aTransposedAIsReadInPlaceOnlyWhereItsRowsSpreadOverTheL1Sets() {
    // Rows lda floats apart fall into every one of 64 sets of 64-byte lines when 4 * lda bytes
    // is an odd multiple of 64 or not a multiple of it: the first layer's 784 features (3,136
    // bytes), odd widths. Power-of-two strides use a few sets, and 512 bytes ran at 0.31-0.65x.
    for (int lda : new int[] {784, 100, 48, 50, 10, 3, 1}) assertTrue(VectorGemm.readsAInPlace(true, lda, 256), "lda " + lda);
    for (int lda : new int[] {32, 64, 96, 128, 256, 512, 800, 1024, 4096}) {
      assertFalse(VectorGemm.readsAInPlace(true, lda, 256), "lda " + lda);
    }
  }

  @Test
  void aIsReadInPlaceOnlyForProductsOfFewPanels() {
    // A packed panel of A serves every panel of B; below a few panels its packing is not paid
    // back, whatever the stride (power-of-two strides included: measured at 512-2048).
    int most = VectorGemm.ROWS_IN_PLACE_PANELS * VectorGemm.NR;
    for (int lda : new int[] {784, 256, 1024, 64, 10, 1}) {
      for (int cols : new int[] {1, 10, VectorGemm.L, VectorGemm.NR, most - 1, most}) {
        assertTrue(VectorGemm.readsAInPlace(false, lda, cols), "lda " + lda + ", cols " + cols);
      }
      for (int cols : new int[] {most + 1, 2 * most, 4096}) assertFalse(VectorGemm.readsAInPlace(false, lda, cols), "lda " + lda + ", cols " + cols);
    }
  }

  @Test
  void betaZeroDoesNotReadC() {
    for (Gemm g : gemms()) {
      float[] a = {1, 2, 3, 4}, b = {1, 0, 0, 1};
      float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
      g.gemm(Op.N, Op.N, 2, 2, 2, 1f, a, b, 0f, c);
      assertArrayEquals(new float[] {1, 2, 3, 4}, c);
    }
  }

  @Test
  void betaZeroDoesNotReadCOnAnyPath() {
    // The 2 x 2 product above reaches only the few-columns path. Here every path stores the first
    // k block with beta = 0: few rows with B streamed, few columns (by columns and by rows, on one
    // vector and on two), the packed path's direct and edge tiles and a panel of exactly L
    // columns, k past KC, and a product that parallel(2) splits. C in NaN must come out as from a
    // C of zeros, bit for bit, and the NaN around it (padded rows, floats before and after) stay.
    int l = VectorGemm.L, mr = VectorGemm.MR, kc = VectorGemm.KC;
    int[][] shapes = {
        {3, 5 * l + 3, 7}, {2 * l + 1, 5, kc + 3}, {9, l + 3, 4}, {3 * mr + 1, 6 * l + 5, kc + 1},
        {mr + 1, 3 * l, 9}, {64, 70, (int) (ParallelGemm.MIN_PARALLEL_FLOPS / (2 * 64 * 70) + 1)}};
    Random rnd = new Random(5);
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      for (Op opA : Op.values()) {
        for (Op opB : Op.values()) {
          Padded x = Padded.of(rnd, opA, opB, m, n, k, 2, 3);
          for (Gemm g : gemms()) {
            float[] zeros = x.c().clone(), nan = x.c().clone();
            for (int i = 0; i < m; i++) java.util.Arrays.fill(zeros, x.cOff() + i * x.ldc(), x.cOff() + i * x.ldc() + n, 0f);
            java.util.Arrays.fill(nan, Float.NaN);
            g.gemm(opA, opB, m, n, k, 1.25f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), 0f, zeros, x.cOff(), x.ldc());
            g.gemm(opA, opB, m, n, k, 1.25f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), 0f, nan, x.cOff(), x.ldc());
            for (int i = 0; i < nan.length; i++) {
              int rel = i - x.cOff();
              boolean inside = rel >= 0 && rel / x.ldc() < m && rel % x.ldc() < n;
              float expected = inside ? zeros[i] : Float.NaN;
              assertEquals(expected, nan[i], 0f, g + " " + m + " x " + n + " x " + k + " " + opA + opB + ", element " + i);
            }
          }
        }
      }
    }
  }

  @Test
  void emptyDepthScalesCWithoutReadingAorB() {
    for (Gemm g : gemms()) {
      float[] c = {1, 2, 3, 4, 5, 6};
      g.gemm(Op.N, Op.N, 2, 3, 0, 1f, new float[0], new float[0], 0.5f, c);
      assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, c);
      float[] nan = {Float.NaN, Float.NaN};
      g.gemm(Op.N, Op.N, 1, 2, 0, 1f, new float[0], new float[0], 0f, nan);
      assertArrayEquals(new float[] {0, 0}, nan, "k = 0 and beta = 0 must write zeros, not NaN");
    }
  }

  @Test
  void alphaZeroScalesCWithoutReadingAOrB() {
    // As in BLAS, alpha = 0 leaves the product uncomputed: C = beta C exactly (zeros for beta = 0,
    // C's NaN not read), whatever A and B hold. Computed, the NaN and infinities below would give
    // 0 * NaN = NaN. Shapes for the few-columns, few-rows and packed paths, and one past
    // MIN_PARALLEL_FLOPS; C padded, so that nothing around the block may change either.
    int l = VectorGemm.L;
    int[][] shapes = {{3, 5, 7}, {2, 5 * l + 3, 9}, {3 * VectorGemm.MR + 1, 6 * l + 5, VectorGemm.KC + 1},
        {64, 70, (int) (ParallelGemm.MIN_PARALLEL_FLOPS / (2 * 64 * 70) + 1)}};
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    Random rnd = new Random(17);
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      for (Op opA : Op.values()) {
        for (Op opB : Op.values()) {
          Padded x = Padded.of(rnd, opA, opB, m, n, k, 1, 2);
          for (float[] operand : new float[][] {x.a(), x.b()}) {
            for (int i = 0; i < operand.length; i += 3) operand[i] = specials[i % specials.length];
          }
          for (float beta : new float[] {0f, 1f, -0.75f}) {
            for (Gemm g : gemms()) {
              float[] c = x.c().clone();
              if (beta == 0f) for (int i = 0; i < m; i++) c[x.cOff() + i * x.ldc()] = Float.NaN;
              float[] before = c.clone();
              g.gemm(opA, opB, m, n, k, 0f, x.a(), x.aOff(), x.lda(), x.b(), x.bOff(), x.ldb(), beta, c, x.cOff(), x.ldc());
              for (int i = 0; i < c.length; i++) {
                int rel = i - x.cOff();
                boolean inside = rel >= 0 && rel / x.ldc() < m && rel % x.ldc() < n;
                // beta * c is one rounding of exact operands: the same float in any implementation.
                float expected = !inside ? before[i] : beta == 0f ? 0f : beta * before[i];
                assertEquals(expected, c[i], 0f, g + " " + m + " x " + n + " x " + k + " " + opA + opB + ", beta " + beta + ", element " + i);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void emptyProductsTouchNothingAndNeedNoStorage() {
    // m = 0 or n = 0: nothing to compute or scale, whatever k, beta and the other operand; an
    // empty operand needs no array beyond its (empty) block, and C's NaN stays untouched.
    for (Gemm g : gemms()) {
      for (Op opA : Op.values()) {
        for (Op opB : Op.values()) {
          float[] b = {1, 2, 3, 4, 5, 6}, c = {Float.NaN, Float.NaN};
          g.gemm(opA, opB, 0, 3, 2, 1f, new float[0], b, 0f, c); // m = 0: A and C empty
          g.gemm(opA, opB, 2, 0, 3, 1f, b, new float[0], 0.5f, c); // n = 0: B and C empty
          g.gemm(opA, opB, 0, 0, 0, 1f, new float[0], new float[0], 0f, new float[0]);
          assertArrayEquals(new float[] {Float.NaN, Float.NaN}, c, g + " " + opA + opB);
        }
      }
    }
  }

  @Test
  void wideProductCrossesTheColumnBlock() {
    // n > NC exercises the outermost loop, which the generated shapes are too small to reach. In
    // parallel(2) each thread runs that loop over its own share of the columns, so the product is
    // cut along n into NC + NR and NC + 5 columns, and k is the least depth at which
    // 2mnk >= MIN_PARALLEL_FLOPS, so that it is cut at all.
    int m = 13, n = 2 * VectorGemm.NC + VectorGemm.NR + 5;
    int k = (int) ((ParallelGemm.MIN_PARALLEL_FLOPS + 2L * m * n - 1) / (2L * m * n));
    int cut = Workers.boundary(n, VectorGemm.NR, 1, 2);
    assertTrue(ParallelGemm.alongColumns(m, n, 2) && cut > VectorGemm.NC && n - cut > VectorGemm.NC,
        "shares of " + cut + " and " + (n - cut) + " columns");
    Random rnd = new Random(42);
    float[] a = Shapes.uniform(rnd, m * k, 1f), b = Shapes.uniform(rnd, k * n, 1f), bt = transpose(b, k, n);
    float[] expected = new float[m * n];
    Gemm.scalar().gemm(Op.N, Op.T, m, n, k, 1f, a, bt, 0f, expected);
    for (Gemm g : gemms()) {
      float[] actual = new float[m * n];
      g.gemm(Op.N, Op.T, m, n, k, 1f, a, bt, 0f, actual);
      assertWithinBound(Op.N, Op.N, m, n, k, 1f, a, b, 0f, new float[m * n], expected, actual);
    }
    float[] one = new float[m * n], two = new float[m * n];
    Gemm.vector().gemm(Op.N, Op.T, m, n, k, 1f, a, bt, 0f, one);
    Gemm.parallel(2).gemm(Op.N, Op.T, m, n, k, 1f, a, bt, 0f, two);
    assertArrayEquals(one, two, "parallel(2) against vector()");
  }

  /**
   * The split's arithmetic near Integer.MAX_VALUE: tiles were counted as (n + NR - 1) / NR, which
   * wrapped negative there, so a product that wide was never split along n and its shares came
   * out negative (run on one thread).
   */
  @Test
  void theSplitCountsTheTilesOfAnExtentNearIntegerMaxValue() {
    assertTrue(ParallelGemm.alongColumns(1, Integer.MAX_VALUE, 2), "one row of Integer.MAX_VALUE columns splits along n");
    assertTrue(ParallelGemm.alongColumns(1, Integer.MAX_VALUE - VectorGemm.NR + 2, 2));
    assertFalse(ParallelGemm.alongColumns(Integer.MAX_VALUE, 1, 2), "one column: split along m");
    assertEquals(2, ParallelGemm.parts(Integer.MAX_VALUE, VectorGemm.NR, 2));
    assertEquals(2, ParallelGemm.parts(Integer.MAX_VALUE - 1, VectorGemm.MR, 2));
    assertEquals(1, ParallelGemm.parts(VectorGemm.NR, VectorGemm.NR, 2), "one unit: one share");
    assertEquals(2, ParallelGemm.parts(VectorGemm.NR + 1, VectorGemm.NR, 2), "a unit and a bit: two shares");
  }

  /**
   * parallel(n) is one long-lived instance per thread count, and it hands the product to its
   * shares through a field: once a product has returned, its operands and C must not stay
   * reachable from there (weights and activations of a network that is gone, held until the next
   * product of that instance, or for good).
   */
  @Test
  void aParallelProductKeepsNoneOfItsArraysAlive() throws InterruptedException {
    List<WeakReference<float[]>> arrays = splitProduct();
    for (int i = 0; i < arrays.size(); i++) WorkersTest.awaitCollected(arrays.get(i), "operand " + "abc".charAt(i));
  }

  /** A product that parallel(2) splits, on arrays only weak references lead to afterwards. */
  private static List<WeakReference<float[]>> splitProduct() {
    int m = 64, n = 70, k = (int) (ParallelGemm.MIN_PARALLEL_FLOPS / (2 * 64 * 70) + 1);
    assertTrue(ParallelGemm.alongColumns(m, n, 2), "split along n");
    Random rnd = new Random(3);
    float[] a = Shapes.uniform(rnd, m * k, 1f), b = Shapes.uniform(rnd, k * n, 1f), c = new float[m * n];
    Gemm.parallel(2).gemm(Op.N, Op.N, m, n, k, 1f, a, b, 0f, c);
    return List.of(new WeakReference<>(a), new WeakReference<>(b), new WeakReference<>(c));
  }

  /**
   * parallel(n) is one instance per thread count, shared by every caller, and it hands a product
   * to its shares through one field: a second caller that finds it busy computes its own product
   * alone. Two threads multiplying their own matrices at once through parallel(2) must each get
   * the bits of vector(), round after round.
   */
  @Test
  void twoCallersOfOneParallelGemmEachGetTheirOwnProduct() throws Exception {
    int m = 64, n = 70, k = (int) (ParallelGemm.MIN_PARALLEL_FLOPS / (2 * 64 * 70) + 1);
    Gemm shared = Gemm.parallel(2);
    List<Together.Body> callers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Random rnd = new Random(100 + t);
      float[] a = Shapes.uniform(rnd, m * k, 1f), b = Shapes.uniform(rnd, k * n, 1f), expected = new float[m * n];
      Gemm.vector().gemm(Op.N, Op.N, m, n, k, 1f, a, b, 0f, expected);
      callers.add(() -> {
        for (int round = 0; round < 30; round++) {
          float[] c = new float[m * n];
          shared.gemm(Op.N, Op.N, m, n, k, 1f, a, b, 0f, c);
          assertArrayEquals(expected, c, "round " + round);
        }
      });
    }
    Together.run(callers);
  }

  @Test
  void badArgumentsNameTheArgumentAndWriteNothing() {
    float[] a = new float[6], b = new float[6];
    for (Gemm g : gemms()) {
      float[] c = {9, 9, 9, 9};
      expectBad("m", () -> g.gemm(Op.N, Op.N, -1, 2, 3, 1f, a, b, 0f, c));
      expectBad("k", () -> g.gemm(Op.N, Op.N, 2, 2, -3, 1f, a, b, 0f, c));
      expectBad("a has 6 elements", () -> g.gemm(Op.N, Op.N, 2, 2, 4, 1f, a, b, 0f, c));
      expectBad("c has 4 elements", () -> g.gemm(Op.N, Op.N, 3, 2, 2, 1f, a, b, 0f, c));
      expectBad("ldb (the leading dimension of b) must be >= max(1, 2), got 1", () -> g.gemm(Op.N, Op.N, 2, 2, 3, 1f, a, 0, 3, b, 0, 1, 0f, c, 0, 2));
      expectBad("alpha", () -> g.gemm(Op.N, Op.N, 2, 2, 3, Float.NaN, a, b, 0f, c));
      expectBad("beta", () -> g.gemm(Op.N, Op.N, 2, 2, 3, 1f, a, b, Float.POSITIVE_INFINITY, c));
      expectBad("opA", () -> g.gemm(null, Op.N, 2, 2, 3, 1f, a, b, 0f, c));
      expectBad("opB", () -> g.gemm(Op.N, null, 2, 2, 3, 1f, a, b, 0f, c));
      expectBad("aOff must be >= 0, got -1", () -> g.gemm(Op.N, Op.N, 2, 2, 3, 1f, a, -1, 3, b, 0, 2, 0f, c, 0, 2));
      assertArrayEquals(new float[] {9, 9, 9, 9}, c, "C was written before the error");
    }
    expectBad("threads", () -> Gemm.parallel(0));
    expectBad("threads must be <= 1024", () -> Gemm.parallel(Workers.MAX_THREADS + 1));
    assertTrue(Gemm.parallel(1) == Gemm.vector(), "parallel(1) is the one-thread kernel, no team");
  }

  /**
   * An operand stored from an offset with padded rows needs {@code off + (rows - 1) ld + cols}
   * floats, the last row's padding not included: an array of exactly that many is taken, and one
   * float shorter is an IllegalArgumentException naming it, before anything is written (not an
   * ArrayIndexOutOfBoundsException from inside a kernel, nor a read past the block).
   */
  @Property(tries = 150)
  void anOperandOfExactlyItsExtentIsTakenAndOneFloatShorterIsNamed(
      @ForAll Op opA, @ForAll Op opB, @ForAll @IntRange(min = 1, max = 9) int m,
      @ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 1, max = 9) int k,
      @ForAll @IntRange(min = 0, max = 5) int off, @ForAll @IntRange(min = 0, max = 4) int pad,
      @ForAll @IntRange(min = 0, max = 2) int shorter, @ForAll long seed) {
    Random rnd = new Random(seed);
    int aRows = opA == Op.N ? m : k, aCols = opA == Op.N ? k : m;
    int bRows = opB == Op.N ? k : n, bCols = opB == Op.N ? n : k;
    int lda = aCols + pad, ldb = bCols + (pad + 1) % 5, ldc = n + (pad + 2) % 5;
    int aOff = off, bOff = (off + 2) % 6, cOff = (off + 4) % 6;
    float[] a = Shapes.uniform(rnd, aOff + (aRows - 1) * lda + aCols, 1f);
    float[] b = Shapes.uniform(rnd, bOff + (bRows - 1) * ldb + bCols, 1f);
    float[] c = Shapes.uniform(rnd, cOff + (m - 1) * ldc + n, 1f);
    for (Gemm g : gemms()) {
      float[] taken = c.clone();
      g.gemm(opA, opB, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 0.5f, taken, cOff, ldc);
      float[] sa = shorter == 0 ? Arrays.copyOf(a, a.length - 1) : a;
      float[] sb = shorter == 1 ? Arrays.copyOf(b, b.length - 1) : b;
      float[] sc = shorter == 2 ? Arrays.copyOf(c, c.length - 1) : c.clone();
      String name = new String[] {"a", "b", "c"}[shorter];
      BadArguments.rejects(name, () -> g.gemm(opA, opB, m, n, k, 0.5f, sa, aOff, lda, sb, bOff, ldb, 0.5f, sc, cOff, ldc), sc);
    }
  }

  @Test
  void aCThatSharesAnElementWithAOrBIsRefusedAndBlocksApartAreNot() {
    // The kernels write C while they still read A and B (the scalar reference element by element,
    // the packed path after each k block of KC, ParallelGemm in its other shares), so C = A B in
    // place, or shifted by a row, read values already overwritten: a wrong product, and no error.
    float[] x = new float[64];
    for (int i = 0; i < x.length; i++) x[i] = i % 7 - 3;
    float[] b = {1, 2, 3, 4, 5, 6}, a = {1, -1, 2, 0.5f};
    for (Gemm g : gemms()) {
      float[] y = x.clone();
      expectBad("c overlaps a", () -> g.gemm(Op.N, Op.N, 2, 2, 2, 1f, y, 0, 2, b, 0, 2, 0f, y, 0, 2));
      expectBad("c overlaps b", () -> g.gemm(Op.N, Op.N, 2, 2, 2, 1f, a, 0, 2, y, 4, 2, 0f, y, 6, 2));
      // A^T stored 3 x 2 at offset 10, lda 8: its last row [26, 28) meets C's first row [27, 29).
      expectBad("c overlaps a", () -> g.gemm(Op.T, Op.N, 2, 2, 3, 1f, y, 10, 8, b, 0, 2, 0f, y, 27, 8));
      expectBad("c overlaps b", () -> g.gemm(Op.N, Op.T, 2, 2, 2, 1f, a, 0, 2, y, 1, 3, 1f, y, 3, 3));
      assertArrayEquals(x, y, "C was written before the error");
      // Side by side in the same rows (A in columns 0-2, B in 3-4, C in 5-6 of rows 8 wide), and C
      // in the rows past A: apart, so computed as on separate copies.
      float[] z = x.clone(), expected = x.clone();
      g.gemm(Op.N, Op.N, 3, 2, 3, 1f, z, 0, 8, z, 3, 8, 0.5f, z, 5, 8);
      Gemm.scalar().gemm(Op.N, Op.N, 3, 2, 3, 1f, x.clone(), 0, 8, x.clone(), 3, 8, 0.5f, expected, 5, 8);
      assertArrayEquals(expected, z);
      g.gemm(Op.N, Op.N, 2, 2, 2, 1f, z, 0, 2, b, 0, 2, 0f, z, 4, 2);
    }
  }

  @Property(tries = 400)
  void theOverlapCheckAgreesWithTheElementsBothBlocksHold(
      @ForAll @IntRange(min = 0, max = 40) int off, @ForAll @IntRange(min = 0, max = 4) int rows,
      @ForAll @IntRange(min = 0, max = 5) int cols, @ForAll @IntRange(min = 0, max = 6) int ldExtra,
      @ForAll @IntRange(min = 0, max = 40) int srcOff, @ForAll @IntRange(min = 0, max = 4) int srcRows,
      @ForAll @IntRange(min = 0, max = 5) int srcCols, @ForAll @IntRange(min = 0, max = 6) int srcLdExtra) {
    int ld = Math.max(1, cols + ldExtra), srcLd = Math.max(1, srcCols + srcLdExtra);
    java.util.Set<Integer> held = new java.util.HashSet<>();
    for (int r = 0; r < srcRows; r++) for (int j = 0; j < srcCols; j++) held.add(srcOff + r * srcLd + j);
    boolean shared = false;
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) shared |= held.contains(off + r * ld + j);
    boolean refused = false;
    try {
      Checks.apart("c", off, rows, cols, ld, "a", srcOff, srcRows, srcCols, srcLd);
    } catch (IllegalArgumentException e) {
      refused = true;
    }
    assertEquals(shared, refused);
  }

  private static void expectBad(String fragment, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should name " + fragment);
  }

  private static Gemm[] gemms() {
    return new Gemm[] {Gemm.scalar(), Gemm.vector(), Gemm.parallel(2)};
  }

  /**
   * Both results are float dot products of length k; each differs from the exact value by at most
   * gamma_k * sum_p |a_ip b_pj| with gamma_k ~= k u (Higham, Accuracy and Stability, 3.1), whatever
   * the summation order or FMA use, plus a few u for the alpha and beta terms. Their difference is
   * therefore bounded by (2k + 4) u (|alpha| sum_p |a||b| + |beta c|). The bound is the worst case:
   * typical differences are far smaller, but any larger one is a bug, not rounding.
   */
  private static void assertWithinBound(
      Op opA, Op opB, int m, int n, int k, float alpha, float[] a, float[] b, float beta,
      float[] c0, float[] expected, float[] actual) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double magnitude = 0;
        for (int p = 0; p < k; p++) {
          float aip = opA == Op.N ? a[i * k + p] : a[p * m + i];
          float bpj = opB == Op.N ? b[p * n + j] : b[j * k + p];
          magnitude += Math.abs(aip * bpj);
        }
        double bound = (2.0 * k + 4) * U * (Math.abs(alpha) * magnitude + Math.abs(beta * c0[i * n + j])) + 1e-30;
        float e = expected[i * n + j], x = actual[i * n + j];
        if (!(Math.abs(e - x) <= bound)) {
          throw new AssertionError(String.format(
              "C[%d][%d] (m=%d n=%d k=%d %s%s alpha=%s beta=%s): scalar %s, vector %s, bound %s",
              i, j, m, n, k, opA, opB, alpha, beta, e, x, bound));
        }
      }
    }
  }

  static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
    return t;
  }

  @Test
  void transposeHelperIsRight() {
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, transpose(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
  }

  @Property(tries = 80)
  void cEndingTheArrayGivesTheSameBitsAsCWithFloatsAfterIt(
      @ForAll("dims") int m, @ForAll("dims") int n, @ForAll("depths") int k, @ForAll Op opA, @ForAll Op opB,
      @ForAll("betas") float beta, @ForAll long seed) {
    // A last tile whose vector would reach past C's end is stored by element (see Lanes): the same
    // operations as the masked store, so the same bits as when floats follow C, and nothing past C
    // is written either way.
    Random rnd = new Random(seed);
    float[] a = Shapes.uniform(rnd, m * k, 1f);
    float[] b = Shapes.uniform(rnd, k * n, 1f);
    float[] ending = Shapes.uniform(rnd, m * n, 1f);
    float[] followed = Arrays.copyOf(ending, m * n + 2 * Shapes.LANES);
    Arrays.fill(followed, m * n, followed.length, -7.5f);
    Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, a, b, beta, ending);
    Gemm.vector().gemm(opA, opB, m, n, k, 0.75f, a, b, beta, followed);
    assertArrayEquals(ending, Arrays.copyOf(followed, m * n));
    for (int i = m * n; i < followed.length; i++) assertEquals(-7.5f, followed[i], "after C at " + i);
  }
}
