package org.caviar.search.cli;

import java.util.concurrent.Callable;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.debug.GradientCheck;
import org.caviar.model.debug.GradientCheckResult;
import org.caviar.model.optim.Counts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caviar gradcheck}: checks a network's backward pass against finite differences. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Checks a network's gradients against finite differences.",
      "",
      "Compares the backward pass with central finite differences of a double-precision forward pass on a few rows "
          + "of the data (default: the shipped digits set), and names the worst tensors and entries. Exits with 0 "
          + "when the check passes, 1 when it fails.",
      ""})
public final class GradcheckCommand implements Callable<Integer> {
  @Spec CommandSpec commandSpec;
  private java.io.PrintWriter out;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--spec", paramLabel = "SPEC",
      description = "The network, e.g. '64-32-10 tanh batchnorm'. Default: two hidden layers of 32 with ReLU and batch norm.")
  String spec;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "16", description = "Rows of the batch. Default: ${DEFAULT-VALUE}.")
  int rows;

  @Option(names = "--weight-decay", paramLabel = "LAMBDA", defaultValue = "0", description = "L2 coefficient included in the check. Default: ${DEFAULT-VALUE}.")
  float weightDecay;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of the weights. Default: ${DEFAULT-VALUE}.")
  long seed;

  /** GradientCheck's rule: fewer rows leave batch norm nothing to check. */
  static final int MIN_ROWS_BATCH_NORM = 3;
  private static final String BATCH_NORM_ROWS = " (over 2 rows a normalized feature is +-1 whatever its input: no gradient to check)";

  @Override
  public Integer call() throws Exception {
    out = commandSpec.commandLine().getOut();
    NetworkSpec given = spec != null ? NetworkSpec.parse(spec) : null;
    // The default network has batch norm; a spec's has a batch norm layer only after a hidden layer.
    boolean batchNorm = given == null || given.batchNorm() && !given.hidden().isEmpty();
    int fewest = batchNorm ? MIN_ROWS_BATCH_NORM : 1;
    if (rows < fewest) {
      throw new IllegalArgumentException("--rows must be >= " + fewest + (batchNorm ? " for a network with batch norm" : "")
          + ", got " + rows + (batchNorm ? BATCH_NORM_ROWS : ""));
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("--weight-decay must be finite and >= 0, got " + org.caviar.model.optim.Floats.text(weightDecay));
    }
    DataOptions.Data d = data.load(false); // the training part only: a split without validation rows will do
    NetworkSpec net = given != null ? given : NetworkSpec.parse(d.inputs() + "-32-32-" + d.classes() + " relu batchnorm");
    if (net.inputs() != d.inputs() || net.classes() < d.classes()) {
      throw new IllegalArgumentException("--spec takes " + net.inputs() + " inputs and " + net.classes() + " classes, the data has "
          + d.inputs() + " and " + d.classes());
    }
    if (d.train().rows() < fewest) {
      throw new IllegalArgumentException("--rows " + rows + " takes the training part's " + Counts.of(d.train().rows(), "row") + ": a network "
          + "with batch norm needs at least " + fewest + BATCH_NORM_ROWS + "; give --split a larger TRAIN");
    }
    Network network = Network.create(net, seed, Kernels.vector());
    Dataset batch = d.train().head(Math.min(rows, d.train().rows()));
    out.println("gradcheck of " + net + " on " + Counts.of(batch.rows(), "row") + " of " + d.description());
    data.printNotes(out);
    if (net.dropout() > 0 && !net.hidden().isEmpty()) {
      // The check switches it off; without a word a user could take dropout's backward as checked.
      out.println("note: dropout=" + org.caviar.model.optim.Floats.text(net.dropout())
          + " is off during the check: a random mask would make the loss a different function at every evaluation");
    }
    GradientCheckResult r = GradientCheck.check(network, batch.features(), batch.labels(), batch.rows(), weightDecay,
        GradientCheck.Options.defaults());
    out.println(r.toString().stripTrailing());
    return r.passed() ? 0 : 1;
  }
}
