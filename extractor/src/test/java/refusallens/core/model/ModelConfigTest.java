package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsCheckpoint;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.arch.gemma2.Gemma2Config;
import refusallens.core.model.arch.llama.LlamaConfig;
import refusallens.core.model.arch.Activation;
import refusallens.core.model.arch.Architecture;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.arch.RopeConfig;

/** config.json parsing of both architectures and the load-time errors for bad configs and checkpoints. */
class ModelConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void parsesGemma2FixtureConfig() throws IOException {
    Path file = Fixture.modelDir("gemma2").resolve("config.json");
    ObjectNode raw = (ObjectNode) JSON.readTree(file.toFile());
    Gemma2Config c = (Gemma2Config) ModelConfig.read(Fixture.modelDir("gemma2"));
    assertEquals(Architecture.GEMMA2, c.architecture());
    assertEquals(raw.get("hidden_size").asInt(), c.shape().dModel());
    assertEquals(raw.get("head_dim").asInt(), c.shape().headDim());
    assertEquals(raw.get("num_key_value_heads").asInt(), c.shape().numKvHeads());
    assertEquals(raw.get("query_pre_attn_scalar").asDouble(), c.queryPreAttnScalar());
    assertEquals(OptionalDouble.of(raw.get("attn_logit_softcapping").asDouble()), c.attnLogitSoftcapping());
    assertEquals(OptionalDouble.of(raw.get("final_logit_softcapping").asDouble()), c.finalLogitSoftcapping());
    assertEquals(raw.get("sliding_window").asInt(), c.slidingWindow());
    assertEquals(List.of(true, false, true, false), c.slidingLayers());
    assertEquals(List.of(1, 5), c.shape().eosTokenIds());
    assertEquals(Activation.GELU_TANH, c.shape().hiddenActivation());
    assertTrue(c.shape().tieWordEmbeddings());
    assertEquals("bfloat16", c.shape().torchDtype());
    assertTrue(c.shape().rope().llama3Scaling().isEmpty());
  }

  @Test
  void parsesLlama3FixtureConfigWithRopeScaling() {
    LlamaConfig c = (LlamaConfig) ModelConfig.read(Fixture.modelDir("llama3"));
    assertEquals(Architecture.LLAMA, c.architecture());
    assertEquals(500000.0, c.shape().rope().theta());
    RopeConfig.Llama3Scaling s = c.shape().rope().llama3Scaling().orElseThrow();
    assertEquals(8.0, s.factor());
    assertEquals(64, s.originalMaxPositionEmbeddings());
    assertTrue(!c.shape().tieWordEmbeddings());
    assertEquals(16, c.shape().headDim());
    assertEquals(Activation.SILU, c.shape().hiddenActivation());
    assertEquals(OptionalInt.of(550), c.shape().bosTokenId());
  }

  @Test
  void eosTokenIdMayBeASingleInt() throws IOException {
    Path dir = editedConfig("llama3", n -> n.put("eos_token_id", 7));
    assertEquals(List.of(7), ModelConfig.read(dir).shape().eosTokenIds());
  }

  @Test
  void nullSoftcapDisablesIt() throws IOException {
    Path dir = editedConfig("gemma2", n -> n.putNull("attn_logit_softcapping"));
    assertTrue(((Gemma2Config) ModelConfig.read(dir)).attnLogitSoftcapping().isEmpty());
  }

  @Test
  void unknownModelTypeNamesTheSupportedOnes() throws IOException {
    Path dir = editedConfig("llama3", n -> n.put("model_type", "mistral"));
    var e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir));
    assertTrue(e.getMessage().contains("'mistral'") && e.getMessage().contains("gemma2")
        && e.getMessage().contains("llama") && e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void missingKeyAndBadValuesNameFileAndKey() throws IOException {
    Path dir = editedConfig("gemma2", n -> n.remove("hidden_size"));
    var e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir));
    assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("config.json"), e.getMessage());
    Path dir2 = editedConfig("llama3", n -> ((ObjectNode) n.get("rope_scaling")).put("rope_type", "yarn"));
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir2));
    assertTrue(e.getMessage().contains("yarn") && e.getMessage().contains("llama3"), e.getMessage());
    Path dir3 = editedConfig("llama3", n -> n.put("num_key_value_heads", 3));
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir3));
    assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
    Files.writeString(dir3.resolve("config.json"), "{\"model_type\": ");
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir3));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("JSON"), e.getMessage());
  }

  @Test
  void missingTensorIsAClearError() throws IOException {
    Path dir = checkpointWith("llama3", "model.layers.2.mlp.up_proj.weight", null);
    var e = assertThrows(IllegalArgumentException.class, () -> Transformer.open(dir));
    assertTrue(e.getMessage().contains("model.layers.2.mlp.up_proj.weight") && e.getMessage().contains("missing"),
        e.getMessage());
  }

  @Test
  void tensorOfTheWrongShapeForTheConfigIsAClearError() throws IOException {
    Path dir = checkpointWith("gemma2", "model.layers.1.self_attn.k_proj.weight", new long[] {16, 64});
    var e = assertThrows(IllegalArgumentException.class, () -> Transformer.open(dir));
    String m = e.getMessage();
    assertTrue(m.contains("model.layers.1.self_attn.k_proj.weight") && m.contains("[16, 64]") && m.contains("[32, 64]")
        && m.contains("num_key_value_heads"), m);
  }

  /** Issue 19: every config error names the config.json path and the key, even those of the records' checks. */
  @Test
  void everyConfigErrorNamesTheFilePath() throws IOException {
    Path dir = editedConfig("llama3", n -> n.put("num_key_value_heads", 3));
    var e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": ") && e.getMessage().contains("num_key_value_heads"),
        e.getMessage());
    Path dir2 = editedConfig("gemma2", n -> n.put("max_position_embeddings", 0));
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir2));
    assertTrue(e.getMessage().startsWith(dir2.resolve("config.json") + ": max_position_embeddings must be > 0"),
        e.getMessage());
  }

  /** Issue 19: a config with fewer layers than the checkpoint would run a shallower model without a word. */
  @Test
  void fewerLayersInTheConfigThanInTheCheckpointIsAnError() throws IOException {
    Path dir = editedConfig("llama3", n -> n.put("num_hidden_layers", 2));
    Files.copy(Fixture.modelDir("llama3").resolve("model.safetensors"), dir.resolve("model.safetensors"));
    var e = assertThrows(IllegalArgumentException.class, () -> Transformer.open(dir));
    String m = e.getMessage();
    assertTrue(m.startsWith(dir.resolve("config.json") + ": num_hidden_layers is 2 but the checkpoint")
        && m.contains("has layers up to 3") && m.contains("model.layers.3."), m);
  }

  /** Issue 19: a prompt (or a generation) past max_position_embeddings is refused, naming the config file. */
  @Test
  void sequencesPastMaxPositionEmbeddingsAreRefused() throws IOException {
    Path dir = editedConfig("llama3", n -> n.put("max_position_embeddings", 8));
    Files.copy(Fixture.modelDir("llama3").resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Transformer model = Transformer.open(dir);
    int[] eight = {1, 2, 3, 4, 5, 6, 7, 8};
    assertEquals(1, model.forward(TokenBatch.of(eight), ForwardRequest.logitsOnly()).logits().size(0));
    var e = assertThrows(IllegalArgumentException.class,
        () -> model.forward(TokenBatch.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), ForwardRequest.logitsOnly()));
    assertTrue(e.getMessage().contains("9 tokens is longer than max_position_embeddings 8 in " + dir.resolve("config.json")),
        e.getMessage());
    GenerationOptions four = GenerationOptions.greedy(model, 4).withoutStops();
    e = assertThrows(IllegalArgumentException.class,
        () -> model.generateGreedy(TokenBatch.of(new int[] {1, 2, 3, 4, 5, 6}), four, Hooks.none()));
    assertTrue(e.getMessage().contains("max_position_embeddings 8"), e.getMessage());
  }

  private Path editedConfig(String arch, java.util.function.Consumer<ObjectNode> edit) throws IOException {
    ObjectNode n = (ObjectNode) JSON.readTree(Fixture.modelDir(arch).resolve("config.json").toFile());
    edit.accept(n);
    Path dir = Files.createTempDirectory(tmp, arch);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(n));
    return dir;
  }

  /** A copy of the fixture checkpoint with {@code name} dropped (newShape null) or replaced by zeros of newShape. */
  private Path checkpointWith(String arch, String name, long[] newShape) throws IOException {
    Path dir = Files.createTempDirectory(tmp, arch);
    Files.copy(Fixture.modelDir(arch).resolve("config.json"), dir.resolve("config.json"));
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(Fixture.modelDir(arch))) {
      for (String t : src.names()) {
        INDArray a = src.getFloat(t);
        if (t.equals(name)) {
          if (newShape == null) {
            continue;
          }
          a = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, newShape);
        }
        w.putBf16(t, a);
      }
    }
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }
}
