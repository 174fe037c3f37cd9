package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.caviar.search.Spaces;

/**
 * A point survives the way storages keep it, its values by name as JSON, read back through
 * {@link SearchSpace#pointFromValues}: the same values of the same types, the same unit positions
 * (which samplers learn from), and the same parameters active. Points are drawn anywhere in the
 * unit cube, ends included, of a space with every kind of parameter and conditions.
 */
class PointRoundTripProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SearchSpace SPACE = SearchSpace.of(
      Parameter.logUniform("lr", 1e-5, 0.5),
      Parameter.oneMinusLog("beta1", 0.9, 0.999),
      Parameter.uniform("dropout", -0.25, 0.5),
      Parameter.intUniform("layers", -3, 3),
      Parameter.intLog("units", 16, 512),
      Parameter.categorical("batch", "32", "64", "128"),
      Parameter.categorical("optimizer", "sgd", "momentum", "adam"),
      Parameter.oneMinusLog("beta2", 0.99, 0.9999).when("optimizer", "adam"),
      Parameter.categorical("schedule", "none", "cosine").when("optimizer", "adam", "momentum"),
      Parameter.uniform("warmup", 0, 10).when("schedule", "cosine"),
      Parameter.fixed("epochs", 30),
      Parameter.fixed("decay", 1e-4),
      Parameter.fixed("tag", "1e-3"));

  @Property(tries = 500)
  void aPointSurvivesItsValuesAsJson(@ForAll @Size(13) java.util.List<@DoubleRange(min = 0, max = 1) Double> unit,
      @ForAll boolean ends) throws Exception {
    double[] u = new double[unit.size()];
    for (int i = 0; i < u.length; i++) u[i] = ends ? Math.rint(unit.get(i)) : unit.get(i);
    for (SearchSpace space : new SearchSpace[] {SPACE, Spaces.everyKind()}) {
      Point p = space.pointFromUnit(java.util.Arrays.copyOf(u, space.size()));
      String text = JSON.writeValueAsString(p.asMap());
      Point back = space.pointFromValues(JSON.readValue(text, new TypeReference<Map<String, Object>>() {}));
      assertEquals(p, back, text);
      assertArrayEquals(p.units(), back.units(), text);
      for (int i = 0; i < space.size(); i++) {
        if (p.value(i) != null) assertEquals(p.value(i).getClass(), back.value(i).getClass(), space.get(i) + ": " + text);
      }
    }
  }
}
