package org.caviar.model.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where some work allocates, from JFR's allocation events, for the message of a failed allocation
 * test: the bytes alone took three sessions to trace to the method that allocated them.
 */
final class AllocationSites {
  private AllocationSites() {}

  /**
   * Runs {@code work} under a JFR recording of allocation events and names the allocating sites:
   * the allocated class and the innermost frame of this project's code (org.caviar), most frequent
   * first. Events are samples (one per new TLAB or per allocation outside one), so the counts
   * rank the sites; they are not object counts.
   */
  static String during(Runnable work) {
    Path file = null;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
      recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
      recording.start();
      work.run();
      recording.stop();
      file = Files.createTempFile("allocation-sites", ".jfr");
      recording.dump(file);
      Map<String, Long> sites = new LinkedHashMap<>();
      for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
        if (event.getStackTrace() == null) continue;
        String frame = null;
        for (RecordedFrame f : event.getStackTrace().getFrames()) {
          String type = f.getMethod().getType().getName();
          if (type.startsWith("org.caviar.")) {
            frame = type + "." + f.getMethod().getName() + ":" + f.getLineNumber();
            break;
          }
        }
        // No frame of ours: another thread's allocation (JFR's own, say), not the work's. Innermost
        // frame this class: the recording's own stop (a new TLAB now and then), not the work's.
        if (frame != null && !frame.startsWith(AllocationSites.class.getName() + ".")) sites.merge(event.getClass("objectClass").getName() + " at " + frame, 1L, Long::sum);
      }
      if (sites.isEmpty()) return "no allocation events in org.caviar code recorded";
      return sites.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
          .limit(6)
          .map(e -> e.getValue() + " x " + e.getKey())
          .collect(Collectors.joining("; ", "allocation events (JFR): ", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) file.toFile().delete();
    }
  }
}
