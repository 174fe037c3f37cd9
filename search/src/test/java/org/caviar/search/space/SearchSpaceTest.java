package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.caviar.search.Spaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SearchSpaceTest {
  /** The build fails with an IllegalArgumentException whose message names every given word. */
  private static void rejects(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String w : words) assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should name " + w);
  }

  @Test
  void invalidParametersAreClearErrorsNamingParameterAndValue() {
    rejects(() -> Parameter.logUniform("lr", 0, 1), "'lr'", "lo > 0, got lo = 0");
    rejects(() -> Parameter.logUniform("lr", -1, 1), "'lr'", "lo > 0, got lo = -1");
    rejects(() -> Parameter.uniform("x", 2, 1), "'x'", "lo = 2, hi = 1 (");
    rejects(() -> Parameter.uniform("x", 1, 1), "'x'", "lo = 1, hi = 1 (");
    rejects(() -> Parameter.uniform("x", Double.NaN, 1), "'x'", "NaN");
    rejects(() -> Parameter.oneMinusLog("beta", 0.9, 1), "'beta'", "hi < 1, got hi = 1");
    rejects(() -> Parameter.intUniform("n", 5, 3), "'n'", "lo = 5", "hi = 3");
    rejects(() -> Parameter.intLog("units", 0, 8), "'units'", "lo = 0");
    rejects(() -> Parameter.categorical("opt"), "'opt'", "at least one choice");
    rejects(() -> Parameter.categorical("opt", "adam", "adam"), "'opt'", "'adam'");
    rejects(() -> Parameter.categorical("opt", "two words"), "'opt'", "'two words'");
    rejects(() -> Parameter.fixed("e", Double.NaN), "'e'", "NaN");
    rejects(() -> Parameter.uniform("1x", 0, 1), "'1x'");
    // hi - lo would overflow to Infinity: every draw would be NaN.
    rejects(() -> Parameter.uniform("w", -1e308, 1e308), "'w'", "lo = -1e308, hi = 1e308 (");
    // Ends that differ but map to one position on their scale (1 - 1e-17 is 1; log10 of two
    // neighbouring doubles near 1e300 is one double): every point's unit position was NaN.
    rejects(() -> Parameter.oneMinusLog("beta", 0, 1e-17), "'beta'", "lo = 0 and hi = 1e-17", "one_minus_log");
    rejects(() -> Parameter.logUniform("big", 1e300, Math.nextUp(1e300)), "'big'", "lo = 1e300 and", "log");
  }

  @Test
  void invalidSpacesAreClearErrors() {
    rejects(() -> SearchSpace.of(), "at least one parameter");
    // A bad condition names the parameter it was put on, not only its parent.
    rejects(() -> Parameter.uniform("b", 0, 1).when("opt"), "'b'", "'opt'", "at least one value");
    rejects(() -> Parameter.uniform("b", 0, 1).when(" ", "adam"), "'b'", "' '");
    // A null value was a bare NullPointerException from List.of, naming nothing.
    rejects(() -> Parameter.uniform("b", 0, 1).when("opt", "adam", null), "'b'", "'opt'", "null value");
    rejects(() -> Parameter.uniform("b", 0, 1).when("opt", (String[]) null), "'b'", "'opt'", "at least one value");
    rejects(() -> new Condition("opt", java.util.Arrays.asList("adam", null)), "'opt'", "null value");
    assertEquals(List.of("adam"), new Condition("opt", List.of("adam")).values());
    rejects(() -> SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.uniform("x", 0, 2)), "'x'", "twice");
    rejects(() -> SearchSpace.of(Parameter.uniform("b", 0, 1).when("opt", "adam")), "'b'", "'opt'");
    // A misspelled parent is not in the space at all, and said so with the name meant; one declared
    // later, or the parameter itself, is said so (both were "must be a categorical parameter declared before it").
    rejects(() -> SearchSpace.parse("lr = log(1e-4, 1)\noptimizer = categorical(adam, momentum)\n"
        + "beta2 = one_minus_log(0.99, 0.999) if optimzer = adam"), "'beta2'", "condition parent 'optimzer' is not a parameter "
        + "of the space; did you mean 'optimizer'?");
    rejects(() -> SearchSpace.parse("lr = log(1e-4, 1)\nbeta2 = one_minus_log(0.99, 0.999) if zzz = adam"), "'beta2'",
        "condition parent 'zzz' is not a parameter of the space (lr, beta2)");
    rejects(() -> SearchSpace.of(
        Parameter.uniform("b", 0, 1).when("opt", "adam"), Parameter.categorical("opt", "sgd", "adam")),
        "'b'", "condition parent 'opt' is declared after it: declare it first");
    rejects(() -> SearchSpace.of(Parameter.categorical("opt", "sgd", "adam").when("opt", "adam")), "'opt'",
        "condition parent 'opt' is the parameter itself");
    rejects(() -> SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.uniform("b", 0, 1).when("x", "1")),
        "'b'", "'x'", "not categorical");
    rejects(() -> SearchSpace.of(
        Parameter.categorical("opt", "sgd", "adam"), Parameter.uniform("b", 0, 1).when("opt", "rmsprop")),
        "'b'", "'rmsprop'", "[sgd, adam]");
  }

  /** A malformed line of the text form is named whole, with what is wrong in it. */
  @Test
  void malformedSpecLinesAreNamedWithTheirFault() {
    rejects(() -> SearchSpace.parse("lr = log(a, 1)"), "'lr = log(a, 1)'", "'a' is not a number");
    rejects(() -> SearchSpace.parse("units = int(1.5, 8)"), "'units = int(1.5, 8)'", "'1.5' is not an integer");
    // A whole number past the int range is out of range, not "not an integer".
    rejects(() -> SearchSpace.parse("units = int(1, 3000000000)"), "'units = int(1, 3000000000)'", "'3000000000'", "2147483647");
    rejects(() -> SearchSpace.parse("lr = log(1e-3)"), "'lr = log(1e-3)'", "takes 2 numbers, got 1");
    rejects(() -> SearchSpace.parse("lr = loggy(1, 2)"), "unknown kind 'loggy'");
    rejects(() -> SearchSpace.parse("lr = log(1e-4, 1)\nlr log(1, 2)"), "line 2", "'lr log(1, 2)'", "name = kind(args)");
    rejects(() -> SearchSpace.parse("x = fixed(a b)"), "'x'", "'a b'");
  }

  /**
   * A trailing comma (a choice or number left out) was dropped by split, so "categorical(relu,
   * tanh, )" was two choices, while "categorical(relu, , tanh)" was refused.
   */
  @Test
  void anArgumentLeftOutAtTheEndIsRefusedAsInTheMiddle() {
    for (String line : List.of("act = categorical(relu, tanh, )", "act = categorical(relu, tanh,)", "lr = log(1e-4, 1,)",
        "n = int(1, 8, )", "e = fixed(30,)")) {
      rejects(() -> SearchSpace.parse("x = uniform(0, 1)\n" + line), "line 2", "'" + line + "'", "empty argument");
    }
    rejects(() -> SearchSpace.parse("act = categorical(relu, , tanh)"), "'act = categorical(relu, , tanh)'", "empty argument");
    assertEquals(0, SearchSpace.parse("e = fixed(30)").get(0).spec().indexOf("e = fixed(30)"));
  }

  @Test
  void specRoundTrips() {
    SearchSpace s = Spaces.everyKind();
    SearchSpace back = SearchSpace.parse(s.spec());
    assertEquals(s, back);
    assertEquals(s.spec(), back.spec());
  }

  /**
   * Every space reads back from its spec unchanged, value types included: fixed text that looks like
   * a number (or is quoted) stays text, and integer bounds reach Integer.MIN_VALUE.
   */
  @Test
  void everySpaceSurvivesItsSpecWithItsValueTypes() {
    SearchSpace s = SearchSpace.of(
        Parameter.fixed("decay", "1e-3"), Parameter.fixed("epochs", "30"), Parameter.fixed("flag", "true"),
        Parameter.fixed("nan", "NaN"), Parameter.fixed("f", "1f"), Parameter.fixed("plus", "+5"),
        Parameter.fixed("quoted", "\"30\""), Parameter.fixed("act", "relu"),
        Parameter.fixed("n", 30), Parameter.fixed("x", 30.0), Parameter.fixed("y", 1e-3), Parameter.fixed("z", -0.0),
        Parameter.categorical("c", "1e-3", "30", "adam"),
        Parameter.intUniform("low", Integer.MIN_VALUE, 0), Parameter.intUniform("high", 0, Integer.MAX_VALUE),
        Parameter.intLog("units", 1, Integer.MAX_VALUE), Parameter.uniform("wide", -Double.MAX_VALUE / 2, Double.MAX_VALUE / 2),
        Parameter.logUniform("tiny", Double.MIN_VALUE, 1), Parameter.oneMinusLog("beta", -1e300, 0.999));
    SearchSpace back = SearchSpace.parse(s.spec());
    assertEquals(s, back);
    assertEquals(s.spec(), back.spec());
    for (int i = 0; i < s.size(); i++) {
      if (s.get(i) instanceof FixedParameter f) assertEquals(f.value(), ((FixedParameter) back.get(i)).value(), f.name());
    }
    assertEquals(s, SearchSpace.parse(back.spec()));
  }

  /**
   * A space built in code shows numbers as a user writes them (it printed Java's forms: log(1.0E-4,
   * 0.3), uniform(0.0, 0.5)): no exponent in capitals, no ".0" on a float bound; a fixed float keeps
   * its ".0" or exponent, so that it still reads back as a float and not an integer. (A space read
   * from text keeps the text's numbers: TypedNumbersTest.)
   */
  @Test
  void specsPrintNumbersAsAUserWritesThem() {
    String spec = """
        lr = log(1e-4, 0.3)
        dropout = uniform(0, 0.5)
        beta = one_minus_log(0.9, 0.999)
        w = uniform(-1e7, 2.5e-8)
        big = log(1, 1.5e300)
        f = fixed(1e-4)
        g = fixed(30.0)
        h = fixed(-0.0)
        k = fixed(1e20)
        """;
    SearchSpace built = SearchSpace.of(Parameter.logUniform("lr", 1e-4, 0.3), Parameter.uniform("dropout", 0, 0.5),
        Parameter.oneMinusLog("beta", 0.9, 0.999), Parameter.uniform("w", -1e7, 2.5e-8), Parameter.logUniform("big", 1, 1.5e300),
        Parameter.fixed("f", 1e-4), Parameter.fixed("g", 30.0), Parameter.fixed("h", -0.0), Parameter.fixed("k", 1e20));
    assertEquals(spec, built.spec());
    assertEquals(spec, SearchSpace.parse(spec).spec());
  }

  /**
   * Whatever the form, a bound or fixed value of a space built in code reads back from its spec as
   * the very same double (a journal keeps only the spec: a bound that moved by an ulp would be
   * another space on resume).
   */
  @Test
  void specNumbersReadBackBitForBit() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int k = 0; k < 20_000; k++) {
      // Random bits cover every exponent; a few short decimals and integers as users write them.
      double lo = switch (k % 3) {
        case 0 -> Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE);
        case 1 -> r.nextInt(-1000, 1000) / 100.0;
        default -> (double) r.nextInt();
      };
      if (!Double.isFinite(lo) || lo == 0) continue;
      double hi = Math.nextUp(Math.abs(lo)) * 4;
      if (!Double.isFinite(hi)) continue;
      FloatParameter p = (FloatParameter) SearchSpace.parse(Parameter.logUniform("x", Math.abs(lo), hi).spec()).get(0);
      assertEquals(Double.doubleToLongBits(Math.abs(lo)), Double.doubleToLongBits(p.lo()), p.spec());
      assertEquals(Double.doubleToLongBits(hi), Double.doubleToLongBits(p.hi()), p.spec());
      Object back = ((FixedParameter) SearchSpace.parse(Parameter.fixed("f", lo).spec()).get(0)).value();
      assertEquals(Double.valueOf(lo), back, Parameter.fixed("f", lo).spec());
    }
  }

  /** Specs written before text was quoted read as they did; a quoted value is text. */
  @Test
  void fixedValuesReadAsBeforeAndQuotedOnesAreText() {
    SearchSpace s = SearchSpace.parse("""
        a = fixed(30)
        b = fixed(1e-3)
        c = fixed(relu)
        d = fixed("30")
        e = fixed("relu")
        """);
    assertEquals(List.of(30, 1e-3, "relu", "30", "relu"),
        s.parameters().stream().map(p -> ((FixedParameter) p).value()).toList());
  }

  /** A kind in capitals was "not of the form 'name = kind(args)'", which it is: an unknown kind, the kinds listed. */
  @Test
  void aKindInCapitalsIsAnUnknownKind() {
    rejects(() -> SearchSpace.parse("x = UNIFORM(0, 1)"), "unknown kind 'UNIFORM' (uniform, log,");
  }

  /**
   * Choices and condition values may be quoted as fixed's words are (categorical("relu", "tanh"), as
   * Python writes it): the quotes were kept, and the choice '"relu"' was one the MLP does not know.
   */
  @Test
  void quotedChoicesAndConditionValuesAreTheirWords() {
    SearchSpace s = SearchSpace.parse("""
        optimizer = categorical("adam", momentum)
        beta1 = one_minus_log(1e-2, 1e-1) if optimizer = "adam"
        """);
    assertEquals(List.of("adam", "momentum"), ((CategoricalParameter) s.parameters().get(0)).choices());
    assertEquals(List.of("adam"), s.parameters().get(1).condition().values());
    assertEquals(SearchSpace.parse("optimizer = categorical(adam, momentum)\nbeta1 = one_minus_log(1e-2, 1e-1) if optimizer = adam"), s);
    rejects(() -> SearchSpace.parse("a = categorical(\"\", b)"), "'a'", "got ''");
  }

  /**
   * A journal written before text was quoted may hold "30" for a space stored as fixed(30): a fixed
   * number takes its own text form, so such a study opens with the number.
   */
  @Test
  void aFixedNumberTakesItsOwnTextForm() {
    assertEquals(30, Parameter.fixed("epochs", 30).coerce("30"));
    assertEquals(1e-3, Parameter.fixed("decay", 1e-3).coerce("1e-3"));
    assertEquals("30", Parameter.fixed("epochs", "30").coerce(30));
    rejects(() -> Parameter.fixed("epochs", 30).coerce("31"), "'epochs'", "31");
    rejects(() -> Parameter.fixed("act", "relu").coerce("tanh"), "'act'", "tanh");
  }

  @Test
  void aSemicolonInACommentIsPartOfTheComment() {
    assertEquals(1, SearchSpace.parse("lr = log(1e-4, 1)  # 1e-4 to 1; log scale").size());
    assertEquals(1, SearchSpace.parse("lr = log(1e-4, 1)  # was: x; dropout = uniform(0, 0.5)").size());
    assertEquals(2, SearchSpace.parse("lr = log(1e-4, 1); dropout = uniform(0, 0.5)  # two; not three").size());
    // Errors name the line, counting blank and comment lines, whatever ';' splits it.
    rejects(() -> SearchSpace.parse("lr = log(1e-4, 1)\n\n# a; b\nx = uniform(0, 1); y = uniform(1, 0)"),
        "line 4", "'y'", "lo = 1, hi = 0 (");
    rejects(() -> SearchSpace.parse("a = uniform(0, 1)\nb = int(1, x)"), "line 2", "'x' is not a number");
  }

  /**
   * The README: "An error in the text names its line". Errors only the whole space can see (a
   * name declared twice, a condition's parent or value) named the parameter but not the line.
   */
  @Test
  void spaceLevelErrorsInTheTextNameTheirLine() {
    String start = "lr = log(1e-4, 1)\n# a comment\noptimizer = categorical(sgd, adam)\n";
    rejects(() -> SearchSpace.parse(start + "beta2 = one_minus_log(0.99, 0.9999) if optimizer = adma"),
        "line 4", "'beta2'", "'adma'");
    rejects(() -> SearchSpace.parse(start + "\nlr = uniform(0, 1)"), "line 5", "'lr' is declared twice");
    rejects(() -> SearchSpace.parse(start + "x = uniform(0, 1) if lr = adam"), "line 4", "'x'", "not categorical");
    rejects(() -> SearchSpace.parse(start + "x = uniform(0, 1) if optimiser = adam"), "line 4", "'x'", "'optimizer'");
    rejects(() -> SearchSpace.parse("x = uniform(0, 1) if optimizer = adam\n" + start), "line 1", "'x'", "declare it first");
    rejects(() -> SearchSpace.parse(start + "a = fixed(1); b = uniform(0, 1) if lr = adam"), "line 4", "'b'");
  }

  /**
   * A condition's list with a value left out ("adam |", a second value forgotten) was taken as the
   * values that were there: Java's split drops trailing empty strings.
   */
  @Test
  void aConditionWithAValueLeftOutIsRefused() {
    String start = "optimizer = categorical(sgd, adam, momentum)\n";
    for (String values : List.of("adam |", "adam | ", "adam ||", "adam || sgd", "{adam, }", "| adam")) {
      rejects(() -> SearchSpace.parse(start + "beta2 = uniform(0, 1) if optimizer = " + values),
          "line 2", "'beta2", "empty value");
    }
    assertEquals(List.of("adam", "sgd"), SearchSpace.parse(start + "b = uniform(0, 1) if optimizer = adam|sgd").get(1).condition().values());
  }

  @Test
  void parsesTheDocumentedForm() {
    SearchSpace s = SearchSpace.parse("""
        # a comment
        lr = log(1e-4, 1)   # learning rate
        optimizer = categorical(sgd, adam)
        beta2 = one_minus_log(0.99, 0.9999) if optimizer = adam
        epochs = fixed(30); dropout = uniform(0, 0.5)
        """);
    assertEquals(5, s.size());
    assertEquals(Scale.LOG, s.get(0).scale());
    assertEquals("optimizer", s.get(2).condition().parent());
    assertEquals(30, ((FixedParameter) s.get(3)).value());
    rejects(() -> SearchSpace.parse("lr = lgo(1, 2)"), "'lgo'");
    rejects(() -> SearchSpace.parse("lr = log(1, 2, 3)"), "2 numbers");
    rejects(() -> SearchSpace.parse("lr log 1 2"), "line 1");
  }

  /** The widest linear range accepted keeps its endpoints exact. */
  @Test
  void aWideLinearRangeKeepsItsEndpoints() {
    FloatParameter w = Parameter.uniform("w", -Double.MAX_VALUE / 2, Double.MAX_VALUE / 2);
    assertEquals(-Double.MAX_VALUE / 2, w.valueAt(0));
    assertEquals(0.0, w.valueAt(0.5));
    assertEquals(Double.MAX_VALUE / 2, w.valueAt(1));
    assertEquals(1.0, w.unitOf(Double.MAX_VALUE / 2));
  }

  @Test
  void unitPositionsRoundTrip() {
    FloatParameter lr = Parameter.logUniform("lr", 1e-4, 1);
    assertEquals(1e-4, lr.valueAt(0), 0);
    assertEquals(1, lr.valueAt(1), 0);
    assertEquals(1e-2, lr.valueAt(0.5), 1e-15); // the middle of the exponent range
    FloatParameter beta = Parameter.oneMinusLog("beta", 0.9, 0.999);
    assertEquals(0.9, beta.valueAt(0), 1e-15);
    assertEquals(0.999, beta.valueAt(1), 1e-15);
    assertEquals(0.99, beta.valueAt(0.5), 1e-15);
    for (double u = 0; u <= 1; u += 0.01) {
      // log10 and pow round to within a few ulps of the exponent range, scaled back to [0, 1].
      assertEquals(u, lr.unitOf(lr.valueAt(u)), 1e-14);
      assertEquals(u, beta.unitOf(beta.valueAt(u)), 1e-12);
    }
    IntParameter units = Parameter.intLog("units", 16, 512);
    for (int v = 16; v <= 512; v++) assertEquals(v, units.valueAt(units.unitOf(v)));
    CategoricalParameter opt = Parameter.categorical("opt", "a", "b", "c");
    for (int i = 0; i < 3; i++) assertEquals(i, opt.indexAt(opt.unitOfIndex(i)));
  }

  @Test
  void conditionalParametersAreActiveOnlyUnderTheirParentValues() {
    SearchSpace s = Spaces.everyKind();
    Point adam = s.pointFromValues(Map.of("lr", 0.01, "beta1", 0.9, "dropout", 0.1, "layers", 2,
        "units", 64, "optimizer", "adam", "beta2", 0.999));
    assertTrue(adam.isActive("beta2"));
    assertFalse(adam.isActive("momentum"));
    assertEquals(30, adam.getInt("epochs"));
    assertTrue(Double.isNaN(adam.unit(s.indexOf("momentum"))));
    rejects(() -> adam.get("momentum"), "'momentum'", "not active");
    rejects(() -> s.pointFromValues(Map.of("lr", 0.01, "beta1", 0.9, "dropout", 0.1, "layers", 2,
        "units", 64, "optimizer", "sgd", "beta2", 0.999)), "'beta2'", "inactive");
    rejects(() -> s.pointFromValues(Map.of("lr", 5.0)), "'lr'", "value 5 is outside [");
    rejects(() -> s.pointFromValues(Map.of("nope", 1)), "'nope'");
  }

  /**
   * isActive of a name the space does not have (a typo: "beta_2" for "beta2") said false, so an
   * objective's {@code if (trial.isActive("beta_2"))} silently never applied the parameter; get
   * already refused such a name.
   */
  @Test
  void isActiveOfAnUnknownNameIsAnErrorAsGetIs() {
    SearchSpace s = Spaces.everyKind();
    Point sgd = s.pointFromValues(Map.of("lr", 0.01, "beta1", 0.9, "dropout", 0.1, "layers", 2,
        "units", 64, "optimizer", "momentum", "momentum", 0.9));
    assertFalse(sgd.isActive("beta2"));
    assertTrue(sgd.isActive("momentum"));
    rejects(() -> sgd.isActive("beta_2"), "unknown parameter 'beta_2'", "did you mean 'beta2'?");
    rejects(() -> sgd.get("beta_2"), "unknown parameter 'beta_2'", "did you mean 'beta2'?");
  }

  /**
   * An objective reads its parameters with typed getters: a categorical of numbers ("32", "64")
   * and a fixed value given as text convert, a float that is not whole is no integer, and what
   * cannot convert is an error that names the parameter and its value.
   */
  @Test
  void typedGettersConvertWhatTheyCanAndNameWhatTheyCannot() {
    SearchSpace s = SearchSpace.of(Parameter.uniform("dropout", 0, 1), Parameter.intUniform("layers", 1, 4),
        Parameter.categorical("batch", "32", "64"), Parameter.categorical("opt", "adam", "sgd"),
        Parameter.fixed("epochs", 30.0), Parameter.fixed("decay", "1e-3"));
    Point p = s.pointFromValues(Map.of("dropout", 0.25, "layers", 3, "batch", "64", "opt", "adam"));
    assertEquals(0.25, p.getDouble("dropout"));
    assertEquals(3, p.getInt("layers"));
    assertEquals(3.0, p.getDouble("layers"));
    assertEquals(64, p.getInt("batch"));
    assertEquals(64.0, p.getDouble("batch"));
    assertEquals(30, p.getInt("epochs"));
    assertEquals(1e-3, p.getDouble("decay"));
    assertEquals("adam", p.getString("opt"));
    assertEquals("3", p.getString("layers"));
    rejects(() -> p.getInt("dropout"), "'dropout'", "0.25", "not an integer");
    rejects(() -> p.getInt("decay"), "'decay'", "1e-3", "not an integer");
    rejects(() -> p.getInt("opt"), "'opt'", "'adam'", "not an integer");
    rejects(() -> p.getDouble("opt"), "'opt'", "'adam'", "not a number");
    rejects(() -> p.getDouble("nope"), "unknown parameter 'nope'");
    // The int range's ends are integers; past them is out of range, not "not an integer".
    SearchSpace ends = SearchSpace.of(Parameter.fixed("min", (double) Integer.MIN_VALUE), Parameter.fixed("big", 1e10));
    Point q = ends.pointFromValues(Map.of());
    assertEquals(Integer.MIN_VALUE, q.getInt("min"));
    rejects(() -> q.getInt("big"), "'big'", "1.0E10", "outside the int range");
  }
}
