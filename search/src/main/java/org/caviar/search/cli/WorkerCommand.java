package org.caviar.search.cli;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code caviar worker}: one more process on a study kept in PostgreSQL. It takes the same options
 * as {@code tune}, but needs none of the objective's (data, epochs, sampler, pruner): it uses those
 * stored with the study, and refuses one given with another value. It runs trials until the
 * study's budget is spent, and writes no report: {@code tune --storage} and
 * {@code train --from-study} read the shared study from any machine.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Runs trials of a study shared through PostgreSQL until its budget is spent.",
      "",
      "Start any number, on any machines: " + CaviarCli.COMMAND_IN_HELP + " worker --storage postgresql://host:5432/db --study NAME "
          + "[--trials N]. Each claims its next trial in one short database statement, so no trial runs twice and the "
          + "budget (--trials, counting every worker's trials) is not overshot, then proposes its parameters from every "
          + "worker's trials. A worker killed mid-trial is noticed by the others after a grace period; its trial is "
          + "failed and its parameters re-run, once: a re-run interrupted too gives its point up. The data, epochs, sampler and pruner options are those stored with the study when "
          + "tune created it: leave them out (a dataset file is found by its stored path; give --csv or --idx-* with "
          + "another path to the same file if it lies elsewhere here), or give the same values. It runs in the study's "
          + "mode (tune's --mode when it created it) unless given another --mode.",
      ""})
public final class WorkerCommand extends TuneCommand {
  /**
   * The options inherited from {@code tune} that mean something else here: {@code --study} names
   * the study in the database (there is no folder and no default), and it and {@code --storage} are
   * required options (the help shows them so; one left out is picocli's usage error naming it),
   * {@code --seed} is the study's own, and {@code --no-report} is hidden (a worker writes no report;
   * it is still taken, so that tune's options start a worker). {@code --show-space}, which needs no
   * database, belongs to {@code tune} (and --space's help points there).
   */
  static void adjustOptions(CommandSpec spec) {
    spec.remove(spec.findOption("--show-space"));
    Map<String, UnaryOperator<OptionSpec.Builder>> changes = Map.of(
        "--study", o -> o.paramLabel("NAME").required(true)
            .description("The study's name in the database (required): the name tune --storage gave it."),
        "--storage", o -> o.required(true).description("The study's PostgreSQL database (required): the URL tune --storage created it in, e.g. "
            + "postgresql://host:5432/db (user from the URL or PGUSER, password from PGPASSWORD or ~/.pgpass)."),
        "--seed", o -> o.description("Not used: a worker runs with the seed stored with the study (tune's --seed when it "
            + "created it)."),
        "--space", o -> o.description("A search space file, one parameter per line, e.g. 'lr = log(1e-4, 1)'. See tune "
            + "--show-space."),
        "--no-report", o -> o.hidden(true));
    // Every option taken out and put back, changed or not: the help lists them in the order they were added.
    for (OptionSpec option : List.copyOf(spec.options())) {
      UnaryOperator<OptionSpec.Builder> change = changes.get(option.longestName());
      spec.remove(option);
      spec.addOption(change == null ? option : change.apply(OptionSpec.builder(option)).build());
    }
  }

  /** Only tune creates a study: a worker on a mistyped name would start a new one. */
  @Override
  boolean createsStudies() {
    return false;
  }

  @Override
  public Integer call() throws Exception {
    // --storage and --study are required options (adjustOptions): picocli refuses a command line without them.
    if (storageUrl == null || studyDir == null) throw new IllegalStateException("worker needs --storage and --study");
    noReport = true;
    return super.call();
  }
}
