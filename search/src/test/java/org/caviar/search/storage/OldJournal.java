package org.caviar.search.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.caviar.search.space.SearchSpace;

/** Journal lines as the first journals were written (version 1, no settings, claims without threads), for tests that open old studies. */
final class OldJournal {
  private OldJournal() {}

  /** The study line, ended by its newline. */
  static String header(String name, String direction, long seed, SearchSpace space) throws JsonProcessingException {
    return "{\"op\":\"study\",\"version\":1,\"name\":\"" + name + "\",\"direction\":\"" + direction + "\",\"seed\":" + seed
        + ",\"space\":" + new ObjectMapper().writeValueAsString(space.spec()) + "}\n";
  }

  /** The study line, then trial 0 claimed at t 1000 with x1 1.5 and x2 2.5, complete at 3.0 at t 2000 (a Branin space's parameters). */
  static String withOneFinishedTrial(String name, String direction, long seed, SearchSpace space) throws JsonProcessingException {
    return header(name, direction, seed, space)
        + "{\"op\":\"claim\",\"trial\":0,\"t\":1000}\n"
        + "{\"op\":\"params\",\"trial\":0,\"params\":{\"x1\":1.5,\"x2\":2.5}}\n"
        + "{\"op\":\"finish\",\"trial\":0,\"state\":\"COMPLETE\",\"value\":3.0,\"t\":2000}\n";
  }
}
