package refusallens.service.engine;

import java.util.Objects;

/** The loaded engines the service serves. */
public record Engines(ClassificationEngine classifier, GenerationEngine generator) {
  public Engines {
    Objects.requireNonNull(classifier, "classifier");
    Objects.requireNonNull(generator, "generator");
  }
}
