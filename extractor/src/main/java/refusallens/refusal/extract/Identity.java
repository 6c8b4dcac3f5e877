package refusallens.refusal.extract;

import java.util.Objects;

/** What a model, SAE set or dataset is: a human id (name or path) and a content hash (sha256 hex). */
public record Identity(String id, String hash) {
  public Identity {
    Objects.requireNonNull(id, "identity id");
    Objects.requireNonNull(hash, "identity hash");
  }

  /** True when both describe the same content: hashes decide, ids are only labels. */
  public boolean sameAs(Identity other) {
    return other != null && hash.equals(other.hash);
  }

  @Override
  public String toString() {
    return id + " (" + (hash.length() > 12 ? hash.substring(0, 12) : hash) + ")";
  }
}
