package refusallens.service.engine;

import java.util.List;

/** What is loaded: the model and its SAEs, each with a content hash (sha256 of its files). */
public record ModelInfo(
    String name,
    String architecture,
    int layers,
    int dModel,
    int vocabSize,
    String path,
    String sha256,
    List<SaeInfo> saes) {

  /** One loaded SAE: its hook point, width and content hash. */
  public record SaeInfo(int layer, String hookName, String kind, int width, String path, String sha256) {}
}
