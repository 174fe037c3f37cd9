package org.caviar.search.cli;

import java.util.concurrent.Callable;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.debug.GradientCheck;
import org.caviar.model.debug.GradientCheckResult;
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

  @Override
  public Integer call() throws Exception {
    out = commandSpec.commandLine().getOut();
    if (rows < 1) throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("--weight-decay must be finite and >= 0, got " + weightDecay);
    }
    DataOptions.Data d = data.load();
    NetworkSpec net = spec != null ? NetworkSpec.parse(spec)
        : NetworkSpec.parse(d.inputs() + "-32-32-" + d.classes() + " relu batchnorm");
    if (net.inputs() != d.inputs() || net.classes() < d.classes()) {
      throw new IllegalArgumentException("--spec takes " + net.inputs() + " inputs and " + net.classes() + " classes, the data has "
          + d.inputs() + " and " + d.classes());
    }
    Network network = Network.create(net, seed, Kernels.vector());
    Dataset batch = d.train().head(Math.min(rows, d.train().rows()));
    out.println("gradcheck of " + net + " on " + batch.rows() + " rows of " + d.description());
    GradientCheckResult r = GradientCheck.check(network, batch.features(), batch.labels(), batch.rows(), weightDecay,
        GradientCheck.Options.defaults());
    out.println(r.toString().stripTrailing());
    return r.passed() ? 0 : 1;
  }
}
