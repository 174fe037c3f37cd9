package org.caviar.search.space;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.caviar.model.optim.Floats;

/**
 * Reads the text form of a search space: one parameter per line (or separated by ';'), '#' starts
 * a comment that runs to the end of the line (a ';' in it is part of it). An error names the line.
 *
 * <pre>
 * lr        = log(1e-4, 1)
 * beta1     = one_minus_log(0.9, 0.999)
 * units     = int_log(16, 512)
 * layers    = int(1, 3)
 * dropout   = uniform(0, 0.5)
 * optimizer = categorical(sgd, momentum, adam)
 * beta2     = one_minus_log(0.99, 0.9999) if optimizer = adam
 * epochs    = fixed(30)
 * </pre>
 *
 * A condition lists one or more parent values separated by '|'. A fixed value is a number, or text;
 * text in double quotes stays text even when it looks like a number ({@code fixed("1e-3")}).
 * {@link SearchSpace#spec()} writes this form, quoting such text, so a space and its value types
 * survive a round trip through a journal. Each number is written back as it was typed here (1e-3
 * stays 1e-3, not 0.001); a space's equality goes by the values, so the same space typed otherwise,
 * or stored by an older version in another form (1.0E-3, 0.001), is the same space.
 */
public final class SpaceSpec {
  private static final Pattern LINE = Pattern.compile(
      "([A-Za-z_][A-Za-z0-9_.\\-]*)\\s*=\\s*([A-Za-z_]+)\\s*\\(([^()]*)\\)\\s*"
          + "(?:if\\s+([A-Za-z_][A-Za-z0-9_.\\-]*)\\s*(?:=|in)\\s*(.+))?");

  private SpaceSpec() {}

