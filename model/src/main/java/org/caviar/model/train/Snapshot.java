package org.caviar.model.train;

import java.util.ArrayList;
import java.util.List;
import org.caviar.model.Network;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.StateTensor;

/** A copy of some live arrays, allocated once, that can be refreshed and put back. */
final class Snapshot {
  private final float[][] live;
  private final float[][] copy;

  Snapshot(List<float[]> arrays) {
    live = arrays.toArray(new float[0][]);
    copy = new float[live.length][];
    for (int i = 0; i < live.length; i++) copy[i] = live[i].clone();
  }

  /** Of every parameter and state tensor of {@code network}. */
  static Snapshot ofEverything(Network network) {
    List<float[]> arrays = new ArrayList<>();
    for (Parameter p : network.parameters()) arrays.add(p.values());
    for (StateTensor s : network.state()) arrays.add(s.values());
    return new Snapshot(arrays);
  }

  /** Of the state tensors of {@code network}: batch norm's running statistics. */
  static Snapshot ofState(Network network) {
    List<float[]> arrays = new ArrayList<>();
    for (StateTensor s : network.state()) arrays.add(s.values());
    return new Snapshot(arrays);
  }

  void save() {
    for (int i = 0; i < live.length; i++) System.arraycopy(live[i], 0, copy[i], 0, live[i].length);
  }

  void restore() {
    for (int i = 0; i < live.length; i++) System.arraycopy(copy[i], 0, live[i], 0, live[i].length);
  }
}
