package org.caviar.search.storage;

/**
 * How hard the journal pushes each event to disk. Every mode writes each event with one write
 * call before the recording method returns, so the event is in the operating system's hands and
 * survives the process being killed ({@code kill -9}, a crash, an out-of-memory kill). Only a
 * machine crash or power loss can lose the last events, unless fsync is asked for: it costs about
 * 1 ms per call on this project's machine (measured: 0.9 ms fdatasync, 1.06 ms fsync per 60-byte
 * append), five times the journal's whole budget of 0.2 ms per trial, hence not the default.
 */
public enum Durability {
  /** Write each event; survives the process dying, not the machine. The default. */
  PROCESS_CRASH,
  /** Also fsync when a trial finishes, so no finished trial is lost even to a power cut. */
  FSYNC_OUTCOMES,
  /** fsync after every event. */
  FSYNC_EVERY_EVENT
}
