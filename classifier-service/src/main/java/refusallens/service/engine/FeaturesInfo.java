package refusallens.service.engine;

import java.util.List;

/** The loaded features.json: which SAE features mediate refusal, with the file's name (not its path) and hash. */
public record FeaturesInfo(String file, String sha256, List<Feature> features) {

  /** One feature: its id (layer, index) and its role in F* (harm: FH, refusal: FR), as features.json names it. */
  public record Feature(int layer, int index, String role) {}
}
