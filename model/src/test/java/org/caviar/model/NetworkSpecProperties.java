package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NetworkSpecProperties {
  @Provide
  Arbitrary<NetworkSpec> specs() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 1000), Arbitraries.integers().between(1, 512).list().ofMaxSize(4),
            Arbitraries.integers().between(2, 100), Arbitraries.of(Activation.class), Arbitraries.of(false, true),
            Arbitraries.of(0f, 0.1f, 0.25f, 0.5f), Arbitraries.of(Init.class), Arbitraries.of(0f, 0.01f, 0.2f))
        .as((in, h, c, a, bn, d, init, slope) -> new NetworkSpec(in, h, c, a, slope, bn, d, init));
  }

  @Property(tries = 200)
  void textFormRoundTrips(@ForAll("specs") NetworkSpec spec) {
    assertEquals(spec, NetworkSpec.parse(spec.toString()));
  }

  @Test
  void readsTheIssuesExample() {
    NetworkSpec s = NetworkSpec.parse("64-128-128-10 relu batchnorm dropout=0.2");
    assertEquals(64, s.inputs());
    assertEquals(List.of(128, 128), s.hidden());
    assertEquals(10, s.classes());
    assertEquals(Activation.RELU, s.activation());
    assertTrue(s.batchNorm());
    assertEquals(0.2f, s.dropout());
    assertEquals(Init.HE, s.init(), "He by default for ReLU");
    assertEquals(Init.XAVIER, NetworkSpec.parse("4-2-3 tanh").init());
    assertEquals(Init.GLOROT, NetworkSpec.parse("4-2-3 sigmoid").init());
    assertEquals(Init.GLOROT, NetworkSpec.parse("4-2-3 relu init=glorot").init(), "overridable");
    assertEquals(64L * 128 + 128 * 128 + 128 * 10, s.forwardMultiplyAdds());
  }

  @Test
  void badTextIsAClearError() {
    assertMessage("64-abc-10 relu", "'abc' is not an integer");
    assertMessage("64-99999999999-10 relu", "size '99999999999' is too large (at most 2,147,483,647)");
    assertMessage("64 relu", "must start with sizes");
    assertMessage("64-10 swish", "unknown activation 'swish'");
    assertMessage("64-10 relu tanh", "more than one activation");
    assertMessage("64-10 relu dropout=1.5", "dropout must be in [0, 1)");
    assertMessage("64-10 relu dropout=", "dropout needs a value");
    assertMessage("64-10 relu dropout=x", "dropout 'x' is not a number");
    assertMessage("64-10 relu colour=red", "unknown option 'colour'");
    // A flag with a value is a mistake, not the flag: "batchnorm=false" must not turn batch norm on.
    assertMessage("64-10 relu batchnorm=false", "batchnorm takes no value, got 'false'");
    assertMessage("64-10 relu bn=0", "bn takes no value, got '0'");
    assertMessage("64-0-10 relu", "hidden sizes must be > 0");
    assertMessage("64-1 relu", "classes must be >= 2");
    assertMessage("0-16-10", "inputs must be > 0, got 0");
    assertMessage("64-10 relu init=zeros", "init");
    assertMessage("64-10 relu init", "init needs a value, e.g. init=...");
    assertEquals("network spec must not be empty",
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(" ")).getMessage());
  }

  /** A null hidden size is named, not a bare NullPointerException from copying the list. */
  @Test
  void aNullHiddenSizeIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new NetworkSpec(4, java.util.Arrays.asList(3, null), 3, Activation.RELU, 0.01f, false, 0f, null));
    assertEquals("hidden sizes must not be null, got [3, null]", e.getMessage());
  }

  /**
   * A slope beside an activation other than leaky ReLU is an error: the spec kept the default slope
   * and trained a plain ReLU (or tanh), so "relu slope=0.2", meant as a leaky ReLU, silently was not.
   */
  @Test
  void aSlopeWithoutLeakyReluIsAnError() {
    assertMessage("64-10 relu slope=0.2", "slope=0.2 is leaky_relu's option, the activation is relu");
    assertMessage("64-10 slope=0.2", "slope=0.2 is leaky_relu's option, the activation is relu");
    assertMessage("64-10 slope=0.2 tanh", "slope=0.2 is leaky_relu's option, the activation is tanh");
    assertEquals(0.2f, NetworkSpec.parse("64-8-10 slope=0.2 leaky_relu").leakySlope(), "in any order");
  }

  /**
   * As in the text form: a slope set on a spec of another activation was kept at the default
   * without a word, so {@code withLeakySlope(0.2f).withActivation(LEAKY_RELU)} trained at 0.01.
   */
  @Test
  void aSlopeSetBeforeTheActivationIsAnError() {
    NetworkSpec relu = NetworkSpec.parse("64-32-10 relu");
    assertEquals("leakySlope is leaky_relu's option, the activation is relu: set the activation first, "
            + "withActivation(Activation.LEAKY_RELU).withLeakySlope(0.2)",
        assertThrows(IllegalArgumentException.class, () -> relu.withLeakySlope(0.2f)).getMessage());
    NetworkSpec leaky = relu.withActivation(Activation.LEAKY_RELU).withLeakySlope(0.2f);
    assertEquals(0.2f, leaky.leakySlope());
    assertEquals("64-32-10 leaky_relu slope=0.2", leaky.toString());
  }

  /**
   * An init set before the activation was replaced by the activation's default without a word:
   * {@code withInit(GLOROT).withActivation(TANH)} trained with Xavier. As in the text form, where
   * "relu init=glorot" edited to "tanh init=glorot" keeps Glorot, an init other than the current
   * activation's default is kept; the default (which the text does not write) follows the activation.
   */
  @Test
  void anInitSetBeforeTheActivationIsKept() {
    NetworkSpec relu = NetworkSpec.parse("64-32-10 relu");
    NetworkSpec glorot = relu.withInit(Init.GLOROT).withActivation(Activation.TANH);
    assertEquals(Init.GLOROT, glorot.init());
    assertEquals(NetworkSpec.parse("64-32-10 tanh init=glorot"), glorot);
    assertEquals(glorot, relu.withActivation(Activation.TANH).withInit(Init.GLOROT), "in either order");
    assertEquals(Init.XAVIER, relu.withActivation(Activation.TANH).init(), "the default follows the activation");
    assertEquals(Init.GLOROT, relu.withActivation(Activation.SIGMOID).init());
    assertEquals(Init.HE, NetworkSpec.parse("64-32-10 sigmoid").withActivation(Activation.LEAKY_RELU).init());
  }

  /**
   * An option given twice is an error, as a second activation is: the last one won and the other
   * was dropped without a word ("dropout=0.2 ... dropout=0.5" trained at 0.5).
   */
  @Test
  void anOptionGivenTwiceIsAnError() {
    assertMessage("64-10 relu dropout=0.2 dropout=0.5", "dropout is given twice (0.2 and 0.5)");
    assertMessage("64-10 relu init=he init=glorot", "init is given twice (he and glorot)");
    assertMessage("64-10 leaky_relu slope=0.1 slope=0.3", "slope is given twice (0.1 and 0.3)");
  }

  /** A dropout of -0 reads back as the spec it came from (toString leaves a zero rate out). */
  @Test
  void aNegativeZeroDropoutSurvivesTheRoundTrip() {
    NetworkSpec s = NetworkSpec.parse("4-3 relu dropout=-0");
    assertEquals(s, NetworkSpec.parse(s.toString()));
  }

  /**
   * A leaky ReLU slope of -0 is the slope 0: it printed as "slope=-0.0" (in the spec's text, which
   * a saved model stores, and the network's layers) and the spec compared unequal to the one with
   * slope=0, so two trials of the same network were two specs.
   */
  @Test
  void aNegativeZeroSlopeIsZero() {
    NetworkSpec negative = NetworkSpec.parse("4-3-2 leaky_relu slope=-0");
    NetworkSpec zero = NetworkSpec.parse("4-3-2 leaky_relu slope=0");
    assertEquals("4-3-2 leaky_relu slope=0", negative.toString());
    assertEquals(zero, negative);
    assertEquals(zero.hashCode(), negative.hashCode());
    assertEquals(zero, zero.withLeakySlope(-0f));
    assertEquals(negative, NetworkSpec.parse(negative.toString()));
    assertEquals("[dense1 4->3, leaky_relu1 leaky_relu(0.0)]",
        Network.create(negative, 1).layers().subList(0, 2).toString());
    var layer = new org.caviar.model.layer.ActivationLayer("a", 3, Activation.LEAKY_RELU, -0f, Kernels.vector().activations());
    assertEquals("a leaky_relu(0.0)", layer.toString());
    assertEquals(0, Float.compare(0f, layer.slope()));
  }

  /**
   * A network without hidden layers (softmax regression) has no activation, batch norm, dropout or
   * hidden init: "64-10 relu batchnorm dropout=0.5" printed (and saved) batchnorm and dropout the
   * network did not have, and compared unequal to "64-10 relu", the same network. A spec built
   * with such options says what the network has; a text that gives them is refused, naming them;
   * the text earlier versions saved in model files reads as the network it described.
   */
  @Test
  void aSpecWithoutHiddenLayersHasNoneOfTheirOptions() {
    NetworkSpec built = new NetworkSpec(64, List.of(), 10, Activation.TANH, 0.01f, true, 0.5f, Init.GLOROT);
    assertEquals("64-10 relu", built.toString());
    assertEquals(NetworkSpec.parse("64-10 relu"), built);
    assertEquals(NetworkSpec.parse("64-10"), NetworkSpec.of(64, List.of(), 10).withBatchNorm(true).withDropout(0.5f));
    assertEquals(built.hashCode(), NetworkSpec.parse("64-10").hashCode());
    // Not "the activation is relu: set the activation first", to a caller who just did.
    assertEquals(built, NetworkSpec.of(64, List.of(), 10).withActivation(Activation.LEAKY_RELU).withLeakySlope(0.2f));
    assertMessage("64-10 relu batchnorm dropout=0.5",
        "batchnorm and dropout=0.5 are options of hidden layers, and 64-10 has none: leave them out, or give a hidden layer (64-H-10)");
    assertMessage("64-10 TANH", "tanh is an option of hidden layers, and 64-10 has none: leave it out, or give a hidden layer (64-H-10)");
    assertMessage("64-10 bn leaky_relu slope=0.2 init=glorot", "bn, leaky_relu, slope=0.2 and init=glorot are options of hidden layers");
    // What the canonical text says, and options that change nothing, still read.
    assertEquals(built, NetworkSpec.parse("64-10 relu dropout=0 init=he"));
    assertEquals(built, NetworkSpec.parseSaved("64-10 tanh batchnorm dropout=0.5 init=glorot"));
    assertEquals(built, NetworkSpec.parseSaved("64-10 leaky_relu slope=0.2 batchnorm"));
    assertEquals(NetworkSpec.parse("64-8-10 tanh bn"), NetworkSpec.parseSaved("64-8-10 tanh bn"));
    var e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parseSaved("64-10 relu dropout=2"));
    assertTrue(e.getMessage().contains("dropout must be in [0, 1)"), e.getMessage());
  }

  /**
   * A rate or slope out of range is said as a person writes it: "got 1", not Java's "got 1.0" (and
   * 1e-5, not 1.0E-5). In a spec's text it is named as written there ("slope", not the field
   * "leakySlope"), and a value below 1 that is 1 as a float says so: "got 0.99999999" beside "must
   * be in [0, 1)" alone read as a wrong check.
   */
  @Test
  void outOfRangeValuesAreSaidInPlainForm() {
    var ctor = assertThrows(IllegalArgumentException.class,
        () -> new NetworkSpec(4, List.of(3), 2, Activation.RELU, 0.01f, false, 1f, null));
    assertEquals("dropout must be in [0, 1), got 1", ctor.getMessage());
    var slope = assertThrows(IllegalArgumentException.class,
        () -> new NetworkSpec(4, List.of(3), 2, Activation.LEAKY_RELU, -1e-5f, false, 0f, null));
    assertEquals("leakySlope must be in [0, 1), got -1e-5", slope.getMessage());
    assertMessage("64-8-10 relu dropout=1", "network spec '64-8-10 relu dropout=1': dropout must be in [0, 1), got 1");
    assertMessage("64-8-10 relu dropout=1e0", "network spec '64-8-10 relu dropout=1e0': dropout must be in [0, 1), got 1e0");
    assertMessage("64-8-10 relu dropout=0.99999999",
        "network spec '64-8-10 relu dropout=0.99999999': dropout must be in [0, 1), got 0.99999999 (1 as a float)");
    assertMessage("64-8-10 leaky_relu slope=-1e-5", "network spec '64-8-10 leaky_relu slope=-1e-5': slope must be in [0, 1), got -1e-5");
  }

  /**
   * The text form (which train prints and a model file keeps) writes a rate or slope as a person
   * does: "slope=1.0E-4 dropout=1.0E-4" and "slope=0.0" were Java's float text; it reads back the same.
   */
  @Test
  void theTextFormWritesNumbersPlainly() {
    NetworkSpec small = NetworkSpec.parse("64-8-10 leaky_relu slope=1e-4 dropout=1e-4");
    assertEquals("64-8-10 leaky_relu slope=1e-4 dropout=1e-4", small.toString());
    assertEquals(small, NetworkSpec.parse(small.toString()));
    assertEquals("64-8-10 leaky_relu slope=0.2 dropout=0.5", NetworkSpec.parse("64-8-10 leaky_relu slope=0.2 dropout=0.5").toString());
    // Files written before still read.
    assertEquals(small, NetworkSpec.parseSaved("64-8-10 leaky_relu slope=1.0E-4 dropout=1.0E-4"));
  }

  /** The message says what is wrong and, first, which text it is in. */
  private static void assertMessage(String text, String expected) {
    var e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(text));
    assertTrue(e.getMessage().startsWith("network spec '" + text + "'"), e.getMessage());
    // Once: a bare "init" named the spec twice.
    assertEquals(e.getMessage().indexOf("network spec '"), e.getMessage().lastIndexOf("network spec '"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
