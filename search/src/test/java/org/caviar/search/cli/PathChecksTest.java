package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import org.junit.jupiter.api.Test;

/**
 * The trailing-separator check that train's and bench's run-quick's --out share (each says it in
 * its own words: TrainCommandTest.anOutEndingInASlashIsRefused, QuickRunTest).
 */
class PathChecksTest {
  @Test
  void aPathTypedWithATrailingSeparatorNamesAFolder() {
    assertTrue(PathChecks.endsWithSeparator("models/"));
    assertTrue(PathChecks.endsWithSeparator("/"));
    assertTrue(PathChecks.endsWithSeparator("models" + File.separator)); // '\' on Windows
    assertTrue(PathChecks.endsWithSeparator("a/b/"));
    assertFalse(PathChecks.endsWithSeparator("models"));
    assertFalse(PathChecks.endsWithSeparator("models/model.caviar"));
    assertFalse(PathChecks.endsWithSeparator("/tmp/m.caviar"));
    assertFalse(PathChecks.endsWithSeparator("")); // train's --out not given
  }
}
