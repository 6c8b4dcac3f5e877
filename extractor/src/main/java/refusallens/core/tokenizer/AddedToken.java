package refusallens.core.tokenizer;

/** An entry of tokenizer.json's {@code added_tokens}: matched in the raw text before the model runs. */
public record AddedToken(
    int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized, boolean special) {
  public AddedToken {
    if (id < 0) {
      throw new IllegalArgumentException("added token id must be >= 0, got " + id);
    }
    if (content == null || content.isEmpty()) {
      throw new IllegalArgumentException("added token " + id + " has empty content");
    }
  }
}
