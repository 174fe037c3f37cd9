package org.caviar.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import jdk.incubator.vector.FloatVector;

/** What a result depends on besides the code: processor, vector species, cores, JDK, peers. */
final class Machine {
  private Machine() {}

  /** The processor's model name from /proc/cpuinfo, or the architecture where there is none. */
  static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        List<String> lines = Files.readAllLines(cpuinfo);
        for (String line : lines) {
          if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        }
      } catch (IOException e) {
        // fall through to the architecture
      }
    }
    return System.getProperty("os.arch");
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String describe() {
    return "CPU: " + cpuModel()
        + " | species: " + FloatVector.SPECIES_PREFERRED
        + " | cores: " + cores()
        + " | JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")";
  }

  /** Library versions of this build, as Maven filled them into versions.properties. */
  static Properties versions() {
    Properties versions = new Properties();
    try (InputStream in = Machine.class.getResourceAsStream("versions.properties")) {
      if (in != null) versions.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return versions;
  }
}
