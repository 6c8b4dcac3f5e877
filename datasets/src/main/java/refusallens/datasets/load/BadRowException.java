package refusallens.datasets.load;

/** A single record that cannot become a prompt (skippable with {@code skipBadRows}). */
public final class BadRowException extends RuntimeException {
  public BadRowException(String problem) {
    super(problem);
  }
}
