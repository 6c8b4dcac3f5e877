package refusallens.core.tokenizer;

/** A tokenizer file (tokenizer.json, tokenizer_config.json) that is missing, malformed or unsupported. */
public final class TokenizerFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public TokenizerFormatException(String message) {
    super(message);
  }

  public TokenizerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
