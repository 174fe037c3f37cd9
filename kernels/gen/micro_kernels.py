#!/usr/bin/env python3
"""Writes GemmMicroKernels.java, the whole file: VectorGemm's register-blocked micro-kernels
(ROWS x 2 vectors, and ROWS x 1 vector for a narrow last panel), its columns kernels and its
in-register transposes, with the lane shuffles and masks the transposes use. VectorGemm keeps the
hand-written driver (blocking, packing, dispatch) and calls these. Hand-unrolled because Java has
no way to keep an array of vectors in registers: every accumulator and every row must be its own
local variable.

Usage: kernels/gen/micro_kernels.py   (from the project root or anywhere; rewrites the file)
"""
import pathlib

# Rows of the micro-kernels, all on MR-row panels of A: 12 is MR with 32 vector registers
# (AVX-512), 4 is MR with 16 (AVX2, see VectorGemm.MR); 8 and 4 (on 16 lanes) and 2 (on 8) serve a
# last tile of that many rows (a batch of 32, 64 or 128 rows ends in such a tile).
ROWS = (12, 8, 4, 2)
# (lanes, rows loaded): full blocks for packing B^T, MR-row blocks for packing A, and the edge
# kernels' row counts for packing a last panel of A with fewer rows.
TRANSPOSES = ((16, 16), (16, 12), (16, 8), (16, 4), (8, 8), (8, 4), (8, 2))
# Columns of C that one pass of a columns kernel covers (an even count; a chunk of odd width runs
# the next kernel up and drops the last column): up to 12 with 32 registers (24 accumulators),
# up to 6 with 16 (12). See VectorGemm.COLUMNS_MAX.
COLUMNS = (2, 4, 6, 8, 10, 12)


def kernel(rows, vectors, a_rows=False):
    """Multiplies the first `rows` rows of an MR-row panel of A by `vectors` vectors of B: with
    rows = MR and two vectors the full micro-kernel, with fewer rows the kernel of a last tile, and
    with one vector that of a last panel of at most L columns (a layer of 100 or 112 units, say),
    which on two vectors paid for NR columns. Every element is the same chain of FMAs in any of
    them, so they give the same bits. A's k-th column starts aStride floats after the one before:
    MR in a packed panel, lda where A^T is read in place (see VectorGemm.readsAInPlace). With
    a_rows, the kernel reads a non-transposed A where it lies instead: row r of the tile starts
    r * lda floats after aIdx and its k-th value is the k-th float of that row (rowsKernel...)."""
    lanes = "ab"[:vectors]
    offset = {"a": "", "b": " + L"}
    plural = "s" if vectors > 1 else ""
    if a_rows:
        out = [
            f"  /** {rows} rows of A read where they lie, lda apart, x {vectors} vector{plural}: as kernel{rows}x{vectors}, the same bits. */",
            f"  static void rowsKernel{rows}x{vectors}(",
            "      int kc, float[] a, int aIdx, int lda, float[] bp, int bIdx, int bStride, float[] c, int cIdx, int ldc, float alpha, float beta) {",
        ]
    else:
        out = [
            f"  /** The first {rows} rows of an MR-row panel of A x {vectors} vector{plural}: {vectors * rows} accumulators, {vectors} B vector{plural} and one broadcast. */",
            f"  static void kernel{rows}x{vectors}(",
            "      int kc, float[] ap, int aIdx, int aStride, float[] bp, int bIdx, int bStride, float[] c, int cIdx, int ldc, float alpha, float beta) {",
        ]
    for r in range(rows):
        out.append("    " + ", ".join(f"{'FloatVector ' if i == 0 else ''}c{r}{v} = FloatVector.zero(S)" for i, v in enumerate(lanes)) + ";")
    step = "aIdx++" if a_rows else "aIdx += aStride"
    out.append(f"    for (int p = 0; p < kc; p++, {step}, bIdx += bStride) {{")
    for i, v in enumerate(lanes):
        out.append(f"      FloatVector b{i} = FloatVector.fromArray(S, bp, bIdx{offset[v]});")
    for r in range(rows):
        at = ("aIdx" if r == 0 else f"aIdx + {r} * lda") if a_rows else f"aIdx + {r}"
        out.append(f"      FloatVector a{r} = FloatVector.broadcast(S, {'a' if a_rows else 'ap'}[{at}]);")
        for i, v in enumerate(lanes):
            out.append(f"      c{r}{v} = a{r}.fma(b{i}, c{r}{v});")
    out.append("    }")
    # Stores are written out here rather than in a helper method: if C2 declines to inline a
    # call that takes the accumulators, it must box them and the whole kernel falls back to the
    # slow, array-backed path of the Vector API (measured: 13 instead of 220 GFLOP/s).
    out.append("    FloatVector va = FloatVector.broadcast(S, alpha);")
    out.append("    if (beta == 0f) {")
    for r in range(rows):
        for v in lanes:
            out.append(f"      c{r}{v}.mul(va).intoArray(c, cIdx + {r} * ldc{offset[v]});")
    out.append("    } else {")
    out.append("      FloatVector vb = FloatVector.broadcast(S, beta);")
    for r in range(rows):
        for v in lanes:
            at = f"cIdx + {r} * ldc{offset[v]}"
            out.append(f"      c{r}{v}.fma(va, FloatVector.fromArray(S, c, {at}).mul(vb)).intoArray(c, {at});")
    out.append("    }")
    out.append("  }")
    return "\n".join(out)


