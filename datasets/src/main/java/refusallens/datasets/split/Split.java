package refusallens.datasets.split;

import java.util.Locale;

/** The three partitions of a dataset. */
public enum Split {
  TRAIN,
  VAL,
  TEST;

  /** The lower-case name used in file names and ids. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
