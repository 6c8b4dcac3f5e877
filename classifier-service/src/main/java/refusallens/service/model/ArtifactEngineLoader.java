package refusallens.service.model;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import refusallens.organism.Organism;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.EngineLoader;
import refusallens.service.engine.Engines;

/**
 * Loads the real {@link ModelEngine} from the configured model, SAE, features and probe paths. Without a
 * configured model it serves the embedded organism, whose SAEs, features.json and probe.json fill every path
 * not configured.
 */
@ApplicationScoped
public class ArtifactEngineLoader implements EngineLoader {

  @Override
  public Engines load(ServiceConfig.Artifacts artifacts) {
    Optional<Path> model = artifacts.model();
    ModelEngine engine = ModelEngine.load(
        model.orElseGet(Organism::defaultModelDir),
        artifacts.sae().orElseGet(() -> organismOnly(model, "sae", "an SAE directory", Organism::defaultSaeDir)),
        artifacts.features().orElseGet(
            () -> organismOnly(model, "features", "a features.json file", Organism::defaultFeaturesFile)),
        artifacts.probe().orElseGet(
            () -> organismOnly(model, "probe", "a probe.json file", Organism::defaultProbeFile)));
    return new Engines(engine, engine);
  }

  /** The organism's file, a default only when no other model is configured (its files would not fit). */
  private static Path organismOnly(Optional<Path> model, String key, String what, Supplier<Path> organism) {
    if (model.isPresent()) {
      throw new IllegalArgumentException(
          "refusallens.service.artifacts." + key + " is not set (expected " + what + " for the model " + model.get()
              + "; refusal-lens serve --" + key + " PATH); the organism's files are defaults only for the organism");
    }
    return organism.get();
  }
}
