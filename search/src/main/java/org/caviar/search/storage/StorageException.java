package org.caviar.search.storage;

/** The storage itself failed (e.g. its database stayed unreachable): not a trial's or a sampler's fault. */
public class StorageException extends IllegalStateException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
