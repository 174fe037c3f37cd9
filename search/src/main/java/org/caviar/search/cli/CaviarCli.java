package org.caviar.search.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.caviar.model.data.MalformedDataException;
import org.caviar.model.io.MalformedModelException;
import org.caviar.search.objective.MlpSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code caviar} command: {@code tune}, {@code worker}, {@code train}, {@code evaluate} and {@code gradcheck}. */
@Command(name = "caviar", mixinStandardHelpOptions = true, version = "caviar 0.1.0",
    description = "Trains many small neural networks fast on the CPU and searches their hyperparameters.%n"
        + "Start with: " + CaviarCli.COMMAND_IN_HELP + " tune   (a search on the shipped digits set, with a report)",
    subcommands = {TuneCommand.class, WorkerCommand.class, TrainCommand.class, EvaluateCommand.class, GradcheckCommand.class,
        CommandLine.HelpCommand.class})
public final class CaviarCli implements Runnable {
  @Spec CommandSpec spec;

  /**
   * The system property in which the launcher passes how the user invoked caviar (e.g.
   * {@code ./caviar}, which is not on the PATH), so that the commands printed for the next step run
   * when pasted.
   */
  static final String COMMAND_PROPERTY = "caviar.command";
  static final String DEFAULT_COMMAND = "caviar";
  /** The same in help texts, where picocli reads the property when it prints them. */
  static final String COMMAND_IN_HELP = "${sys:" + COMMAND_PROPERTY + ":-" + DEFAULT_COMMAND + "}";

  /** How the user invoked caviar: the launcher's {@value #COMMAND_PROPERTY}, else {@value #DEFAULT_COMMAND}. */
  static String command() {
    String given = System.getProperty(COMMAND_PROPERTY);
    return given == null || given.isBlank() ? DEFAULT_COMMAND : given.strip();
  }

  /**
   * A command to print for the user to run: {@link #command()} and then {@code args}, each quoted
   * for a POSIX shell where it would be split or expanded (a path with a space, a network spec).
   */
  static String commandLine(Object... args) {
    StringBuilder sb = new StringBuilder(shellWord(command()));
    for (Object a : args) sb.append(' ').append(shellWord(String.valueOf(a)));
    return sb.toString();
  }

