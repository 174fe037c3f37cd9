package org.caviar.model.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opens data streams, decompressing gzip when the first bytes say so (not the file name). */
public final class Inputs {
  private Inputs() {}

  /**
   * {@code in}, decompressed when its first bytes are gzip's. Damaged compressed data (the JDK's
   * ZipException, whose message names neither the file nor the cause) reads as a
   * {@link MalformedDataException} naming {@code source}, wherever the loader is in the file.
   * Closing the stream returned frees the decompressor's native memory at once (not at the next
   * garbage collection) and leaves {@code in} open: the caller opened it and closes it.
   */
  public static InputStream maybeGunzip(InputStream in, String source) throws IOException {
    BufferedInputStream b = new BufferedInputStream(new LeftOpen(in), 1 << 16);
    b.mark(2);
    int first = b.read();
    int second = b.read();
    b.reset();
    if (first != 0x1f || second != 0x8b) return b;
    try {
      return new BufferedInputStream(new NamedGzip(new GZIPInputStream(b, 1 << 16), source), 1 << 16);
    } catch (ZipException | EOFException e) {
      // EOF: cut inside the gzip header.
      throw damagedGzip(source, e);
    }
  }

  /** What a loader says of gzip data that is cut short or damaged, with the JDK's detail if it had one. */
  static MalformedDataException damagedGzip(String source, IOException e) {
    return new MalformedDataException(source, "truncated or damaged gzip data" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
  }

  /** {@code in} with a close that does not close it. */
  private static final class LeftOpen extends FilterInputStream {
    LeftOpen(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }

  /**
   * A gzip stream whose ZipExceptions name their source, and its EOFExceptions too: the
   * decompressed data ends with -1, so an EOFException from below is compressed data cut short
   * (the JDK's "Unexpected end of ZLIB input stream", or a missing trailer).
   */
  private static final class NamedGzip extends FilterInputStream {
    private final String source;

    NamedGzip(InputStream gzip, String source) {
      super(gzip);
      this.source = source;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (ZipException | EOFException e) {
        throw damagedGzip(source, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (ZipException | EOFException e) {
        throw damagedGzip(source, e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (ZipException | EOFException e) {
        throw damagedGzip(source, e);
      }
    }
  }
}
