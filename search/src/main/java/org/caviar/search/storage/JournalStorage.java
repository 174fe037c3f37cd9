package org.caviar.search.storage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.caviar.kernels.Workers;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * The embedded default storage: an append-only file of JSON lines, one per event, that needs no
 * setup and survives {@code kill -9}.
 *
 * <pre>
 * {"op":"study","version":1,"name":"digits","direction":"MAXIMIZE","seed":42,"space":"lr = log(1e-4, 1)\n...","settings":{"--epochs":"30",...}}
 * {"op":"claim","trial":0,"t":1732530000000,"threads":1}
 * {"op":"params","trial":0,"params":{"lr":0.0031,"units":128}}
 * {"op":"report","trial":0,"step":1,"value":0.91}
 * {"op":"finish","trial":0,"state":"COMPLETE","value":0.975,"t":1732530001234}
 * {"op":"budget","trials":100}
 * </pre>
 *
 * <p>A {@code budget} event records the study's {@code --trials} whenever a run sets a new one, so
 * that a plain resume runs to the budget the study was last given ({@link #peekTrialBudget}).
 *
 * <p>A claim's {@code threads} ({@link TrialRecord#threads()}) is written only when known; a
 * journal written before threads were recorded has none, and its trials' threads load as
 * {@link TrialRecord#THREADS_UNKNOWN}.
 *
 * <p>The header's {@code settings} ({@link StudyInfo#settings()}) are written only when there are
 * some; a journal written before they were stored has none and loads as "not recorded".
 *
 * <p><b>Crash safety.</b> Each event is one write of one whole line before the recording method
 * returns (see {@link Durability} for fsync). Opening an existing journal replays it. A crash can
 * leave at most the last line torn (no newline): it is dropped and the file cut back to the last
 * newline, so nothing after it is appended to garbage; a bad line anywhere else is corruption and
 * an error naming the line. Trials still RUNNING in the journal belonged to the dead process: they
 * are finished as FAILED with a reason starting {@value TrialRecord#INTERRUPTED} (by a process that
 * stops less suddenly, at once: {@link #releaseHeld}), and the study re-runs their
 * parameters, as new trials (see {@code Study}); a re-run interrupted while it ran
 * ({@link TrialRecord#isInterruptedWhileRunning()}: found RUNNING so, or stopped by an interrupt) is
 * not re-run again, and its point is given up.
 * Finished trials are never re-run.
 *
 * <p>One process at a time: the file is locked while open, and a second opener gets a clear error.
 * The lock is an OS record lock ({@link FileChannel#tryLock()}, {@code fcntl} on Linux), which
 * the process loses when it closes any descriptor of the file, so the journal is read through
 * the locked channel only, never opened a second time while the study runs: nor by anything else
 * in this process (a second opener is refused before it opens the file; {@link #readOnly} views,
 * {@link #peek} and {@link #peekTrialBudget} read a journal this process holds through its channel).
 * {@link #readOnly} reads a journal, even one another process is appending to, without locking or
 * writing it, and keeps no descriptor of it open.
 */
public final class JournalStorage extends InMemoryStorage {
  private static final int VERSION = 1;

  private final Path file;
  private final Durability durability;
  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonFactory factory = mapper.getFactory();
  private final LineBuffer line = new LineBuffer();
  private final boolean readOnly;
  private final Opener opener;
  private FileChannel channel;
  /** Whether a read-only view is open: it keeps no descriptor of the file (see {@link #HELD}). */
  private boolean viewOpen;
  /** This journal's file in {@link #HELD} while it holds the lock, else null. */
  private Object heldKey;

  /**
   * The journals this process holds locked, by file: an OS record lock goes with the first
   * descriptor of the file the process closes, so nothing in this process opens the file a second
   * time while one is held (a second opener is refused before it opens anything, and readers read
   * through the holder's channel). Every open, close and read of a file goes under this lock.
   */
  private static final Map<Object, JournalStorage> HELD = new HashMap<>();
  /** Set when a failed write could not be taken back: the file may end in a fragment. */
  private boolean torn;
  private FileLock lock;
  /**
   * The one thread that writes events while the journal is open. A FileChannel closes itself when
   * the thread using it is interrupted, dropping the file lock while the study runs; no one
   * interrupts this thread, so an interrupt of a recording thread (a worker, or the caller of a
   * study's optimize) cannot land inside a write.
   */
  private ExecutorService writer;
  /** Set by {@link #releaseHeld}: the process is stopping, and nothing more is written until the journal is closed. */
  private boolean released;
  /** The budget last recorded (replayed or written), so that an unchanged one is not written again. */
  private Integer trialBudget;

  public JournalStorage(Path file) {
    this(file, Durability.PROCESS_CRASH);
  }

  public JournalStorage(Path file, Durability durability) {
    this(file, durability, false);
  }

  private JournalStorage(Path file, Durability durability, boolean readOnly) {
    this(file, durability, readOnly, f -> FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  /** A journal whose channel {@code opener} opens for reading and writing (tests make its writes fail). */
  JournalStorage(Path file, Opener opener) {
    this(file, Durability.PROCESS_CRASH, opener);
  }

  /** A journal with {@code durability} whose channel {@code opener} opens (tests make its writes or fsyncs fail). */
  JournalStorage(Path file, Durability durability, Opener opener) {
    this(file, durability, false, opener);
  }

  private JournalStorage(Path file, Durability durability, boolean readOnly, Opener opener) {
    this.file = file;
    this.durability = durability;
    this.readOnly = readOnly;
    this.opener = opener;
  }

  /** Opens the journal's file for reading and writing. */
  interface Opener {
    FileChannel open(Path file) throws IOException;
  }

  /**
   * A view of the journal in {@code file} that {@link #open} reads without locking it or
   * writing to it (e.g. {@code train --from-study} while the study may still run elsewhere):
   * a torn last line is skipped, trials still running stay RUNNING, and recording fails.
   */
  public static JournalStorage readOnly(Path file) {
    return new JournalStorage(file, Durability.PROCESS_CRASH, true);
  }

  public Path file() {
    return file;
  }

  @Override
  public synchronized StudyInfo open(StudyInfo requested) {
    if (channel != null || viewOpen) return super.open(requested);
    if (readOnly) return openReadOnly(requested);
    return open(requested, false);
  }

  /**
   * Creates the study {@code requested} in this journal, which held none when {@link #peek} looked,
   * and opens it as {@link #open} does; true when it did. False when the journal holds a study by
   * then, which another process created since (the lock serializes the two, but the other may have
   * closed it again): the journal is then left closed, and the study in it is not compared with
   * {@code requested}, as a run that finds it must take its settings as a resume does rather than
   * run its trials with its own.
   */
  public synchronized boolean create(StudyInfo requested) {
    if (channel != null || viewOpen || readOnly) throw new IllegalStateException("journal " + file + " is open already, or read-only");
    open(requested, true);
    return channel != null;
  }

  /** {@link #open}; with {@code onlyNew}, once the file is locked, a study found in it closes the journal again and is returned. */
  private StudyInfo open(StudyInfo requested, boolean onlyNew) {
    requireFile(file);
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) Files.createDirectories(dir);
      synchronized (HELD) {
        // Refused before a descriptor is opened: closing it would drop the holder's lock. (A
        // holder whose channel an interrupt closed has lost its lock already, and holds nothing.)
        JournalStorage holder = HELD.get(keyOf(file));
        if (holder != null && holder.channel.isOpen()) {
          throw inUse();
        }
        channel = opener.open(file);
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          channel = null;
          throw inUse();
        }
        if (holder != null) holder.heldKey = null; // a later close of it must not unregister this one
        heldKey = keyOf(file);
        HELD.put(heldKey, this);
      }
      writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "caviar-journal-writer");
        t.setDaemon(true);
        return t;
      });
      try {
        StudyInfo there = onlyNew ? peek(file) : null; // read through this journal's channel: the lock stays held
        if (there != null) {
          close();
          return there;
        }
        forgetReplayed();
        long goodEnd = replay(readAll(), requested);
        if (goodEnd < channel.size()) channel.truncate(goodEnd); // drop a torn last line
        channel.position(goodEnd);
        if (info() == null) {
          setInfo(requested);
          writeHeader(requested);
        }
        interruptRunning();
      } catch (RuntimeException | IOException e) {
        close(); // a journal that cannot be resumed stays unlocked, and no more is written to it
        throw e;
      }
      return info();
    } catch (java.nio.file.AccessDeniedException e) {
      if (e.getFile() != null && Path.of(e.getFile()).equals(file) && !Files.exists(file)) {
        Path dir = file.toAbsolutePath().getParent();
        throw new UncheckedIOException("cannot create journal " + file + ": this user may not write in " + dir
            + "; give a folder it may write in, or make that one writable", e);
      }
      if (e.getFile() != null && Path.of(e.getFile()).equals(file)) {
        throw new UncheckedIOException("cannot write journal " + file + ", which resuming its study appends to: make it writable for"
            + " this user (e.g. chmod u+w " + file + "), or run as its owner; training from it (train --from-study) only reads it", e);
      }
      throw new UncheckedIOException("cannot open journal " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open journal " + file, e);
    }
  }

  private StudyInfo openReadOnly(StudyInfo requested) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no study journal at " + file);
    byte[] bytes = readBytes(file);
    forgetReplayed();
    replay(bytes, requested);
    if (info() == null) throw new IllegalArgumentException("the journal " + file + " holds no study");
    viewOpen = true;
    return info();
  }

  /** The error of a second opener, which is most often a second run of the same study. */
  private IllegalStateException inUse() {
    return new IllegalStateException("journal " + file + " is in use by another run of its study (locked): one run at a time"
        + " writes a journal; to run trials side by side, use more --workers or a shared --storage");
  }

  /** What identifies {@code file} (its device and inode where the system has them), or null when it does not exist. */
  private static Object keyOf(Path file) throws IOException {
    if (!Files.exists(file)) return null;
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key != null ? key : file.toRealPath();
  }

  /**
   * A journal that exists must be a regular file: a named pipe there made tune wait for a writer
   * for good (reading it), and a device or a folder is no journal either.
   */
  private static void requireFile(Path file) {
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("the journal " + file + " is not a regular file (" + (Files.isDirectory(file) ? "a folder"
          : "a named pipe or a device") + "): a study's journal is a file Caviar writes; give --study a folder of its own");
    }
  }

  /**
   * The bytes of {@code file}: read through the channel of the journal of this process that holds
   * it, if one does (see {@link #HELD}), else through a descriptor of their own, opened and closed
   * while no journal of this process can take the file's lock.
   */
  private static byte[] readBytes(Path file) {
    try {
      synchronized (HELD) {
        JournalStorage holder = HELD.get(keyOf(file));
        if (holder != null) {
          try {
            return readAll(holder.channel, file);
          } catch (java.nio.channels.ClosedChannelException closed) {
            // Closed by an interrupt, which took the lock with it: nothing left to keep.
          }
        }
        try (FileChannel own = FileChannel.open(file, StandardOpenOption.READ)) {
          return readAll(own, file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal " + file, e);
    }
  }

  /**
   * Drops what an earlier open read: a journal closed and opened again ("reopen it to resume") is
   * replayed whole, with what other processes appended meanwhile, not on top of the trials it held
   * (its header then read as "a second 'study' event").
   */
  private void forgetReplayed() {
    forget();
    trialBudget = null;
  }

  /** The whole file, read through the open channel (see the class comment on the lock). */
  private byte[] readAll() throws IOException {
    return readAll(channel, file);
  }

  /** The whole of {@code file}, read through {@code channel} without moving its position. */
  private static byte[] readAll(FileChannel channel, Path file) throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 16) throw new IllegalStateException("journal " + file + " is larger than 2 GB");
    ByteBuffer all = ByteBuffer.allocate((int) size);
    while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {}
    return all.array();
  }

  /** Reads the journal into memory; returns the offset just past its last whole line. */
  private long replay(byte[] bytes, StudyInfo requested) {
    return wholeLines(bytes, (start, end, lineNo) -> {
      if (end == start) return;
      JsonNode event;
      try {
        event = mapper.readTree(bytes, start, end - start);
      } catch (IOException e) {
        throw new IllegalStateException("journal " + file + " line " + lineNo + " is not valid JSON: " + jsonProblem(e), e);
      }
      try {
        apply(event, requested);
      } catch (RuntimeException e) {
        throw new IllegalStateException("journal " + file + " line " + lineNo + ": " + e.getMessage(), e);
      }
    });
  }

  /** One line of a journal's bytes: {@code [start, end)} without its newline, and its number from 1. */
  @FunctionalInterface
  private interface Line {
    void at(int start, int end, int lineNo);
  }

  /**
   * Calls {@code line} for each line of {@code bytes} that ends in a newline, and returns the offset
   * just past the last of them: a torn last line (no newline made it to the file, perhaps cut inside
   * a character) is not part of the journal.
   */
  private static int wholeLines(byte[] bytes, Line line) {
    int start = 0;
    for (int lineNo = 1; start < bytes.length; lineNo++) {
      int nl = start;
      while (nl < bytes.length && bytes[nl] != '\n') nl++;
      if (nl == bytes.length) break;
      line.at(start, nl, lineNo);
      start = nl + 1;
    }
    return start;
  }

  private void apply(JsonNode e, StudyInfo requested) {
    String op = text(e, "op");
    if (info() == null && !op.equals("study")) throw new IllegalStateException("the first event must be 'study', got '" + op + "'");
    switch (op) {
      case "study" -> {
        if (info() != null) throw new IllegalStateException("a second 'study' event");
        StudyInfo stored = studyInfo(e);
        stored.checkResumableAs(requested);
        setInfo(stored);
      }
      case "claim" -> {
        int n = e.path("trial").asInt(-1);
        if (n != trials().size()) throw new IllegalStateException("claim of trial " + n + ", expected " + trials().size());
        put(TrialRecord.claimed(n, e.path("t").asLong(), threads(e)));
      }
      case "params" -> {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : e.path("params").properties()) {
          JsonNode v = f.getValue();
          values.put(f.getKey(), v.isInt() ? (Object) v.intValue() : v.isNumber() ? (Object) v.doubleValue() : v.asText());
        }
        int n = e.path("trial").asInt(-1);
        put(get(n).withParams(info().space().pointFromValues(values), e.path("retry_of").asInt(-1)));
      }
      case "report" -> {
        int n = e.path("trial").asInt(-1);
        put(get(n).withIntermediate(e.path("step").asInt(), number(e.path("value"))));
      }
      case "finish" -> {
        int n = e.path("trial").asInt(-1);
        JsonNode reason = e.path("reason");
        put(get(n).withOutcome(enumValue(TrialState.class, "state", text(e, "state")), number(e.path("value")),
            reason.isTextual() ? reason.asText() : null, e.path("t").asLong()));
      }
      case "budget" -> {
        int n = e.path("trials").asInt(-1);
        if (n < 1) throw new IllegalStateException("a budget of " + n + " trials");
        trialBudget = n;
      }
      default -> throw new IllegalStateException("unknown event '" + op + "'");
    }
  }

  /** The threads of a claim event; {@link TrialRecord#THREADS_UNKNOWN} in a journal written before they were recorded. */
  private static int threads(JsonNode e) {
    JsonNode v = e.get("threads");
    if (v == null) return TrialRecord.THREADS_UNKNOWN;
    if (!v.isInt() || v.intValue() < 1 || v.intValue() > Workers.MAX_THREADS) {
      throw new IllegalStateException("a claim on " + v + " threads (1 to " + Workers.MAX_THREADS + ")");
    }
    return v.intValue();
  }

  /**
   * The study of a header event, once its version is the one this reader knows (a later one is a
   * newer Caviar's, whose header may differ); a journal written before settings were stored has none.
   */
  private static StudyInfo studyInfo(JsonNode e) {
    JsonNode version = e.get("version");
    if (version == null || !version.isInt() || version.intValue() != VERSION) {
      if (version != null && version.isInt() && version.intValue() > VERSION) {
        throw new IllegalStateException("written by a newer Caviar (journal version " + version.intValue() + "; this one reads version "
            + VERSION + "): use that Caviar, or a later one, for this study");
      }
      throw new IllegalStateException("journal version " + version + ", this reader knows " + VERSION);
    }
    Map<String, String> settings = new TreeMap<>();
    JsonNode stored = e.path("settings");
    if (!stored.isMissingNode() && !stored.isObject()) throw new IllegalStateException("'settings' must be an object");
    for (Map.Entry<String, JsonNode> f : stored.properties()) {
      if (!f.getValue().isTextual()) throw new IllegalStateException("setting '" + f.getKey() + "' must be text");
      settings.put(f.getKey(), f.getValue().asText());
    }
    return new StudyInfo(text(e, "name"), enumValue(Direction.class, "direction", text(e, "direction")), SearchSpace.parse(text(e, "space")),
        e.path("seed").asLong(), settings);
  }

  /** The constant of {@code type} named {@code name}, or an error naming the field and the constants (not "No enum constant ..."). */
  private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String name) {
    E[] all = type.getEnumConstants();
    for (E c : all) {
      if (c.name().equals(name)) return c;
    }
    List<String> names = java.util.Arrays.stream(all).map(Enum::name).toList();
    throw new IllegalStateException(field + " '" + name + "' is not " + (names.size() == 2 ? names.get(0) + " or " + names.get(1)
        : "one of " + String.join(", ", names)));
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || !v.isTextual()) throw new IllegalStateException("event has no text field '" + field + "'");
    return v.asText();
  }

  /** Jackson's message without its "at [Source: ...]" location, which the line number replaces. */
  private static String jsonProblem(IOException e) {
    return e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage();
  }

  private static double number(JsonNode v) {
    if (v.isNumber()) return v.doubleValue();
    if (v.isTextual()) return Double.parseDouble(v.asText()); // NaN, Infinity, -Infinity
    return Double.NaN;
  }

  private void writeHeader(StudyInfo s) throws IOException {
    JsonGenerator g = begin("study");
    g.writeNumberField("version", VERSION);
    g.writeStringField("name", s.name());
    g.writeStringField("direction", s.direction().name());
    g.writeNumberField("seed", s.seed());
    g.writeStringField("space", s.space().spec());
    if (s.settingsRecorded()) {
      g.writeObjectFieldStart("settings");
      for (Map.Entry<String, String> e : s.settings().entrySet()) g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
    }
    end(g, true);
  }

  /** Records the study's budget of trials ({@code --trials}), if it differs from the last one recorded. */
  public synchronized void recordTrialBudget(int maxTrials) {
    if (maxTrials < 1) throw new IllegalArgumentException("maxTrials must be >= 1, got " + maxTrials);
    if (trialBudget != null && trialBudget == maxTrials) return;
    write(() -> {
      JsonGenerator g = begin("budget");
      g.writeNumberField("trials", maxTrials);
      end(g, durability == Durability.FSYNC_EVERY_EVENT);
    });
    trialBudget = maxTrials;
  }

  @Override
  public synchronized TrialRecord claimTrial(long startMillis, int threads) {
    TrialRecord t = TrialRecord.claimed(trials().size(), startMillis, threads);
    write(() -> {
      JsonGenerator g = begin("claim");
      g.writeNumberField("trial", t.number());
      g.writeNumberField("t", startMillis);
      if (threads != TrialRecord.THREADS_UNKNOWN) g.writeNumberField("threads", threads);
      end(g, durability == Durability.FSYNC_EVERY_EVENT);
    });
    put(t);
    return t;
  }

  @Override
  public synchronized void recordParams(int number, Point params, int retryOf) {
    TrialRecord t = get(number).withParams(params, retryOf);
    write(() -> {
      JsonGenerator g = begin("params");
      g.writeNumberField("trial", number);
      g.writeObjectFieldStart("params");
      for (int i = 0; i < params.space().size(); i++) {
        Object v = params.value(i);
        if (v == null) continue;
        String name = params.space().get(i).name();
        switch (v) {
          case Integer n -> g.writeNumberField(name, n);
          case Double d -> g.writeNumberField(name, d);
          default -> g.writeStringField(name, v.toString());
        }
      }
      g.writeEndObject();
      if (retryOf >= 0) g.writeNumberField("retry_of", retryOf);
      end(g, durability == Durability.FSYNC_EVERY_EVENT);
    });
    put(t);
  }

  @Override
  public synchronized void recordIntermediate(int number, int step, double value) {
    TrialRecord t = get(number).withIntermediate(step, value);
    write(() -> {
      JsonGenerator g = begin("report");
      g.writeNumberField("trial", number);
      g.writeNumberField("step", step);
      writeValue(g, value);
      end(g, durability == Durability.FSYNC_EVERY_EVENT);
    });
    put(t);
  }

  @Override
  public synchronized void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
    TrialRecord t = get(number).withOutcome(state, value, reason, endMillis);
    write(() -> {
      JsonGenerator g = begin("finish");
      g.writeNumberField("trial", number);
      g.writeStringField("state", state.name());
      writeValue(g, value);
      if (reason != null) g.writeStringField("reason", reason);
      g.writeNumberField("t", endMillis);
      end(g, durability != Durability.PROCESS_CRASH);
    });
    put(t);
  }

  private static void writeValue(JsonGenerator g, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumberField("value", v);
    } else {
      g.writeStringField("value", Double.toString(v));
    }
  }

  private interface Event {
    void write() throws IOException;
  }

  private void write(Event e) {
    if (readOnly) throw new IllegalStateException("journal " + file + " is open read-only");
    if (channel == null) throw new IllegalStateException("journal " + file + " is not open");
    if (torn) throw new IllegalStateException("journal " + file + " ends in a line cut short by a failed write: reopen it to resume");
    if (!channel.isOpen()) throw new IllegalStateException("journal " + file + " was closed: reopen it to resume");
    if (released) throw new IllegalStateException("journal " + file + " takes no more events: its trials were released as the process stopped");
    // The event is written by the writer thread, and waited for even if this thread is
    // interrupted meanwhile: the caller takes the event into memory only once it is in the file.
    Future<?> done = writer.submit(() -> {
      e.write();
      return null;
    });
    boolean interrupted = false;
    try {
      while (true) {
        try {
          done.get();
          return;
        } catch (InterruptedException x) {
          interrupted = true;
        }
      }
    } catch (ExecutionException x) {
      Throwable cause = x.getCause();
      if (cause instanceof IOException io) throw new UncheckedIOException("cannot append to journal " + file, io);
      if (cause instanceof RuntimeException r) throw r;
      if (cause instanceof Error err) throw err;
      throw new IllegalStateException("cannot append to journal " + file, cause);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private JsonGenerator begin(String op) throws IOException {
    line.reset();
    JsonGenerator g = factory.createGenerator(line);
    g.writeStartObject();
    g.writeStringField("op", op);
    return g;
  }

  /**
   * Ends the line and writes it whole, in one call unless the OS splits it. A write that fails
   * part-way (disk full) is cut back off: later lines would glue onto the fragment and make it a
   * corrupt line in the middle, which no resume gets past. So is a line whose fsync fails: the
   * caller does not take the event into memory, and the file must not hold it either (a claim
   * kept in the file only would be claimed again under the same number, and no resume gets past
   * that).
   */
  private void end(JsonGenerator g, boolean fsync) throws IOException {
    g.writeEndObject();
    g.close();
    line.write('\n');
    ByteBuffer b = line.asBuffer();
    long lineStart = channel.position();
    try {
      while (b.hasRemaining()) channel.write(b);
      if (fsync) channel.force(false);
    } catch (IOException e) {
      try {
        channel.truncate(lineStart);
        channel.position(lineStart);
      } catch (IOException | RuntimeException cut) {
        torn = true; // no more writes: replay drops a torn last line, but not one with lines after it
        e.addSuppressed(cut);
      }
      throw e;
    }
  }

  /**
   * Finishes the trials still RUNNING as interrupted, as the journal's next open would, for a
   * process that stops (Ctrl-C, a kill: its shutdown hook): until that open, a reader of the study
   * ({@code train --from-study}, a report) counted them running though no process ran them. Nothing
   * more is written after it until the journal is closed: the stopping process's trials train on
   * until it halts, and a report, an outcome or a claim of theirs is refused (a trial claimed now
   * would stay RUNNING). Returns how many it finished, and how many of those were re-runs (their
   * points are given up, as on open); nothing when the journal is not open for writing.
   */
  public synchronized SharedStorage.Released releaseHeld() {
    if (channel == null || released) return SharedStorage.Released.NONE;
    SharedStorage.Released r = interruptRunning();
    released = true;
    return r;
  }

  /** Finishes every trial still RUNNING as interrupted (at open: the dead process's; at a stop: this one's); how many, and how many were re-runs. */
  private SharedStorage.Released interruptRunning() {
    int trials = 0;
    int reruns = 0;
    for (TrialRecord t : trials()) {
      if (t.state() != TrialState.RUNNING) continue;
      recordOutcome(t.number(), TrialState.FAILED, Double.NaN, STOPPED_WHILE_RUNNING, System.currentTimeMillis());
      trials++;
      if (t.retryOf() >= 0) reruns++;
    }
    return new SharedStorage.Released(trials, reruns);
  }

  /** The reason of a trial that was running when its process stopped: recorded as it stopped, or on the journal's next open. */
  private static final String STOPPED_WHILE_RUNNING = TrialRecord.INTERRUPTED + ": the process stopped while this trial ran";

  @Override
  public synchronized void close() {
    viewOpen = false;
    if (channel == null) return;
    synchronized (HELD) {
      closeHeld();
    }
  }

  private void closeHeld() {
    try {
      // A channel closed already (by an interrupt) released the lock with it: release would throw,
      // and its error replace the one that closed the channel.
      if (lock != null && lock.isValid() && channel.isOpen()) lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close journal " + file, e);
    } finally {
      if (heldKey != null) HELD.remove(heldKey);
      heldKey = null;
      channel = null;
      lock = null;
      torn = false;
      released = false;
      // Idle: every write was waited for. Read-only views and refused opens have none.
      if (writer != null) writer.shutdown();
      writer = null;
    }
  }

  /** A reusable byte buffer whose content can be written without a copy. */
  private static final class LineBuffer extends ByteArrayOutputStream {
    LineBuffer() {
      super(512);
    }

    ByteBuffer asBuffer() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }

  /**
   * The budget of trials last recorded in a journal file, read without opening (or locking) it, or
   * null when there is none (a journal written before budgets were recorded). As {@link #peek},
   * it leaves the lock of a journal this process holds in place.
   */
  public static Integer peekTrialBudget(Path file) {
    if (!Files.exists(file)) return null;
    requireFile(file);
    byte[] bytes = readBytes(file);
    Integer[] budget = {null};
    ObjectMapper mapper = new ObjectMapper();
    // Whole lines only, as replay reads them (a strict decoder refuses a line torn inside a character).
    wholeLines(bytes, (start, end, lineNo) -> {
      String l = new String(bytes, start, end - start, StandardCharsets.UTF_8);
      if (!l.contains("\"budget\"")) return;
      JsonNode e;
      try {
        e = mapper.readTree(l);
      } catch (IOException bad) {
        return; // open() reports it, by line
      }
      if ("budget".equals(e.path("op").asText()) && e.path("trials").asInt(-1) >= 1) budget[0] = e.path("trials").asInt();
    });
    return budget[0];
  }

  /**
   * The study a journal file holds, read from its first line without opening (or locking) it, or
   * null when the file is missing or empty, or its first line has no newline (a crash tore the
   * header, which {@link #open} drops); e.g. to resume a study with its stored space. A journal
   * this process holds is read through its own channel, so its lock stays held.
   */
  public static StudyInfo peek(Path file) {
    if (!Files.exists(file)) return null;
    requireFile(file);
    byte[] bytes = readBytes(file);
    int nl = 0;
    while (nl < bytes.length && bytes[nl] != '\n') nl++;
    if (nl == bytes.length) return null; // torn: as replay, which would cut it off, sees no study
    String first = new String(bytes, 0, nl, StandardCharsets.UTF_8);
    if (first.isBlank()) return null;
    JsonNode e;
    try {
      e = new ObjectMapper().readTree(first);
    } catch (IOException bad) {
      throw new IllegalStateException("journal " + file + " line 1 is not valid JSON: " + jsonProblem(bad), bad);
    }
    if (!"study".equals(e.path("op").asText())) throw new IllegalStateException("journal " + file + " does not start with a study");
    try {
      return studyInfo(e);
    } catch (RuntimeException bad) {
      throw new IllegalStateException("journal " + file + " line 1: " + bad.getMessage(), bad); // as open() says it
    }
  }
}
