package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Metadata of one store row (one prompt): the dataset's prompt id, label ({@code harmful} or
 * {@code harmless}), category, attack (null for plain prompts), base prompt id of an attacked variant, and
 * whether the model's completion was judged not refused (null when unknown).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoreRow(
    String id, String label, String category, String attack, String baseId, Boolean jailbroken) {
  public StoreRow {
    Objects.requireNonNull(id, "row id");
    Objects.requireNonNull(label, "row label");
    if (id.isEmpty()) throw new IllegalArgumentException("row id is empty");
  }

  /** True for the harmful label. */
  public boolean harmful() {
    return "harmful".equalsIgnoreCase(label);
  }
}
