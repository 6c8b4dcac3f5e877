package refusallens.service.engine;

import refusallens.service.config.ServiceConfig;

/**
 * Loads model, SAEs, features and probe at start-up (a CDI bean). The service starts without one and then
 * stays not-ready.
 */
public interface EngineLoader {
  /**
   * Loads what {@code artifacts} names (absent paths: the embedded default).
   *
   * @throws RuntimeException whose message names the file that could not be loaded
   */
  Engines load(ServiceConfig.Artifacts artifacts);
}
