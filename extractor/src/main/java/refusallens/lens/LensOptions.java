package refusallens.lens;

import refusallens.core.model.Transformer;
import refusallens.core.model.weights.WeightStore;
import refusallens.core.sae.SaeSet;

/**
 * How {@link Lens#open} opens a model: the tensor backend of its forward passes (decided here once, not per
 * call), where its weights live, and how many SAE weight bytes stay resident.
 */
public record LensOptions(Transformer.Backend backend, WeightStore.Residency residency, SaeSet.Options saes) {
  public LensOptions {
    java.util.Objects.requireNonNull(backend, "backend");
    java.util.Objects.requireNonNull(residency, "residency");
    java.util.Objects.requireNonNull(saes, "saes");
  }

  /**
   * System property naming the default backend ({@code nd4j}, {@code jvm} or {@code auto}; README, "dev bench
   * forward"): read by {@link #defaults()} only, the one place a backend is taken from outside the options.
   */
  public static final String BACKEND_PROPERTY = "refusallens.runtime.backend";

  /**
   * Resident float32 weights, the SAE set's default budget, and the backend {@code
   * -Drefusallens.runtime.backend} names (auto when unset: plain Java for small models, ND4J otherwise).
   */
  public static LensOptions defaults() {
    String v = System.getProperty(BACKEND_PROPERTY);
    Transformer.Backend backend = v == null || v.isBlank() ? Transformer.Backend.AUTO
        : Transformer.Backend.parse(v, "system property " + BACKEND_PROPERTY);
    return new LensOptions(backend, WeightStore.Residency.RESIDENT, SaeSet.Options.defaults());
  }

  public LensOptions withBackend(Transformer.Backend b) {
    return new LensOptions(b, residency, saes);
  }

  public LensOptions withResidency(WeightStore.Residency r) {
    return new LensOptions(backend, r, saes);
  }
}
