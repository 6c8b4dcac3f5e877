package refusallens.service.engine;

/**
 * A conversation the model's chat template refuses (Gemma's template has no system role and needs user and
 * assistant turns to alternate): names the first turn the template rejects and its reason.
 */
public final class InvalidConversationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int turn;
  private final String reason;

  public InvalidConversationException(int turn, String reason) {
    super("messages[" + turn + "]: the model's chat template rejects this conversation here: " + reason);
    this.turn = turn;
    this.reason = reason;
  }

  /** Index of the first turn the template rejects. */
  public int turn() {
    return turn;
  }

  /** The template's own reason (its {@code raise_exception} message). */
  public String reason() {
    return reason;
  }
}