  public static SearchSpace parse(String spec) {
    if (spec == null) throw new IllegalArgumentException("space spec is null");
    List<Parameter> params = new ArrayList<>();
    List<Integer> lineOf = new ArrayList<>();
    String[] lines = spec.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      // The comment goes first: a ';' in it separates nothing.
      int hash = lines[i].indexOf('#');
      String code = hash >= 0 ? lines[i].substring(0, hash) : lines[i];
      for (String raw : code.split(";")) {
        String entry = raw.strip();
        if (entry.isEmpty()) continue;
        try {
          params.add(entry(entry));
          lineOf.add(i + 1);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("space spec line " + (i + 1) + ": " + e.getMessage(), e);
        }
      }
    }
    try {
      return SearchSpace.of(params);
    } catch (IllegalArgumentException e) {
      // A name declared twice, or a condition's parent or value: only the space sees these. Each
      // concerns the first parameter whose check fails, and depends only on those before it, so
      // the shortest failing prefix ends at its line.
      for (int k = 1; k <= params.size(); k++) {
        try {
          SearchSpace.of(params.subList(0, k));
        } catch (IllegalArgumentException atK) {
          throw new IllegalArgumentException("space spec line " + lineOf.get(k - 1) + ": " + e.getMessage(), e);
        }
      }
      throw e;
    }
  }

  private static Parameter entry(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + line + "' is not of the form 'name = kind(args) [if parent = value | value]'");
    }
    Parameter p = parameter(m.group(1), m.group(2), m.group(3), line);
    if (m.group(4) != null) {
      String values = m.group(5).strip();
      if (values.startsWith("{") && values.endsWith("}")) values = values.substring(1, values.length() - 1);
      String[] list = Arrays.stream(values.split("[|,]", -1)).map(String::strip).map(SpaceSpec::unquoted).toArray(String[]::new);
      // Kept with -1: split drops trailing empty strings, so "adam |" (a value forgotten) read as adam.
      if (Arrays.asList(list).contains("")) {
        throw new IllegalArgumentException("parameter '" + m.group(1) + "': the condition '" + m.group(5).strip()
            + "' has an empty value (give each value between '|' once)");
      }
      p = p.when(m.group(4), list);
    }
    return p;
  }

  private static Parameter parameter(String name, String kind, String argText, String line) {
    // -1 keeps a trailing empty argument, which split would drop: "categorical(relu, tanh,)" was
    // taken as two choices, where "categorical(relu, , tanh)" was refused.
    String[] args = argText.isBlank() ? new String[0] : argText.split(",", -1);
    for (int i = 0; i < args.length; i++) {
      args[i] = args[i].strip();
      if (args[i].isEmpty()) throw new IllegalArgumentException("'" + line + "': an empty argument (a value left out?)");
    }
    return switch (kind) {
      // Each number keeps its text (args are stripped): the spec writes back what the user typed.
      case "uniform" -> floats(name, args, Scale.LINEAR, line);
      case "log" -> floats(name, args, Scale.LOG, line);
      case "one_minus_log" -> floats(name, args, Scale.ONE_MINUS_LOG, line);
      case "int" -> new IntParameter(name, integer(args, 0, 2, line), integer(args, 1, 2, line), args[0], args[1], Scale.LINEAR, null);
      case "int_log" -> new IntParameter(name, integer(args, 0, 2, line), integer(args, 1, 2, line), args[0], args[1], Scale.LOG, null);
      // Quoted as fixed's words are ("relu", as Python writes it): the quotes were kept, and "relu"
      // with them was a choice the MLP does not know.
      case "categorical" -> Parameter.categorical(name, Arrays.stream(args).map(SpaceSpec::unquoted).toArray(String[]::new));
      case "fixed" -> {
        if (args.length != 1) throw new IllegalArgumentException("'" + line + "': fixed takes one value");
        yield new FixedParameter(name, fixedValue(args[0]), args[0], null);
      }
      default -> throw new IllegalArgumentException("'" + line + "': unknown kind '" + kind
          + "' (uniform, log, one_minus_log, int, int_log, categorical, fixed)");
    };
  }

  private static FloatParameter floats(String name, String[] args, Scale scale, String line) {
    return new FloatParameter(name, number(args, 0, 2, line), number(args, 1, 2, line), args[0], args[1], scale, null);
  }

  private static double number(String[] args, int i, int count, String line) {
    if (args.length != count) {
      throw new IllegalArgumentException("'" + line + "': takes " + count + " numbers, got " + args.length);
    }
    try {
      return Double.parseDouble(args[i]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + line + "': '" + args[i] + "' is not a number", e);
    }
  }

  private static int integer(String[] args, int i, int count, String line) {
    double d = number(args, i, count, line);
    if (d != Math.rint(d)) throw new IllegalArgumentException("'" + line + "': '" + args[i] + "' is not an integer");
    if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'" + line + "': '" + args[i] + "' is outside the integers' range ["
          + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]");
    }
    return (int) d;
  }

  /**
   * A double as a user writes it in a spec, and as short as reads back to the very same double:
   * Java's shortest form (which {@link Double#parseDouble} reads back exactly) without its ".0" and
   * with a small "e", so 1e-4, 0.3, 1, 2.5e300.
   */
  static String number(double v) {
    return Floats.text(v);
  }

  /**
   * A number's text as typed, and what it read as where that is not a number (1e999 is Infinity):
   * "must be finite, got 1e999" alone would puzzle.
   */
  static String asRead(String typed, double v) {
    return Double.isFinite(v) || typed.equals(number(v)) ? typed : typed + " (" + number(v) + ")";
  }

  private static boolean isQuoted(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"");
  }

  /** {@code s} without the double quotes around it, if it has them (a choice, a condition's value, a fixed word). */
  private static String unquoted(String s) {
    return isQuoted(s) ? s.substring(1, s.length() - 1) : s;
  }

  /**
   * The value of {@code fixed(s)}: text in double quotes is that text; otherwise an Integer, a
   * Double, or the text itself, as specs written before quoting are read.
   */
  static Object fixedValue(String s) {
    if (isQuoted(s)) return unquoted(s);
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException notInt) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException notDouble) {
        return s;
      }
    }
  }
}
