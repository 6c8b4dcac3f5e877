package refusallens.core.model.arch;

import java.nio.file.Path;
import java.util.Arrays;
import refusallens.core.model.arch.gemma2.Gemma2Config;
import refusallens.core.model.arch.gemma2.Gemma2Definition;
import refusallens.core.model.arch.llama.LlamaConfig;
import refusallens.core.model.arch.llama.LlamaDefinition;

/** The supported architectures, keyed by HF {@code model_type}; each knows its config and definition. */
public enum Architecture {
  GEMMA2("gemma2") {
    @Override
    ModelConfig parseConfig(HfConfigJson json) {
      return Gemma2Config.parse(json);
    }

    @Override
    public TransformerDefinition definition(ModelConfig config) {
      return new Gemma2Definition((Gemma2Config) config);
    }
  },
  LLAMA("llama") {
    @Override
    ModelConfig parseConfig(HfConfigJson json) {
      return LlamaConfig.parse(json);
    }

    @Override
    public TransformerDefinition definition(ModelConfig config) {
      return new LlamaDefinition((LlamaConfig) config);
    }
  };

  private final String modelType;

  Architecture(String modelType) {
    this.modelType = modelType;
  }

  /** The HF {@code model_type} string. */
  public String modelType() {
    return modelType;
  }

  abstract ModelConfig parseConfig(HfConfigJson json);

  /** The architecture's one model definition for this config. */
  public abstract TransformerDefinition definition(ModelConfig config);

  /** Looks up a {@code model_type}; unknown types are an error naming the supported ones. */
  public static Architecture fromModelType(String modelType, Path file) {
    for (Architecture a : values()) {
      if (a.modelType.equals(modelType)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        file + ": unsupported model_type '" + modelType + "'; supported: "
            + Arrays.stream(values()).map(Architecture::modelType).toList());
  }
}
