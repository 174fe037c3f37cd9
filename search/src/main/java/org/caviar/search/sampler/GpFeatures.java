package org.caviar.search.sampler;

import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.SearchSpace;

/**
 * How the Gaussian process sees a point: numeric parameters by their unit position (so a log
 * parameter is modelled on its log scale), categorical ones one-hot, fixed ones not at all.
 *
 * <p>One-hot rather than the categorical's unit position: choice i's position (i + 0.5) / k would
 * put "sgd" nearer "momentum" than "adam" only because of the order they were declared in; one-hot
 * puts every two choices at the same distance. All k columns of a categorical share one length
 * scale (a group), so it costs one hyperparameter like a numeric parameter.
 *
 * <p>Inactive conditional parameters have every feature at 0.5: the simplest honest choice. It keeps
 * points that differ only in parameters that do not apply to them at distance 0 from each other, at
 * the price of treating "inactive" as the middle of the range when compared to active points.
 */
final class GpFeatures {
  static final double INACTIVE = 0.5;

  private final SearchSpace space;
  private final int[] offset;
  /** Features of each parameter: 0 fixed, 1 numeric, k for a categorical with k choices. */
  private final int[] width;
  private final int[] groupOfFeature;
  private final int groups;

  GpFeatures(SearchSpace space) {
    this.space = space;
    offset = new int[space.size()];
    width = new int[space.size()];
    int features = 0;
    int g = 0;
    for (int i = 0; i < space.size(); i++) {
      offset[i] = features;
      width[i] = switch (space.get(i)) {
        case FixedParameter f -> 0;
        case CategoricalParameter c -> c.size();
        default -> 1;
      };
      features += width[i];
      if (width[i] > 0) g++;
    }
    groups = g;
    groupOfFeature = new int[features];
    g = 0;
    for (int i = 0; i < space.size(); i++) {
      if (width[i] == 0) continue;
      for (int f = 0; f < width[i]; f++) groupOfFeature[offset[i] + f] = g;
      g++;
    }
  }

  /** Features per point. */
  int count() {
    return groupOfFeature.length;
  }

  /** Length-scale groups: one per non-fixed parameter. */
  int groups() {
    return groups;
  }

  /** The length-scale group of each feature. */
  int[] groupOfFeature() {
    return groupOfFeature.clone();
  }

  /** Writes the features of unit positions {@code unit} (NaN for inactive) at {@code out[at..]}. */
  void encode(double[] unit, double[] out, int at) {
    for (int i = 0; i < unit.length; i++) {
      int o = at + offset[i];
      int w = width[i];
      if (w == 0) continue;
      double u = unit[i];
      if (Double.isNaN(u)) {
        for (int f = 0; f < w; f++) out[o + f] = INACTIVE;
      } else if (space.get(i) instanceof CategoricalParameter c) {
        int chosen = c.indexAt(u);
        for (int f = 0; f < w; f++) out[o + f] = f == chosen ? 1 : 0;
      } else {
        out[o] = u;
      }
    }
  }
}
