package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./caviar} script's build step, on a copy of the script in a project of stand-ins: a
 * {@code mvnw} that logs each build and writes {@code search/target/caviar.jar} (a jar whose main
 * prints {@link #HELLO}, or one cut short as a stopped build leaves it) and a {@code bin/find-jdk}
 * that names this JVM's home. No Maven runs.
 */
class LauncherScriptTest {
  private static final String HELLO = "hello from the jar";

  @TempDir Path project;
  private Path builds;
  private Path mode;

  @BeforeEach
  void standIns() throws Exception {
    Path script = project.resolve("caviar");
    Files.copy(Path.of("..", "caviar"), script); // surefire runs in the module's folder
    script.toFile().setExecutable(true);
    Files.createDirectories(project.resolve("bin"));
    executable(project.resolve("bin/find-jdk"), "#!/bin/sh\necho '" + System.getProperty("java.home") + "'\n");
    for (String module : new String[] {"kernels", "model", "search"}) {
      Path source = Files.createDirectories(project.resolve(module).resolve("src/main/java")).resolve("A.java");
      Files.writeString(source, "class A {}\n");
      Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
    }
    Files.writeString(project.resolve("pom.xml"), "<project/>\n");
    Files.setLastModifiedTime(project.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    Path good = project.resolve("good.jar");
    helloJar(good);
    builds = project.resolve("builds.log");
    mode = project.resolve("mode");
    Files.writeString(mode, "ok\n");
    // "ok": the whole jar. "stop": the first 200 bytes of it, then the exit status of a build stopped by Ctrl-C.
    executable(project.resolve("mvnw"), """
        #!/bin/sh
        echo build >> builds.log
        sleep "${FAKE_BUILD_SECONDS:-0}"
        mkdir -p search/target
        if [ "$(cat mode)" = stop ]; then
          head -c 200 good.jar > search/target/caviar.jar
          exit 130
        fi
        cp good.jar search/target/caviar.jar
        """);
  }

  /**
   * A build stopped while it wrote the jar leaves the jar cut short, and newer than every source:
   * the next run took it as built and failed on it ("Invalid or corrupt jarfile"), and so did every
   * run after. Now the next run builds again.
   */
  @Test
  void aBuildStoppedWhileItWritesTheJarIsBuiltAgain() throws Exception {
    Files.writeString(mode, "stop\n");
    Run stopped = run();
    assertNotEquals(0, stopped.code(), stopped.out());
    Files.writeString(mode, "ok\n");
    Run next = run();
    assertEquals(0, next.code(), next.out());
    assertTrue(next.out().contains(HELLO + " tune"), next.out());
    assertEquals(2, buildCount(), next.out());
  }

  /** Maven writing its jar again later (a `./mvnw verify`, here a jar cut short) does not change what the script runs, nor make it build. */
  @Test
  void whatMavenWritesAfterTheBuildIsNotWhatRuns() throws Exception {
    Run first = run();
    assertEquals(0, first.code(), first.out());
    // The build's own files are gone: the copy's temporary name and its start-time marker.
    try (var files = Files.list(project.resolve("search/target/launch"))) {
      assertEquals(List.of("caviar.jar"), files.map(f -> f.getFileName().toString()).filter(n -> !n.equals(".lock")).toList());
    }
    Files.write(project.resolve("search/target/caviar.jar"), new byte[] {'P', 'K', 3, 4});
    Run second = run();
    assertEquals(0, second.code(), second.out());
    assertTrue(second.out().contains(HELLO), second.out());
    assertEquals(1, buildCount(), second.out());
  }

  /** A source newer than the jar the script runs is built; with none, the jar runs without a build. */
  @Test
  void onlyANewerSourceBuildsAgain() throws Exception {
    assertEquals(0, run().code());
    assertEquals(0, run().code());
    assertEquals(1, buildCount());
    Files.writeString(project.resolve("model/src/main/java/A.java"), "class A { int changed; }\n");
    Run changed = run();
    assertEquals(0, changed.code(), changed.out());
    assertTrue(changed.out().contains("caviar: building"), changed.out());
    assertEquals(2, buildCount(), changed.out());
  }

  /**
   * Two runs started together on a fresh clone (workers, say) build once: the second waits for the
   * first's build, then finds the jar fresh. Both built into the same folders at once before.
   */
  @Test
  void runsStartedTogetherBuildOnce() throws Exception {
    Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v flock").start().waitFor() == 0, "no flock on this machine");
    List<Process> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) runs.add(start(1));
    for (Process p : runs) {
      Run r = finish(p);
      assertEquals(0, r.code(), r.out());
      assertTrue(r.out().contains(HELLO), r.out());
    }
    assertEquals(1, buildCount());
  }

  private record Run(int code, String out) {}

  private Run run() throws Exception {
    return finish(start(0));
  }

  private Process start(int buildSeconds) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(project.resolve("caviar").toString(), "tune").directory(project.toFile()).redirectErrorStream(true);
    pb.environment().put("FAKE_BUILD_SECONDS", Integer.toString(buildSeconds));
    pb.environment().remove("JAVA_HOME");
    return pb.start();
  }

  private static Run finish(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script did not end: " + out);
    return new Run(p.exitValue(), out);
  }

  private long buildCount() throws IOException {
    return Files.exists(builds) ? Files.readAllLines(builds).size() : 0;
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    file.toFile().setExecutable(true);
  }

  /** A jar whose main prints {@link #HELLO} and its arguments. */
  private void helloJar(Path jar) throws IOException {
    Path src = Files.createDirectories(project.resolve("hello-src")).resolve("Hello.java");
    Files.writeString(src, "public class Hello { public static void main(String[] a) { System.out.println(\"" + HELLO
        + " \" + String.join(\" \", a)); } }\n");
    Path classes = Files.createDirectories(project.resolve("hello-classes"));
    assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Hello");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("Hello.class"));
      out.write(Files.readAllBytes(classes.resolve("Hello.class")));
      out.closeEntry();
    }
  }
}
