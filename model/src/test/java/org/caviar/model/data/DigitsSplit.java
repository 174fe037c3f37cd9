package org.caviar.model.data;

/**
 * The split the model's tests (and its README) train on: the shipped digits, stratified 60% / 20%
 * / 20% with seed 42, standardized with statistics of the training part. Built once per JVM;
 * tests must not modify these datasets.
 */
public final class DigitsSplit {
  public static final Split RAW = Split.stratified(Datasets.digits(), 0.6, 0.2, 42);
  public static final Standardizer STANDARDIZER = Standardizer.fit(RAW.train());
  public static final Dataset TRAIN = STANDARDIZER.apply(RAW.train());
  public static final Dataset VALIDATION = STANDARDIZER.apply(RAW.validation());
  public static final Dataset TEST = STANDARDIZER.apply(RAW.test());

  private DigitsSplit() {}
}
