package refusallens.service.engine;

import java.util.List;

/**
 * What is loaded: the model (named by its directory's name) and its SAEs with content hashes: {@code sha256}
 * of the model's checkpoint files and {@code saeSetSha256} of the SAE set, the two hashes a probe records and
 * is checked against; each SAE's {@code sha256} of its directory. Names only, never paths: where the files
 * lie on the server is not the client's business.
 */
public record ModelInfo(
    String name,
    String architecture,
    int layers,
    int dModel,
    int vocabSize,
    String sha256,
    String saeSetSha256,
    List<SaeInfo> saes) {

  /** One loaded SAE: its hook point, width, directory name and content hash. */
  public record SaeInfo(int layer, String hookName, String kind, int width, String directory, String sha256) {}
}
