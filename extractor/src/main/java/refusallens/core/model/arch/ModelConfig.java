package refusallens.core.model.arch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The hyperparameters every supported decoder-only architecture shares, read from a Hugging Face
 * {@code config.json}; each architecture's record adds its own keys.
 */
public interface ModelConfig {
  Architecture architecture();

  /** The decoder hyperparameters every architecture shares; the accessors below read through it. */
  DecoderShape shape();

  default int vocabSize() {
    return shape().vocabSize();
  }

  /** Width of the residual stream ({@code hidden_size}). */
  default int dModel() {
    return shape().dModel();
  }

  default int numLayers() {
    return shape().numLayers();
  }

  default int numHeads() {
    return shape().numHeads();
  }

  default int numKvHeads() {
    return shape().numKvHeads();
  }

  default int headDim() {
    return shape().headDim();
  }

  /** Width of the MLP hidden layer ({@code intermediate_size}). */
  default int dMlp() {
    return shape().dMlp();
  }

  default double rmsNormEps() {
    return shape().rmsNormEps();
  }

  default RopeConfig rope() {
    return shape().rope();
  }

  default boolean tieWordEmbeddings() {
    return shape().tieWordEmbeddings();
  }

  /** Stop tokens from {@code eos_token_id} (an int or a list on the Hub). */
  default List<Integer> eosTokenIds() {
    return shape().eosTokenIds();
  }

  default OptionalInt bosTokenId() {
    return shape().bosTokenId();
  }

  default OptionalInt padTokenId() {
    return shape().padTokenId();
  }

  /** Longest sequence the model was built for ({@code max_position_embeddings}): positions past it are refused. */
  default int maxPositionEmbeddings() {
    return shape().maxPositionEmbeddings();
  }

  /** The checkpoint's stored dtype ({@code torch_dtype}), informational: compute is float32. */
  default String torchDtype() {
    return shape().torchDtype();
  }

  default Activation hiddenActivation() {
    return shape().hiddenActivation();
  }

  /**
   * Reads {@code config.json} from a model directory (or the file itself) and dispatches on
   * {@code model_type}; an unknown type is an error naming the supported ones.
   */
  static ModelConfig read(Path dirOrFile) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
    HfConfigJson json = HfConfigJson.read(file);
    Architecture arch = Architecture.fromModelType(json.requireString("model_type"), file);
    try {
      return arch.parseConfig(json);
    } catch (IllegalArgumentException e) {
      // the records' checks know the key, not the file: every config error names both
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith(file.toString())) {
        throw e;
      }
      throw new IllegalArgumentException(file + ": " + msg, e);
    }
  }
}
