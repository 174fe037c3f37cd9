package org.caviar.search.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A file channel whose next write can be made to stop part-way and fail, as on a full disk. */
final class FailingChannel extends FileChannel {
  private final FileChannel file;
  /** Bytes the next write gets through before it fails; negative: writes succeed. */
  int failAfter = -1;
  boolean truncateFails;
  /** The next force (fsync) fails, as on an I/O error, after the written bytes reached the file. */
  boolean forceFails;

  FailingChannel(FileChannel file) {
    this.file = file;
  }

  /** The journal's file opened as JournalStorage opens it, behind a channel that can be made to fail. */
  static FailingChannel open(java.nio.file.Path path) throws IOException {
    return new FailingChannel(FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE));
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (failAfter < 0) return file.write(src);
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + Math.min(failAfter, part.remaining()));
    int n = file.write(part);
    src.position(src.position() + n);
    failAfter = -1;
    throw new IOException("No space left on device");
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    if (truncateFails) throw new IOException("Input/output error");
    file.truncate(size);
    return this;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return file.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return file.read(dsts, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  @Override
  public void force(boolean metaData) throws IOException {
    if (forceFails) {
      forceFails = false;
      throw new IOException("Input/output error");
    }
    file.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return file.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) {
    throw new UnsupportedOperationException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
