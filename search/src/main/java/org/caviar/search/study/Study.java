package org.caviar.search.study;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.caviar.kernels.Workers;
import org.caviar.search.pruner.Pruner;
import org.caviar.search.sampler.Sampler;
import org.caviar.search.sampler.Seeds;
import org.caviar.search.sampler.TpeSampler;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.storage.InMemoryStorage;
import org.caviar.search.storage.SharedStorage;
import org.caviar.search.storage.Storage;
import org.caviar.search.storage.StorageException;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * A search: a space, a sampler, a pruner and a storage, run on a pool of workers until a budget
 * is spent.
 *
 * <p>Each worker claims a trial, has the sampler propose its parameters (on a local storage both
 * under the study's lock, so the sampler sees every running trial as pending), evaluates the
 * objective outside the lock, and records the outcome. A trial that throws (an exception, or a
 * stack overflow, out of memory or a failed assertion, which a bad configuration can cause),
 * reports a value that is not finite or returns one is recorded FAILED with its reason ({@link #failureReason}), and the
 * worker goes on. The storage failing while a trial reports is no fault of the trial, nor is a
 * listener failing, nor an interrupt, nor any other {@link Error} (a class that cannot load, say):
 * each stops the study ({@link #optimize}).
 *
 * <p>Reproducibility: every trial draws from the study seed and its own number, so with one worker
 * a study is the same from run to run; with several, which trials run beside which depends on
 * timing, but each trial's own draws do not.
 *
 * <p>Resuming: opening a study on a storage that holds it continues it; interrupted trials (a
 * crash, a kill, an interrupt, Ctrl-C) are not counted and their parameters are re-run first, as new
 * trials that point back to them ({@link TrialRecord#retryOf()}, always the first run). A re-run
 * interrupted while it ran ({@link TrialRecord#isInterruptedWhileRunning()}), whatever stopped it,
 * is not re-run again: its point is given up ({@link #givenUpPoints}), so that a configuration that
 * kills or hangs the process does not come back on every resume (a hang is often answered by
 * Ctrl-C, or an interrupt). Only a re-run that never ran (a listener failed as it started; on
 * PostgreSQL, a claim given back as its worker stopped: {@link TrialRecord#NEVER_RAN}) is no sign
 * against its point, and its first run is re-run again. The trial budget counts the study's trials
 * across runs.
 *
 * <p>On a {@link SharedStorage} (processes on several machines) the storage numbers the trial and
 * checks the budget in one atomic step across processes (the budget it keeps with the study, if it
 * keeps one: another process may raise or lower it while this one runs, see {@link #maxTrials}), and hands out lost trials' parameters for
 * their re-run; the sampler then proposes outside any lock but this study's own (samplers are called
 * from one thread at a time), from every process's trials, their running ones as pending.
 */
public final class Study implements AutoCloseable {
  private final SearchSpace space;
  private final Sampler sampler;
  private final Pruner pruner;
  private final Storage storage;
  private final StudyInfo info;
  private final ExecutionMode mode;
  /** The most trials run at once, each on a thread of its own: as many as the largest team of threads. */
  public static final int MAX_WORKERS = Workers.MAX_THREADS;

  private final int workers;
  private final List<StudyListener> listeners;
  private volatile boolean stopRequested;
  private int running;
  private volatile Throwable fatal;

  private Study(Builder b) {
    this.space = b.space;
    this.sampler = b.sampler;
    this.pruner = b.pruner;
    this.storage = b.storage;
    this.mode = b.mode;
    this.workers = b.workers > 0 ? b.workers
        : (b.mode == ExecutionMode.PANDA ? 1 : Workers.allProcessors());
    this.listeners = List.copyOf(b.listeners);
    this.info = storage.open(new StudyInfo(b.name, b.direction, b.space, b.seed, b.settings));
  }

  public static Builder builder(SearchSpace space) {
    return new Builder(space);
  }

  /** Settings of a study; {@link #build()} opens (or resumes) it in its storage. */
  public static final class Builder {
    private final SearchSpace space;
    private String name = "study";
    private Direction direction = Direction.MINIMIZE;
    private Sampler sampler = new TpeSampler();
    private Pruner pruner = Pruner.none();
    private Storage storage;
    private long seed = System.nanoTime();
    private ExecutionMode mode = ExecutionMode.CAVIAR;
    private int workers;
    private final List<StudyListener> listeners = new ArrayList<>();
    private Map<String, String> settings = Map.of();

    private Builder(SearchSpace space) {
      if (space == null) throw new IllegalArgumentException("space must not be null");
      this.space = space;
    }

    public Builder name(String n) {
      name = n;
      return this;
    }

    public Builder direction(Direction d) {
      if (d == null) throw new IllegalArgumentException("direction must not be null");
      direction = d;
      return this;
    }

    public Builder sampler(Sampler s) {
      if (s == null) throw new IllegalArgumentException("sampler must not be null");
      sampler = s;
      return this;
    }

    public Builder pruner(Pruner p) {
      if (p == null) throw new IllegalArgumentException("pruner must not be null");
      pruner = p;
      return this;
    }

    public Builder storage(Storage s) {
      storage = s;
      return this;
    }

    /** The seed of a new study; a resumed study keeps its stored seed. */
    public Builder seed(long s) {
      seed = s;
      return this;
    }

    /**
     * What else a trial depends on, as text (see {@link StudyInfo#settings()}), stored with a new
     * study; a resumed study keeps the stored ones ({@link Study#info()}). Default: none.
     */
    public Builder settings(Map<String, String> s) {
      if (s == null) throw new IllegalArgumentException("settings must not be null");
      settings = Map.copyOf(s);
      return this;
    }

    public Builder mode(ExecutionMode m) {
      if (m == null) throw new IllegalArgumentException("mode must not be null");
      mode = m;
      return this;
    }

    /** Trials run at once, up to {@link #MAX_WORKERS}; 0 (the default) means one per core in CAVIAR mode, 1 in PANDA mode. */
    public Builder workers(int n) {
      if (n < 0) throw new IllegalArgumentException("workers must be >= 0, got " + n);
      if (n > MAX_WORKERS) throw new IllegalArgumentException("workers must be <= " + MAX_WORKERS + ", got " + n);
      workers = n;
      return this;
    }

    public Builder listener(StudyListener l) {
      if (l != null) listeners.add(l);
      return this;
    }

    public Study build() {
      if (storage == null) storage = new InMemoryStorage();
      return new Study(this);
    }
  }

  public StudyInfo info() {
    return info;
  }

  public SearchSpace space() {
    return space;
  }

  public Sampler sampler() {
    return sampler;
  }

  public Pruner pruner() {
    return pruner;
  }

  public ExecutionMode mode() {
    return mode;
  }

  public int workers() {
    return workers;
  }

  /**
   * The trials {@code budget} has left to start: its trials less those finished (interrupted ones
   * do not count, as in the claims), and no more than the sampler's points not yet run. On a shared
   * storage other workers may take some of them, and the budget is the one the storage keeps with
   * the study, as the claims check it ({@link #maxTrials}).
   */
  public long trialsLeft(Budget budget) {
    int max = maxTrials(budget);
    return trialsLeft(storage.trials(), max);
  }

  /** {@link #trialsLeft(Budget)} of the trials {@code all}, for a budget of {@code max} trials. */
  private long trialsLeft(List<TrialRecord> all, int max) {
    long counted = all.stream().filter(t -> t.state().isFinished() && !t.isInterrupted()).count();
    long points = sampler.pointCount(space);
    long pointsLeft = points == Long.MAX_VALUE ? Long.MAX_VALUE : points - counted - givenUpPoints(all);
    return Math.max(0, Math.min(max - counted, pointsLeft));
  }

  /** The trials left that no worker of any process runs yet: {@link #trialsLeft(Budget)} less the running ones. */
  private long unclaimed(Budget budget) {
    int max = maxTrials(budget);
    List<TrialRecord> all = storage.trials();
    return trialsLeft(all, max) - all.stream().filter(t -> t.state() == TrialState.RUNNING).count();
  }

  /**
   * The trials in all that {@code budget} lets this study run now: on a {@link SharedStorage}, the
   * budget the storage keeps with the study ({@link SharedStorage#budget}: any process may raise or
   * lower it while this one runs, and every claim checks it), else {@code budget}'s.
   */
  public int maxTrials(Budget budget) {
    return storage instanceof SharedStorage shared ? shared.budget(budget.maxTrials()) : budget.maxTrials();
  }

  /**
   * The workers {@link #optimize} starts for {@code budget}: {@link #workers()}, but no more than
   * the trials it has left (a resume of a nearly finished study started threads that claimed
   * nothing), and at least one. On a {@link SharedStorage}, whose budget another process may raise
   * meanwhile, optimize starts more, up to {@link #workers()}, as its claims find trials left for them.
   */
  public int workers(Budget budget) {
    return workersFor(trialsLeft(budget));
  }

  /** {@link #workers(Budget)} for a budget with {@code trialsLeft} trials left ({@link #trialsLeft}), read once by the caller. */
  public int workersFor(long trialsLeft) {
    return (int) Math.max(1, Math.min(workers, trialsLeft));
  }

  public Direction direction() {
    return info.direction();
  }

  /** A snapshot of all trials. */
  public History history() {
    return new History(storage.trials(), info.direction());
  }

  /** The best completed trial so far, or null. */
  public TrialRecord best() {
    return history().best();
  }

  /**
   * Asks the workers to claim no more trials; running ones finish. Called while no optimize runs,
   * it stops the next one before its first trial: a stop() that races the start of optimize on
   * another thread is not lost. Each optimize ends by clearing it.
   */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Runs trials until the budget is spent (or {@link #stop()}), and returns the history. One
   * optimize at a time per study. Throws {@link IllegalStateException} if the sampler itself
   * failed: that is a bug, not a bad trial. A failure outside the objective (the storage's, a
   * listener's) stops every worker and is thrown as it is, once the other workers' trials have
   * ended (the first such failure; later ones are suppressed in it), so that no trial runs on when
   * optimize returns or throws, and the caller may close the study at once. A storage failure while
   * a trial reports or asks the pruner leaves that trial RUNNING in the storage (a resume re-runs it)
   * rather than failing it; a listener's failure leaves the trial's outcome recorded as it was. An
   * {@link Error} the objective throws, other than those that fail the trial (stack overflow, out of
   * memory, a failed assertion), stops the study too and is thrown as it is; its trial is recorded
   * interrupted, as an interrupted one is below (on a {@link SharedStorage} released by
   * {@link #close()}), so a resume re-runs it.
   *
   * <p>Interrupts: an objective interrupted (it throws {@link InterruptedException}, or ends with
   * its thread's interrupt flag set) is a request to stop, not a failure of the trial: the study
   * claims no more trials and the trial is recorded interrupted ({@link TrialRecord#INTERRUPTED};
   * on a {@link SharedStorage} it is left RUNNING, and {@link #close()} releases it), so its
   * parameters are re-run, as after a crash (a re-run interrupted so is not re-run again: it was
   * interrupted while it ran, {@link TrialRecord#isInterruptedWhileRunning()}, and its point is
   * given up, since the interrupt may be the answer to a hang). An interrupt of the thread that called optimize
   * stops the study too: optimize waits for the trials under way (with one worker, the trial runs on
   * that thread and is interrupted itself), returns, and leaves the interrupt flag set.
   */
  public History optimize(Objective objective, Budget budget) {
    if (objective == null) throw new IllegalArgumentException("objective must not be null");
    if (budget == null) throw new IllegalArgumentException("budget must not be null");
    try {
      return run(objective, budget);
    } finally {
      stopRequested = false; // a stop() asks one optimize to stop: this one
    }
  }

  private History run(Objective objective, Budget budget) {
    long start = System.nanoTime();
    // A time too long for a deadline in nanoseconds (toNanos throws past 292 years; --timeout inf) is none.
    boolean deadlineFits = budget.hasTimeLimit() && budget.maxTime().compareTo(Duration.ofNanos(Long.MAX_VALUE / 4)) <= 0;
    long deadline = deadlineFits ? start + budget.maxTime().toNanos() : Long.MAX_VALUE;
    // A shared storage hands out re-runs itself, in its claims.
    ArrayDeque<TrialRecord> retries = storage instanceof SharedStorage ? new ArrayDeque<>() : interruptedWithoutRetry();
    // Recorded with each trial (TrialRecord.threads()): trained again on as many, it retraces its epochs.
    int kernelThreads = mode == ExecutionMode.PANDA ? Workers.allProcessors() : 1;
    synchronized (this) {
      fatal = null;
      // No trial of this study runs between optimizes (each waits for its workers): a count left
      // by an earlier run's failure must not shrink this one's budget.
      running = 0;
    }
    // Run after each claim that got a trial (see grows below).
    Runnable[] claimed = {() -> {}};
    Runnable loop = () -> {
      boolean interrupted = false;
      try {
        while (true) {
          // Interrupted before a claim (between trials, or before optimize): no storage write under
          // the flag (a journal's channel closes on it), and no new trial.
          if (Thread.currentThread().isInterrupted()) {
            stopRequested = true;
            return;
          }
          Trial trial = storage instanceof SharedStorage shared
              ? claimShared(shared, budget, deadline, kernelThreads)
              : claim(budget, deadline, retries, kernelThreads);
          if (trial == null) return;
          claimed[0].run();
          if (evaluate(objective, trial)) {
            interrupted = true;
            stopRequested = true;
            return;
          }
        }
      } catch (RuntimeException | Error e) {
        stopRequested = true; // e.g. the storage failed: the other workers would run out the budget before it is reported
        throw e;
      } finally {
        if (interrupted) Thread.currentThread().interrupt(); // cleared for the storage's writes: the caller's (one worker) again
      }
    };
    int threads = workers(budget);
    // On a shared storage another process may raise the study's budget while this one runs (every
    // claim checks the budget as it is then): a study with fewer threads than its workers (it started
    // no more than the trials then left; at the budget's end, a thread that finds nothing to claim
    // returns) starts more as a claim finds trials left for them. It ran a raised budget's trials on
    // the threads it had left: one, at the end of a study.
    boolean grows = storage instanceof SharedStorage && workers > 1;
    if (threads == 1 && !grows) {
      loop.run();
    } else {
      AtomicInteger ids = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(grows ? workers : threads, r -> {
        Thread t = new Thread(r, "caviar-trial-" + ids.getAndIncrement());
        t.setDaemon(true);
        return t;
      });
      // Polled until empty: a worker adds one (grows) only while its own is not yet done.
      Queue<Future<?>> futures = new ConcurrentLinkedQueue<>();
      AtomicInteger live = new AtomicInteger(); // workers whose loop has not returned
      Runnable counted = () -> {
        try {
          loop.run();
        } finally {
          live.decrementAndGet();
        }
      };
      if (grows) {
        claimed[0] = () -> {
          synchronized (live) {
            if (stopRequested || fatal != null || live.get() >= workers) return;
            long free;
            try {
              free = unclaimed(budget);
            } catch (RuntimeException e) {
              return; // no more workers, this time: the storage's failure is the claims' to report
            }
            for (long k = Math.min(workers - live.get(), free); k > 0; k--) {
              live.incrementAndGet();
              futures.add(pool.submit(counted));
            }
          }
        };
      }
      Throwable failure = null;
      boolean interrupted = false;
      try {
        synchronized (live) {
          for (int w = 0; w < threads; w++) {
            live.incrementAndGet();
            futures.add(pool.submit(counted));
          }
        }
      } finally {
        if (!grows) pool.shutdown();
      }
      // Every worker is awaited, whatever the first one did: a trial still running when optimize
      // returns would outlive the storage the caller closes next, and lose its outcome.
      for (Future<?> f; (f = futures.poll()) != null; ) {
        while (true) {
          try {
            f.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
            stopRequested = true; // the running trials finish; then the workers claim no more
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (failure == null) failure = cause;
            else if (failure != cause) failure.addSuppressed(cause);
            break;
          }
        }
      }
      pool.shutdown(); // every worker has returned: none adds another
      if (interrupted) Thread.currentThread().interrupt();
      if (failure != null) {
        // The worker's own error, as one worker throws it: a journal that cannot be written says so.
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err; // out of memory: the CLI says so in one line
        throw new IllegalStateException("a study worker died: " + failure, failure);
      }
    }
    synchronized (this) {
      if (fatal != null) throw new IllegalStateException("the sampler failed: " + fatal, fatal);
    }
    return history();
  }

  /**
   * The seed {@link Trial#seed()} gives trial {@code number} of a study seeded {@code studySeed}, so
   * that a trial can be trained again alone, e.g. by {@code caviar train --from-study}. A re-run of
   * an interrupted trial gets its first run's seed: {@link #trialSeed(long, List, TrialRecord)}.
   * (Journals written before 2026-12-05 ran a re-run of a re-run with the seed of the re-run it
   * repeated; such a trial trains again with its first run's seed.)
   */
  public static long trialSeed(long studySeed, int number) {
    return Seeds.forPurpose(studySeed, 0x7472_6961_6cL + number).nextLong();
  }

  /**
   * The seed {@code trial} of {@code trials} (the study's, in number order) ran with: that of the
   * first trial of its parameters, back through re-runs of re-runs (which journals written before
   * re-runs were limited to one hold: a trial interrupted twice).
   */
  public static long trialSeed(long studySeed, List<TrialRecord> trials, TrialRecord trial) {
    return trialSeed(studySeed, firstRun(trials, trial.retryOf() >= 0 ? trial.retryOf() : trial.number()));
  }

  /** The trial that {@code number} re-runs, through its own retry_of and theirs; {@code number} if none. */
  private static int firstRun(List<TrialRecord> trials, int number) {
    // Each re-run points to an earlier trial, so the walk ends; the bound guards a corrupt journal.
    for (int hops = 0; hops < trials.size() && number < trials.size() && trials.get(number).retryOf() >= 0; hops++) {
      number = trials.get(number).retryOf();
    }
    return number;
  }

  /**
   * Interrupted first runs (not re-runs themselves) whose parameters are due for a re-run, oldest
   * first: those none of whose re-runs ran, whether to an end, or still running, or interrupted
   * while it ran. A re-run that never ran ({@link TrialRecord#NEVER_RAN}) leaves its first run due
   * again; the next re-run points back to the first run too. As on a shared storage.
   */
  private ArrayDeque<TrialRecord> interruptedWithoutRetry() {
    List<TrialRecord> all = storage.trials();
    Set<Integer> settled = new HashSet<>();
    for (TrialRecord t : all) {
      // Through retry_of chains, should a journal hold a re-run of a re-run.
      if (t.retryOf() >= 0 && (!t.isInterrupted() || t.isInterruptedWhileRunning())) settled.add(firstRun(all, t.retryOf()));
    }
    ArrayDeque<TrialRecord> q = new ArrayDeque<>();
    for (TrialRecord t : all) {
      if (t.isInterrupted() && t.params() != null && t.retryOf() < 0 && !settled.contains(t.number())) q.add(t);
    }
    return q;
  }

  /**
   * How many points were given up: those with a re-run interrupted while it ran
   * ({@link TrialRecord#isInterruptedWhileRunning()}: killed, crashed, or stopped by Ctrl-C or an
   * interrupt), and which no other trial has run or runs. They do not count against the budget, but
   * a sampler with a set of points (a grid) has no other point to offer in their place, and offering
   * them again would bring back, on every resume, a configuration that kills or hangs the process.
   * (A re-run that never ran, {@link TrialRecord#NEVER_RAN}, gives up nothing: its point is re-run.)
   */
  public static long givenUpPoints(List<TrialRecord> trials) {
    Set<Point> up = new HashSet<>();
    for (TrialRecord t : trials) if (t.isInterruptedWhileRunning() && t.retryOf() >= 0 && t.params() != null) up.add(t.params());
    if (up.isEmpty()) return 0;
    for (TrialRecord t : trials) if (!t.isInterrupted() && t.params() != null) up.remove(t.params());
    return up.size();
  }

  /** Claims and proposes the next trial, or returns null when the budget is spent. */
  private synchronized Trial claim(Budget budget, long deadline, ArrayDeque<TrialRecord> retries, int kernelThreads) {
    if (stopRequested || fatal != null || System.nanoTime() >= deadline) return null;
    List<TrialRecord> all = storage.trials();
    int counted = 0;
    for (TrialRecord t : all) if (t.state().isFinished() && !t.isInterrupted()) counted++;
    if (counted + running >= budget.maxTrials()) return null;
    if (retries.isEmpty() && counted + running + givenUpPoints(all) >= sampler.pointCount(space)) return null;
    TrialRecord claimed = storage.claimTrial(System.currentTimeMillis(), kernelThreads);
    int number = claimed.number();
    Point params;
    int retryOf = -1;
    TrialRecord retry = retries.poll();
    if (retry != null) {
      params = retry.params();
      retryOf = retry.number();
    } else {
      try {
        params = proposal(sampler.propose(space, new History(storage.trials(), info.direction()), number, info.seed()), number);
      } catch (RuntimeException | Error e) {
        storage.recordOutcome(number, TrialState.FAILED, Double.NaN, "sampler failed: " + e, System.currentTimeMillis());
        fatal = e;
        return null;
      }
    }
    storage.recordParams(number, params, retryOf);
    running++;
    List<TrialRecord> now;
    try {
      now = storage.trials();
    } catch (RuntimeException | Error e) {
      running--; // the trial stays RUNNING in the storage: a resume re-runs it
      throw e;
    }
    TrialRecord started = now.get(number);
    Trial trial = new Trial(this, number, params, kernelThreads, trialSeed(info.seed(), now, started));
    started(trial, started);
    return trial;
  }

  /**
   * {@code p}, the sampler's proposal for trial {@code number}, if it is a point of this study's
   * space; else the sampler failed (a sampler of one's own): no point would fail every trial in
   * the objective, and another space's point, once stored, would keep the journal from resuming.
   */
  private Point proposal(Point p, int number) {
    if (p == null) throw new IllegalStateException("the " + sampler.name() + " sampler proposed no point for trial " + number);
    if (!p.space().equals(space)) {
      throw new IllegalStateException("the " + sampler.name() + " sampler proposed " + p + " for trial " + number
          + ", a point of another space than the study's (" + space.spec().strip().replace("\n", "; ") + ")");
    }
    return p;
  }

  /**
   * Claims on a storage shared with other processes, without this study's lock but for the
   * proposal: the storage numbers the trial within the budget (counting every worker's trials) or
   * hands out an interrupted trial's parameters for their re-run; a fresh trial's parameters are then
   * proposed from every worker's trials, whose running ones are pending, and recorded. Another
   * worker's trial claimed but not yet given parameters is pending without a point; two trials
   * proposed at once still differ, as each draws from its own number.
   */
  private Trial claimShared(SharedStorage shared, Budget budget, long deadline, int kernelThreads) {
    if (stopRequested || fatal != null || System.nanoTime() >= deadline) return null;
    // A grid's given-up points are not for fresh trials either: the claim counts them in its own
    // step (a re-run it reaps first is given up by then), not from a read made before it.
    TrialRecord claimed = shared.claimNext(System.currentTimeMillis(), budget.maxTrials(), sampler.pointCount(space), kernelThreads);
    if (claimed == null) return null;
    int number = claimed.number();
    Point params = claimed.params();
    int retryOf = claimed.retryOf();
    if (params == null) {
      History seen = new History(shared.trials(), info.direction()); // a StorageException here is the database's
      try {
        synchronized (this) {
          params = proposal(sampler.propose(space, seen, number, info.seed()), number);
        }
      } catch (RuntimeException | Error e) {
        shared.recordOutcome(number, TrialState.FAILED, Double.NaN, "sampler failed: " + e, System.currentTimeMillis());
        fatal = e;
        return null;
      }
      shared.recordParams(number, params, -1);
      claimed = claimed.withParams(params, -1);
    }
    synchronized (this) {
      running++;
    }
    // A lost re-run is not re-run again: retry_of is the first run.
    Trial trial = new Trial(this, number, params, kernelThreads, trialSeed(info.seed(), retryOf >= 0 ? retryOf : number));
    started(trial, claimed);
    return trial;
  }

  /**
   * Tells the listeners that {@code trial} starts. One that throws stops the study with its error;
   * the trial, which never ran, is given up as interrupted ({@link TrialRecord#NEVER_RAN}), so its
   * parameters are re-run, even if it was a re-run itself. On a shared storage it is given back at
   * once ({@link SharedStorage#giveBack}): left RUNNING, it would be released as the study closes,
   * as if it had been interrupted while it ran, and a re-run would give its point up.
   */
  private void started(Trial trial, TrialRecord record) {
    Throwable failure = tell(l -> l.trialStarted(record));
    if (failure != null) {
      String why = "a listener failed as the trial started: " + failure;
      if (storage instanceof SharedStorage shared) {
        try {
          shared.giveBack(record, why);
        } catch (RuntimeException e) {
          failure.addSuppressed(e); // the listener's error stays the one thrown; close() releases the trial
        }
      }
      giveUp(trial, why);
      throw rethrow(failure);
    }
  }

  /**
   * Calls {@code call} on every listener, and returns the first one's failure (later ones
   * suppressed in it), or null. A listener's failure is not the trial's: it is thrown only after the
   * trial's outcome is recorded, and stops the study ({@link #optimize}).
   */
  private Throwable tell(Consumer<StudyListener> call) {
    Throwable first = null;
    for (StudyListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException | Error e) {
        if (first == null) first = e;
        else if (first != e) first.addSuppressed(e);
      }
    }
    return first;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
    throw new IllegalStateException(t);
  }

  /**
   * Ends {@code trial} without an outcome of its own (interrupted, or never run): recorded as
   * interrupted, so that it does not count and its parameters are re-run, as after a crash, unless
   * it was a re-run that ran (a re-run that never ran, {@link TrialRecord#NEVER_RAN}, is re-run). On
   * a shared storage it is left RUNNING: an interrupted outcome recorded there would count against
   * the budget and never be re-run, whereas {@link #close()} releases it (a first run for its
   * re-run; a re-run gives its point up, as a re-run interrupted on any storage does), unless it
   * never ran and was given back already ({@link #started}).
   */
  private void giveUp(Trial trial, String why) {
    synchronized (this) {
      try {
        if (!(storage instanceof SharedStorage)) {
          storage.recordOutcome(trial.number(), TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": " + why, System.currentTimeMillis());
        }
      } finally {
        running--;
      }
    }
  }

  /**
   * The reason of a trial that threw {@link TrialDivergedException}: its message, made to start
   * with {@value TrialRecord#DIVERGED} if it does not, since {@link TrialRecord#isDiverged} (and so
   * the samplers) read the divergence from the reason.
   */
  static String divergedReason(String message) {
    if (message == null || message.isBlank()) return TrialRecord.DIVERGED;
    return message.startsWith(TrialRecord.DIVERGED) ? message : TrialRecord.DIVERGED + ": " + message;
  }

  /**
   * The reason recorded for a trial that threw {@code e}, which tune prints ("failed: 3 trials:
   * REASON") and the report lists. An {@link IllegalArgumentException} of the project's own, or
   * the JDK's class itself, with a message, is a refusal written for the user (the objective's
   * "training ... needs about 40 GB of memory ..." and every check of a configuration): its message
   * alone. Anything else keeps its class name, which tells what went wrong: a bug
   * (NullPointerException, IllegalStateException), an Error (StackOverflowError, OutOfMemoryError),
   * an exception with no message, a JDK subclass whose message is only a detail
   * (NumberFormatException: For input string: "x"). A reason is only text: journals whose reasons
   * name the class throughout (before this rule) load as they were written.
   */
  static String failureReason(Throwable e) {
    boolean userFacing = e instanceof IllegalArgumentException
        && (e.getClass() == IllegalArgumentException.class || e.getClass().getName().startsWith("org.caviar."));
    String message = e.getMessage();
    return userFacing && message != null && !message.isBlank() ? message : e.toString();
  }

  /**
   * Runs the objective on {@code trial} and records its outcome. Returns whether the worker was
   * interrupted: the trial was then given up ({@link #giveUp}) unless it ended on its own, and the
   * interrupt flag is cleared (the caller stops, and sets it again).
   */
  private boolean evaluate(Objective objective, Trial trial) {
    boolean holding = true; // whether `running` still counts this trial: decremented once, however this ends
    boolean interrupted = false;
    try {
      TrialState state;
      double value;
      String reason = null;
      boolean interruptedTrial = false;
      try {
        value = objective.evaluate(trial);
        if (Double.isFinite(value)) {
          state = TrialState.COMPLETE;
        } else {
          state = TrialState.FAILED;
          reason = "objective returned " + value;
          value = Double.NaN;
        }
      } catch (TrialPrunedException e) {
        state = TrialState.PRUNED;
        reason = e.getMessage();
        value = Double.NaN; // its last report, read below with the flag cleared
      } catch (InterruptedException e) {
        state = TrialState.FAILED;
        value = Double.NaN;
        interruptedTrial = true;
      } catch (Exception | StackOverflowError | OutOfMemoryError | AssertionError e) {
        // A bad configuration can blow the stack or the heap: that fails the trial, not the study.
        state = TrialState.FAILED;
        reason = e instanceof TrialDivergedException ? divergedReason(e.getMessage()) : failureReason(e);
        value = Double.NaN;
        // Thrown with the flag set (I/O closed by the interrupt, an exception wrapping it): the interrupt's doing.
        interruptedTrial = Thread.currentThread().isInterrupted();
      } catch (Error e) {
        // Not the trial's failure (a class that cannot load, a bug): the study stops with it. The
        // trial ends as one the study stopped while it ran, as PostgreSQL's close releases it; the
        // journal left it RUNNING until its next open. The flag is cleared for the write, set again below.
        interrupted = Thread.interrupted();
        stopRequested = true;
        holding = false;
        try {
          giveUp(trial, "the study stopped with " + e + " while this trial ran");
        } catch (RuntimeException | Error w) {
          e.addSuppressed(w); // the objective's error stays the one thrown; the trial is found RUNNING on open
        }
        throw e;
      }
      // Cleared before the storage is written (an interrupted write closes a journal's channel); the worker stops.
      interrupted = Thread.interrupted() || interruptedTrial;
      RuntimeException storageFailure = trial.storageFailure();
      if (storageFailure != null) {
        // Not the trial's fault, even if the objective caught it: no outcome, so a resume re-runs it.
        throw storageFailure;
      }
      if (interruptedTrial) {
        stopRequested = true; // before the write: the other workers claim no more meanwhile
        holding = false;
        giveUp(trial, "the study was interrupted while this trial ran");
        return true;
      }
      if (state == TrialState.PRUNED) value = storage.trials().get(trial.number()).lastIntermediate();
      TrialRecord finished;
      History after;
      // A recordOutcome that throws leaves the trial to the finally below, which takes it off `running`.
      if (storage instanceof SharedStorage) {
        // Other processes count trials in the database, not by this study's lock: no need to hold it.
        storage.recordOutcome(trial.number(), state, value, reason, System.currentTimeMillis());
        holding = false;
        synchronized (this) {
          running--;
        }
        if (listeners.isEmpty()) return finish(trial, null, interrupted);
        after = history(); // a shared storage's history is a database read: only for listeners
        finished = after.trials().get(trial.number());
      } else {
        synchronized (this) {
          // One step under the lock, so that a claim never counts the trial both finished and running.
          storage.recordOutcome(trial.number(), state, value, reason, System.currentTimeMillis());
          holding = false;
          running--;
          if (listeners.isEmpty()) return finish(trial, null, interrupted);
          after = history();
          finished = after.trials().get(trial.number());
        }
      }
      return finish(trial, tell(l -> l.trialFinished(finished, after)), interrupted);
    } catch (RuntimeException | Error e) {
      if (interrupted) Thread.currentThread().interrupt(); // cleared for the storage: set again, as the worker ends with this error
      throw e;
    } finally {
      if (holding) {
        synchronized (this) {
          running--;
        }
      }
    }
  }

  /**
   * After the trial's outcome is recorded: throws the first listener failure heard while it ran
   * or as it finished (the latter suppressed in the former), else returns {@code interrupted}.
   */
  private static boolean finish(Trial trial, Throwable finishedFailure, boolean interrupted) {
    Throwable failure = trial.listenerFailure();
    if (failure == null) failure = trial.prunerFailure();
    if (failure == null) failure = finishedFailure;
    else if (finishedFailure != null && finishedFailure != failure) failure.addSuppressed(finishedFailure);
    if (failure != null) throw rethrow(failure);
    return interrupted;
  }

  void report(Trial trial, int step, double value) {
    TrialRecord reported;
    try {
      storage.recordIntermediate(trial.number(), step, value);
      reported = listeners.isEmpty() ? null : storage.trials().get(trial.number());
    } catch (RuntimeException e) {
      throw trial.storageFailed(e);
    }
    if (reported == null) return;
    Throwable failure = tell(l -> l.trialReported(reported));
    if (failure != null) {
      // Not thrown into the objective (the trial would be failed with it): the trial goes on, and
      // its outcome is recorded before the study stops with this error.
      trial.listenerFailed(failure);
      stopRequested = true;
    }
  }

  boolean shouldPrune(Trial trial) {
    List<TrialRecord> all;
    try {
      all = storage.trials();
    } catch (RuntimeException e) {
      throw trial.storageFailed(e);
    }
    History history = new History(all, info.direction());
    TrialRecord mine = all.get(trial.number());
    // The pruner is asked of every report since the last question, as if asked after each: an
    // objective that reports epochs 1 and 2 and then asks still meets ASHA's rung at epoch 1 (a
    // stateless pruner decides a rung at the report that first reaches it).
    int from = Math.min(trial.askedReports + 1, mine.reportCount());
    trial.askedReports = mine.reportCount();
    try {
      for (int n = Math.max(from, 1); n <= mine.reportCount(); n++) {
        if (pruner.shouldPrune(history, mine.withFirstReports(n))) return true;
      }
    } catch (RuntimeException e) {
      // A pruner of one's own that fails would fail every trial, the study going on: it stops the
      // study, as a failing sampler does, once this trial's outcome is recorded (see finish).
      throw trial.prunerFailed(new IllegalStateException("the " + pruner.name() + " pruner failed at trial " + trial.number() + ": " + e, e));
    }
    return false;
  }

  /**
   * Closes the storage (a journal's lock is released: another study may open it). A shared storage
   * first releases the trials this study still runs (stopped by an error), so that a resume re-runs
   * them at once rather than after the grace.
   */
  @Override
  public void close() {
    try {
      if (storage instanceof SharedStorage shared) shared.releaseHeld();
    } catch (StorageException e) {
      // Not thrown: it would hide the error that stopped the run, and the trials are re-run after the grace anyway.
      System.getLogger(Study.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
    } finally {
      storage.close();
    }
  }
}
