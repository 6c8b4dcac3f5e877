package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an activation store holds, fixed when the store is created: model and SAE identity, the dataset it
 * was extracted from, the tensors (layers x position rules), the seed, the slice of the dataset and the
 * software versions that wrote it.
 *
 * @param sae null when the store has no SAE tensors
 * @param slice null when the store covers the whole dataset
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoreHeader(
    Identity model,
    Identity sae,
    Identity dataset,
    List<StoreTensor> tensors,
    long seed,
    ShardSlice slice,
    Map<String, String> versions) {
  public StoreHeader {
    Objects.requireNonNull(model, "store header: model identity");
    Objects.requireNonNull(dataset, "store header: dataset identity");
    if (tensors == null || tensors.isEmpty()) throw new IllegalArgumentException("store header: no tensors");
    tensors = List.copyOf(tensors);
    long distinct = tensors.stream().map(StoreTensor::name).distinct().count();
    if (distinct != tensors.size()) throw new IllegalArgumentException("store header: duplicate tensor names");
    if (sae == null && tensors.stream().anyMatch(t -> t.kind() == StoreTensor.Kind.SAE_ACTS)) {
      throw new IllegalArgumentException("store header: SAE tensors need an SAE identity");
    }
    versions = versions == null ? Map.of() : new TreeMap<>(versions);
  }

  /** The sorted distinct layers of the tensors. */
  public List<Integer> layers() {
    return tensors.stream().map(StoreTensor::layer).distinct().sorted().toList();
  }

  /** The distinct position rules of the tensors. */
  public List<PositionRule> positions() {
    return tensors.stream().map(StoreTensor::position).distinct().sorted().toList();
  }

  /** The same header for another slice (merge drops the slice). */
  public StoreHeader withSlice(ShardSlice s) {
    return new StoreHeader(model, sae, dataset, tensors, seed, s, versions);
  }

  /** Equality of everything that decides the store's content (versions may differ on resume). */
  boolean sameContentAs(StoreHeader o) {
    return model.sameAs(o.model)
        && Objects.equals(sae == null ? null : sae.hash(), o.sae == null ? null : o.sae.hash())
        && dataset.sameAs(o.dataset)
        && tensors.equals(o.tensors)
        && seed == o.seed
        && Objects.equals(slice, o.slice);
  }
}
