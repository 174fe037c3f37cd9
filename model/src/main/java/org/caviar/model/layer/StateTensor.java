package org.caviar.model.layer;

/**
 * Non-trainable state that a saved model must carry, e.g. batch norm's running mean. The array is
 * the layer's live storage.
 */
public record StateTensor(String name, float[] values) {}
