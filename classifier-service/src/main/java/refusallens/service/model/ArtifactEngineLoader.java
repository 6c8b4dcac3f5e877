package refusallens.service.model;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Optional;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.EngineLoader;
import refusallens.service.engine.Engines;

/** Loads the real {@link ModelEngine} from the configured model, SAE, features and probe paths. */
@ApplicationScoped
public class ArtifactEngineLoader implements EngineLoader {

  @Override
  public Engines load(ServiceConfig.Artifacts artifacts) {
    Path model = require(artifacts.model(), "model", "an HF checkpoint directory");
    Path sae = require(artifacts.sae(), "sae", "an SAE directory");
    Path features = require(artifacts.features(), "features", "a features.json file");
    Path probe = require(artifacts.probe(), "probe", "a probe.json file");
    ModelEngine engine = ModelEngine.load(model, sae, features, probe);
    return new Engines(engine, engine);
  }

  // The embedded organism (the default of every command) is not part of this build yet, so every path is
  // required; the message says which key to set.
  private static Path require(Optional<Path> path, String key, String what) {
    return path.orElseThrow(
        () ->
            new IllegalArgumentException(
                "refusallens.service.artifacts." + key + " is not set (expected " + what
                    + "; refusal-lens serve --" + key + " PATH)"));
  }
}
