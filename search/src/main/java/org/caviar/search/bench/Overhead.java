package org.caviar.search.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.sampler.Sampler;
import org.caviar.search.sampler.TpeSampler;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.storage.InMemoryStorage;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.Storage;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;

/**
 * Sampler and storage overhead per trial, with an objective that returns at once (the issue's
 * targets: TPE at most 1 ms per trial at 1000 trials with 5 parameters, the journal at most 0.2 ms
 * per trial). Each figure is the whole study's wall time divided by its trials, after one warm-up
 * study of the same size, so it includes claiming, proposing, recording and the history snapshots.
 *
 * <pre>java -cp ... org.caviar.search.bench.Overhead</pre>
 */
public final class Overhead {
  private Overhead() {}

  /** Five parameters of the kinds a network's search uses. */
  public static final SearchSpace FIVE = SearchSpace.parse("""
      lr = log(1e-4, 1)
      beta1 = one_minus_log(0.8, 0.999)
      dropout = uniform(0, 0.5)
      units = int_log(16, 512)
      optimizer = categorical(sgd, momentum, adam)
      """);

  /** Milliseconds per trial of a study of {@code trials} instant trials. */
  public static double msPerTrial(Sampler sampler, Storage storage, int trials, long seed) {
    Study study = Study.builder(FIVE).sampler(sampler).storage(storage).seed(seed).workers(1).build();
    long t0 = System.nanoTime();
    study.optimize(t -> Math.log10(t.getDouble("lr")) + t.getDouble("dropout") + t.getInt("units") * 1e-3, Budget.trials(trials));
    long t1 = System.nanoTime();
    study.close();
    return (t1 - t0) / 1e6 / trials;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("caviar-overhead");
    try {
      for (int n : new int[] {100, 1000}) {
        msPerTrial(new TpeSampler(), new InMemoryStorage(), n, 1); // warm-up
        double tpe = msPerTrial(new TpeSampler(), new InMemoryStorage(), n, 2);
        msPerTrial(TpeSampler.optunaDefaults(), new InMemoryStorage(), n, 1); // warm-up
        double tpeUni = msPerTrial(TpeSampler.optunaDefaults(), new InMemoryStorage(), n, 2);
        double random = msPerTrial(new RandomSampler(), new InMemoryStorage(), n, 2);
        msPerTrial(new RandomSampler(), new JournalStorage(dir.resolve("warm" + n + ".jsonl")), n, 1);
        double journal = msPerTrial(new RandomSampler(), new JournalStorage(dir.resolve("j" + n + ".jsonl")), n, 2);
        System.out.printf(Locale.ROOT,
            "%5d trials, 5 params: TPE %.3f ms/trial, TPE univariate %.3f, random %.4f; journal adds %.4f ms/trial (random + journal %.4f)%n",
            n, tpe, tpeUni, random, journal - random, journal);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
