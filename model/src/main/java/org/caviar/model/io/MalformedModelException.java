package org.caviar.model.io;

import java.io.IOException;

/**
 * A file that does not read as a Caviar model: not one (its magic), another format version, or one
 * damaged or cut short. The message names the file and what is wrong with it. A file that cannot be
 * read at all (permission, a disk error) is a plain {@link IOException}.
 */
public final class MalformedModelException extends IOException {
  private static final long serialVersionUID = 1L;

  public MalformedModelException(String message) {
    super(message);
  }

  public MalformedModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
