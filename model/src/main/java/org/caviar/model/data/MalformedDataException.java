package org.caviar.model.data;

import java.io.IOException;

/**
 * A data file that does not parse: the message names the source and, for text files, the line
 * (1-based) and column; for binary files, what was expected.
 */
public final class MalformedDataException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final long line;

  /** For a text file's line (1-based). */
  public MalformedDataException(String source, long line, String problem) {
    super(source + " line " + line + ": " + problem);
    this.source = source;
    this.line = line;
  }

  /** For a binary file or a problem not tied to a line. */
  public MalformedDataException(String source, String problem) {
    super(source + ": " + problem);
    this.source = source;
    this.line = -1;
  }

  public String source() {
    return source;
  }

  /** The 1-based line, or -1 when the problem is not tied to a line. */
  public long line() {
    return line;
  }
}