  /** {@code s} as one shell word: as it is when it is safe, else in single quotes. */
  static String shellWord(String s) {
    if (s.matches("[A-Za-z0-9_@%+=:,./-]+")) return s;
    return "'" + s.replace("'", "'\\''") + "'";
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Exit code of a failed check (every trial failed, a diverged model) or of a run that failed (a file or database error). */
  static final int FAILED = 1;
  /** Exit code of bad usage: an option or its value refused, or a file given that cannot be used as given. */
  static final int USAGE = 2;

  /** The exit codes, as every command's help lists them. */
  private static final Map<String, String> EXIT_CODES = new LinkedHashMap<>();

  static {
    EXIT_CODES.put("0", "Success.");
    EXIT_CODES.put(Integer.toString(FAILED), "A check failed (no trial of the study completed, a diverged model, the overfit "
        + "check), or the run did: a file or database error, a journal in use by another process or damaged.");
    EXIT_CODES.put(Integer.toString(USAGE), "Bad usage: an option or its value refused (with another study's stored one too), "
        + "a data file that does not read as the options describe it, or a model file that is not a Caviar model or is damaged.");
  }

  /** Runs the command line; the exit code is 0 on success, 1 when a check or the run fails, 2 on bad usage. */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output and error streams (for tests). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new CaviarCli());
    WorkerCommand.adjustOptions(cl.getSubcommands().get("worker").getCommandSpec());
    cl.setOut(out);
    cl.setErr(err);
    listExitCodes(cl);
    cl.getSubcommands().values().forEach(CaviarCli::listExitCodes);
    // Each command's help lists -V, --version: the root's version, which theirs printed as nothing.
    for (CommandLine sub : cl.getSubcommands().values()) sub.getCommandSpec().version(cl.getCommandSpec().version());
    // A mistyped option: one line and where the help is, not the whole usage (80 lines for tune).
    cl.setParameterExceptionHandler((thrown, given) -> {
      CommandLine c = thrown.getCommandLine();
      // A misspelled required option (--modle) is first reported missing: say what was mistyped.
      CommandLine.ParameterException e = thrown instanceof CommandLine.MissingParameterException ? unknownOptions(c, given, thrown) : thrown;
      String name = c.getCommandSpec().qualifiedName();
      String stray = strayArguments(e, given);
      c.getErr().println(name + ": " + (stray != null ? stray : withSuggestion(e.getMessage(), suggestion(e))));
      String sub = name.substring(c.getCommandSpec().root().name().length()).strip();
      c.getErr().println("see: " + (sub.isEmpty() ? commandLine("--help") : commandLine(sub, "--help")));
      c.getErr().flush();
      return USAGE;
    });
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof java.io.IOException
          || e instanceof java.io.UncheckedIOException) {
        line.getErr().println("caviar " + line.getCommandName() + ": " + describe(e));
        line.getErr().flush();
        return exitCode(e);
      }
      throw e;
    });
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError e) {
      // A network or batch larger than the heap: say so in one line rather than with a stack trace.
      // ./caviar passes no JVM options of its own; the java launcher reads JDK_JAVA_OPTIONS.
      long heap = Runtime.getRuntime().maxMemory();
      long twice = Math.max(1, (2 * heap + (1L << 30) - 1) >> 30);
      err.println("caviar: out of memory (" + e.getMessage() + "; the heap holds at most " + heap / (1 << 20)
          + " MB): use a smaller network or batch, or a larger heap: JDK_JAVA_OPTIONS=-Xmx" + twice + "g ./caviar ...");
      err.flush();
      code = FAILED;
    }
    out.flush();
    return code;
  }

  /**
   * {@link #USAGE} for what the command line can fix: every check of an option, or of a value or file
   * it names, throws IllegalArgumentException, a data file that does not parse is read with the
   * wrong options or is the wrong file, and a model file that does not is the wrong file (or a
   * damaged one: another must be given). Anything else that stops a run is {@link #FAILED}: a file or
   * database error (a full disk, an outage, credentials refused), or a journal locked by another
   * process or damaged (IllegalStateException, UncheckedIOException, IOException).
   */
  static int exitCode(Exception e) {
    return e instanceof IllegalArgumentException || e instanceof MalformedDataException || e instanceof MalformedModelException
        ? USAGE : FAILED;
  }

  /** The options in {@code given} that {@code c} does not know (each with the value after it), as picocli reports them; else {@code otherwise}. */
  private static CommandLine.ParameterException unknownOptions(CommandLine c, String[] given,
      CommandLine.ParameterException otherwise) {
    List<String> unknown = new java.util.ArrayList<>();
    for (int i = 0; i < given.length; i++) {
      String a = given[i];
      if (a.equals("--")) break;
      if (!a.startsWith("--")) continue;
      int eq = a.indexOf('=');
      if (c.getCommandSpec().findOption(eq < 0 ? a : a.substring(0, eq)) != null) continue;
      unknown.add(a);
      if (eq < 0 && i + 1 < given.length && !given[i + 1].startsWith("-")) unknown.add(given[++i]);
    }
    return unknown.isEmpty() ? otherwise : new CommandLine.UnmatchedArgumentException(c, unknown);
  }

  /** Where picocli's unmatched-argument message says the first one is: "at index 3", "from index 3". */
  private static final java.util.regex.Pattern UNMATCHED_INDEX = java.util.regex.Pattern.compile("^Unmatched arguments? (?:at|from) index (\\d+):");

  /**
   * For words that are neither options nor their values, as no command takes any other, what
   * they were taken for, or null for picocli's message: after a '--' (which makes "--trials"
   * an argument; picocli called it an unknown option and suggested --trials), or after an
   * option's value, as the rest of a value with spaces that was not quoted (picocli said
   * "Unmatched arguments from index 3").
   */
  private static String strayArguments(CommandLine.ParameterException e, String[] given) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) return null;
    List<String> words = u.getUnmatched();
    CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
    String command = spec.name();
    List<String> args = java.util.Arrays.asList(given);
    int dashes = args.indexOf("--");
    List<String> afterDashes = dashes < 0 ? List.of() : args.subList(dashes + 1, args.size());
    if (!afterDashes.isEmpty() && words.size() >= afterDashes.size()
        && words.subList(words.size() - afterDashes.size(), words.size()).equals(afterDashes)) {
      boolean one = afterDashes.size() == 1;
      return quote(afterDashes) + " after '--' " + (one ? "is an argument" : "are arguments") + ", not "
          + (spec.subcommands().isEmpty() ? (one ? "an option" : "options") : one ? "a command or an option" : "commands or options")
          + " ('--' ends the options), and " + command + " takes no arguments: leave out the '--'";
    }
    // A misspelled command, a misspelled option: picocli's message and suggestion say it.
    if (!spec.subcommands().isEmpty() || words.get(0).startsWith("-")) return null;
    java.util.regex.Matcher m = UNMATCHED_INDEX.matcher(String.valueOf(e.getMessage()));
    if (!m.find()) return null;
    int first = Integer.parseInt(m.group(1));
    if (first >= given.length || !given[first].equals(words.get(0))) return null;
    String quoted = quote(words);
    boolean one = words.size() == 1;
    String said = quoted + (one ? " is neither an option nor the value of one" : " are neither options nor values of one") + ", and "
        + command + " takes no other arguments";
    // The words right after an option's value: the rest of a value with spaces, unquoted?
    if (first < 2) return said;
    CommandLine.Model.OptionSpec option = spec.findOption(given[first - 2]);
    if (option == null || option.arity().max() != 1 || Number.class.isAssignableFrom(boxed(option.type()))) return said;
    String value = given[first - 1] + " " + String.join(" ", words.subList(0, countUntilOption(words)));
    if (value.contains("'")) return said;
    return said + "; if " + (one ? "it belongs" : "they belong") + " to the value of " + given[first - 2] + ", quote it whole: "
        + given[first - 2] + " '" + value + "'";
  }

  /** 'a', 'b' */
  private static String quote(List<String> words) {
    return String.join(", ", words.stream().map(w -> "'" + w + "'").toList());
  }

  /** The number of words before the first that looks like an option. */
  private static int countUntilOption(List<String> words) {
    int n = 0;
    while (n < words.size() && !words.get(n).startsWith("-")) n++;
    return n;
  }

  private static Class<?> boxed(Class<?> type) {
    return type == int.class || type == long.class || type == double.class || type == float.class || type == short.class
        || type == byte.class ? Number.class : type;
  }

  /** {@code message} and then {@code suggestion} ("; did you mean ..."), without a full stop between them. */
  private static String withSuggestion(String message, String suggestion) {
    return !suggestion.isEmpty() && message.endsWith(".") ? message.substring(0, message.length() - 1) + suggestion : message + suggestion;
  }

  /** picocli's help command's message for a command it does not know. */
  private static final java.util.regex.Pattern UNKNOWN_SUBCOMMAND = java.util.regex.Pattern.compile("^Unknown subcommand '([^']*)'");

  /** "; did you mean --trials?" for a misspelled option or command that picocli finds close names for, else "". */
  private static String suggestion(CommandLine.ParameterException e) {
    // 'help tun': picocli's help command says only "Unknown subcommand 'tun'."; the root's commands are the ones meant.
    java.util.regex.Matcher help = UNKNOWN_SUBCOMMAND.matcher(String.valueOf(e.getMessage()));
    if (!(e instanceof CommandLine.UnmatchedArgumentException) && help.find()) {
      CommandLine root = e.getCommandLine();
      while (root.getParent() != null) root = root.getParent();
      return suggestion(new CommandLine.UnmatchedArgumentException(root, List.of(help.group(1))));
    }
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)) return "";
    // A setting of the MLP given as an option of its own (--lr 0.1): the --param that gives it.
    List<String> unmatched = u.getUnmatched();
    String command = e.getCommandLine().getCommandName();
    if (!unmatched.isEmpty() && unmatched.get(0).startsWith("--") && !command.equals("evaluate") && !command.equals("gradcheck")) {
      String first = unmatched.get(0).substring(2);
      int eq = first.indexOf('=');
      String name = (eq < 0 ? first : first.substring(0, eq)).replace('-', '_');
      if (MlpSettings.NAMES.contains(name)) {
        if (command.equals("train")) {
          String value = eq >= 0 ? first.substring(eq + 1)
              : unmatched.size() > 1 && !unmatched.get(1).startsWith("-") ? unmatched.get(1) : "VALUE";
          return "; a setting is given as --param " + name + "=" + value;
        }
        return "; a parameter of the space is given as --param '" + name + " = ...' (see "
            + (command.equals("tune") ? "" : "tune ") + "--show-space)";
      }
    }
    // tune's --study given to train: picocli's closest name would be --storage.
    if (command.equals("train") && !unmatched.isEmpty() && unmatched.get(0).matches("--study(=.*)?")) return "; did you mean --from-study?";
    List<String> close = u.getSuggestions();
    if (close == null || close.isEmpty()) return "";
    return "; did you mean " + String.join(" or ", close.subList(0, Math.min(3, close.size()))) + "?";
  }

  /** Ends the command's help with the exit codes. */
  private static void listExitCodes(CommandLine c) {
    c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
  }

  /** A one-line message; file errors whose JDK message is only the path say what went wrong. */
  static String describe(Exception e) {
    if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
      // Its own message says what was being done ("cannot open journal ..."), unless it is only the cause's.
      String own = u.getMessage();
      String cause = describeOne(u.getCause());
      return own == null || own.equals(u.getCause().toString()) ? cause : own + ": " + cause;
    }
    return describeOne(e);
  }

  private static String describeOne(Throwable t) {
    if (t instanceof java.nio.file.NoSuchFileException f) return "no such file: " + f.getFile();
    if (t instanceof java.nio.file.AccessDeniedException f) return "permission denied: " + f.getFile();
    // Its message is only the path: a folder to create (a report's) where a file is, or a file to create that is there.
    if (t instanceof java.nio.file.FileAlreadyExistsException f && f.getReason() == null && f.getFile() != null) {
      java.nio.file.Path p = java.nio.file.Path.of(f.getFile());
      return f.getFile() + " exists" + (java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p) ? " and is not a folder" : "");
    }
    if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
