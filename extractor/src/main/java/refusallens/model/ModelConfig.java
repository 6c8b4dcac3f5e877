package refusallens.model;

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

  int vocabSize();

  /** Width of the residual stream ({@code hidden_size}). */
  int dModel();

  int numLayers();

  int numHeads();

  int numKvHeads();

  int headDim();

  /** Width of the MLP hidden layer ({@code intermediate_size}). */
  int dMlp();

  double rmsNormEps();

  RopeConfig rope();

  boolean tieWordEmbeddings();

  /** Stop tokens from {@code eos_token_id} (an int or a list on the Hub). */
  List<Integer> eosTokenIds();

  OptionalInt bosTokenId();

  OptionalInt padTokenId();

  /** Longest sequence the model was built for ({@code max_position_embeddings}): positions past it are refused. */
  int maxPositionEmbeddings();

  /** The checkpoint's stored dtype ({@code torch_dtype}), informational: compute is float32. */
  String torchDtype();

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

  /** Checks the shared invariants; architectures call it from their compact constructors. */
  static void validateCommon(
      int vocabSize, int dModel, int numLayers, int numHeads, int numKvHeads, int headDim, int dMlp,
      double rmsNormEps, int maxPositionEmbeddings) {
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    requirePositive("vocab_size", vocabSize);
    requirePositive("hidden_size", dModel);
    requirePositive("num_hidden_layers", numLayers);
    requirePositive("num_attention_heads", numHeads);
    requirePositive("num_key_value_heads", numKvHeads);
    requirePositive("head_dim", headDim);
    requirePositive("intermediate_size", dMlp);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads (" + numHeads + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
    }
    if (!(rmsNormEps > 0)) {
      throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
    }
  }

  private static void requirePositive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + v);
    }
  }
}