def transpose_stages(lanes):
    """The log2(lanes) stages of (rearrange, blend) pairs that transpose rows r0..r{lanes-1} in place."""
    out = []
    h = 1
    while h < lanes:
        # Swap the off-diagonal h x h blocks of every 2h x 2h block: rows i (upper) and i + h.
        for i in range(lanes):
            if (i // h) % 2 == 0:
                j = i + h
                out.append(f"    {{ FloatVector t = r{i}.blend(r{j}.rearrange(FROM_MINUS_{h}), ODD_{h});")
                out.append(f"      r{j} = r{j}.blend(r{i}.rearrange(FROM_PLUS_{h}), EVEN_{h});")
                out.append(f"      r{i} = t; }}")
        h *= 2
    return out


def transpose(lanes, rows):
    """Loads `rows` rows of `lanes` floats (the rest are zero), transposes the lanes x lanes block
    in registers with log2(lanes) stages of (rearrange, blend) pairs, and stores each column as one
    full vector at dst + c * dstStride (later stores may overwrite the zero tail of earlier ones)."""
    name = f"transpose{rows}x{lanes}"
    out = [
        f"  /** Transposes a {rows} x {lanes} block (rows past {rows} are zero): see micro_kernels.py. */",
        f"  static void {name}(float[] src, int srcOff, int ld, float[] dst, int dstOff, int dstStride) {{",
    ]
    for t in range(lanes):
        if t < rows:
            out.append(f"    FloatVector r{t} = FloatVector.fromArray(S, src, srcOff + {t} * ld);")
        else:
            out.append(f"    FloatVector r{t} = FloatVector.zero(S);")
    out += transpose_stages(lanes)
    for t in range(lanes):
        out.append(f"    r{t}.intoArray(dst, dstOff + {t} * dstStride);")
    out.append("  }")
    return "\n".join(out)


def columns_kernel(cols):
    """Two vectors of rows of op(A) (2L rows whose k-th values lie together: A^T read where it
    lies, or A packed so by VectorGemm.packColumns) times up to `cols` columns of op(B), each broadcast from B as stored: 2 x cols
    accumulators, so that the two row vectors share every broadcast and no lane is padding. Column
    q is read at bIdx + min(q, w - 1) * bCol: past w the kernel repeats the last column, which the
    caller does not store. Each element is the chain of FMAs the packed path makes (op(A)[i][p] *
    op(B)[p][j] added in order of p from zero), so it gives the same bits. The accumulators go to
    the tile, column q at q * 2L: a helper that stores them straight to C would box them."""
    out = [
        f"  /** 2L rows of op(A), each k's values together, x up to {cols} columns of B broadcast: {2 * cols} accumulators (see micro_kernels.py). */",
        f"  static void columnsKernel{cols}(",
        "      int kc, int w, float[] a, int aIdx, int aStride, float[] b, int bIdx, int bStep, int bCol, float[] tile) {",
    ]
    for q in range(cols):
        out.append(f"    int o{q} = {'0' if q == 0 else f'Math.min({q}, w - 1) * bCol'};")
    for q in range(cols):
        out.append(f"    FloatVector s{q}a = FloatVector.zero(S), s{q}b = FloatVector.zero(S);")
    out.append("    for (int p = 0; p < kc; p++, aIdx += aStride, bIdx += bStep) {")
    out.append("      FloatVector x0 = FloatVector.fromArray(S, a, aIdx);")
    out.append("      FloatVector x1 = FloatVector.fromArray(S, a, aIdx + L);")
    for q in range(cols):
        out.append(f"      FloatVector y{q} = FloatVector.broadcast(S, b[bIdx + o{q}]);")
        out.append(f"      s{q}a = x0.fma(y{q}, s{q}a);")
        out.append(f"      s{q}b = x1.fma(y{q}, s{q}b);")
    out.append("    }")
    for q in range(cols):
        out.append(f"    s{q}a.intoArray(tile, {q} * 2 * L);")
        out.append(f"    s{q}b.intoArray(tile, {q} * 2 * L + L);")
    out.append("  }")
    return "\n".join(out)


def masked_transpose(lanes):
    """As transpose(lanes, rows), for a block of fewer than `lanes` columns: row r < rows is loaded
    whole and its lanes outside `valid` (its first `cols`) zeroed, so the caller makes sure that
    every row has `lanes` floats to read (a masked load past the array's end would take the Vector
    API's slow path and box every vector here), the rows past `rows` are zero, and only the first
    `cols` columns are stored."""
    name = f"transposeMasked{lanes}"
    out = [
        f"  /** Transposes rows x cols floats ({lanes} x {lanes} at most; the rest zero) and stores the first cols columns: see micro_kernels.py. */",
        f"  static void {name}(",
        "      float[] src, int srcOff, int ld, int rows, VectorMask<Float> valid, int cols, float[] dst, int dstOff, int dstStride) {",
        "    FloatVector zero = FloatVector.zero(S);",
    ]
    for t in range(lanes):
        out.append(f"    FloatVector r{t} = {t} < rows ? zero.blend(FloatVector.fromArray(S, src, srcOff + {t} * ld), valid) : zero;")
    out += transpose_stages(lanes)
    for t in range(lanes):
        out.append(f"    if ({t} < cols) r{t}.intoArray(dst, dstOff + {t} * dstStride);")
    out.append("  }")
    return "\n".join(out)


# Everything in the file around the generated methods. The species is chosen once per class as in
# every vector kernel of the module; the shuffles and masks are those of the transposes alone.
HEADER = """\
// GENERATED by kernels/gen/micro_kernels.py: do not edit by hand. To change it, edit the script
// and run it (kernels/gen/micro_kernels.py, from any directory), which rewrites this whole file.
package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels, columns kernels and in-register transposes of {@link
 * VectorGemm}, which blocks, packs and chooses among them. Each is unrolled by hand, as the Vector
 * API needs: an array of vectors is not kept in registers, so every accumulator and every row is
 * its own local variable. C2 inlines by method size, not by class, so they compile as they did
 * inside VectorGemm.
 */
final class GemmMicroKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  // Lane shuffles and masks of the transposes: stage h swaps the off-diagonal h x h blocks.
  private static final VectorShuffle<Float> FROM_MINUS_1 = shift(-1), FROM_PLUS_1 = shift(1);
  private static final VectorShuffle<Float> FROM_MINUS_2 = shift(-2), FROM_PLUS_2 = shift(2);
  private static final VectorShuffle<Float> FROM_MINUS_4 = shift(-4), FROM_PLUS_4 = shift(4);
  private static final VectorShuffle<Float> FROM_MINUS_8 = shift(-8), FROM_PLUS_8 = shift(8);
  private static final VectorMask<Float> ODD_1 = blocks(1, 1), EVEN_1 = blocks(1, 0);
  private static final VectorMask<Float> ODD_2 = blocks(2, 1), EVEN_2 = blocks(2, 0);
  private static final VectorMask<Float> ODD_4 = blocks(4, 1), EVEN_4 = blocks(4, 0);
  private static final VectorMask<Float> ODD_8 = blocks(8, 1), EVEN_8 = blocks(8, 0);

  private static VectorShuffle<Float> shift(int d) {
    return VectorShuffle.fromOp(S, i -> Math.floorMod(i + d, L));
  }

  private static VectorMask<Float> blocks(int h, int parity) {
    boolean[] bits = new boolean[L];
    for (int i = 0; i < L; i++) bits[i] = (i / h) % 2 == parity;
    return VectorMask.fromArray(S, bits, 0);
  }

  private GemmMicroKernels() {}

"""


def main():
    target = pathlib.Path(__file__).resolve().parent.parent / "src/main/java/org/caviar/kernels/GemmMicroKernels.java"
    body = "\n\n".join([kernel(r, 2) for r in ROWS] + [kernel(r, 1) for r in ROWS]
                       + [kernel(r, 2, True) for r in ROWS] + [kernel(r, 1, True) for r in ROWS]
                       + [transpose(l, r) for l, r in TRANSPOSES]
                       + [columns_kernel(c) for c in COLUMNS]
                       + [masked_transpose(l) for l in (16, 8)])
    target.write_text(HEADER + body + "\n}\n")


if __name__ == "__main__":
    main()
