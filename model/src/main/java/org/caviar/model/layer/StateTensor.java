package org.caviar.model.layer;

/**
 * Non-trainable state that a saved model must carry, e.g. batch norm's running mean. The array is
 * the layer's live storage. Neither may be null (an IllegalArgumentException names it).
 */
public record StateTensor(String name, float[] values) {
  public StateTensor {
    // Taken, they were a NullPointerException far from here: at a Trainer's snapshot of the state, or a save.
    if (name == null) throw new IllegalArgumentException("name must not be null");
    if (values == null) throw new IllegalArgumentException("values of " + name + " must not be null");
  }
}
