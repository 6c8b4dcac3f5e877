package refusallens.core.model;

/** Which positions a forward pass unembeds. */
public enum LogitScope {
  /** No unembedding: the pass stops after the deepest layer a caller needs (early exit). */
  NONE,
  /** Only each row's last slot (generation). */
  LAST,
  /** Every slot. */
  ALL
}
