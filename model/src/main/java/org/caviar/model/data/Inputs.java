package org.caviar.model.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Opens data streams, decompressing gzip when the first bytes say so (not the file name). */
final class Inputs {
  private Inputs() {}

  static InputStream maybeGunzip(InputStream in) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(2);
    int first = b.read();
    int second = b.read();
    b.reset();
    if (first == 0x1f && second == 0x8b) return new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16);
    return b;
  }
}
