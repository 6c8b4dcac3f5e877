package refusallens.core.tokenizer;

/** A chat template that failed to render, or that raised an exception itself ({@code raise_exception}). */
public final class ChatTemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String templateMessage;

  ChatTemplateException(String message, String templateMessage) {
    super(message);
    this.templateMessage = templateMessage;
  }

  /** The message the template passed to {@code raise_exception}, or null for other failures. */
  public String templateMessage() {
    return templateMessage;
  }
}
