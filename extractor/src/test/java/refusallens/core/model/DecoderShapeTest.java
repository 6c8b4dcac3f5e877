package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import refusallens.core.model.arch.DecoderShape;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.core.model.arch.Activation;
import refusallens.core.model.arch.HfConfigJson;

/** The shared decoder keys: parsed once for both architectures, with each one's defaults and clear errors. */
class DecoderShapeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DecoderShape.HfDefaults LLAMA_LIKE = new DecoderShape.HfDefaults(OptionalInt.empty(), false, 2048);

  @TempDir Path tmp;

  @Test
  void readsTheFixtureKeys() throws IOException {
    ObjectNode raw = fixture();
    DecoderShape s = DecoderShape.parse(write(raw), LLAMA_LIKE, Activation.SILU);
    assertEquals(raw.get("vocab_size").asInt(), s.vocabSize());
    assertEquals(raw.get("hidden_size").asInt(), s.dModel());
    assertEquals(raw.get("num_hidden_layers").asInt(), s.numLayers());
    assertEquals(raw.get("intermediate_size").asInt(), s.dMlp());
    assertEquals(raw.get("num_key_value_heads").asInt(), s.numKvHeads());
    assertEquals(raw.get("max_position_embeddings").asInt(), s.maxPositionEmbeddings());
    assertEquals(Activation.SILU, s.hiddenActivation());
  }

  @Test
  void missingRequiredKeyNamesTheKeyAndTheFile() throws IOException {
    for (String key : new String[] {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
        "intermediate_size"}) {
      HfConfigJson json = write(edited(n -> n.remove(key)));
      var e = assertThrows(IllegalArgumentException.class, () -> DecoderShape.parse(json, LLAMA_LIKE, Activation.SILU));
      assertTrue(e.getMessage().contains("missing required key '" + key + "'")
          && e.getMessage().contains(json.file().toString()), e.getMessage());
    }
  }

  @Test
  void absentKeysTakeTheArchitecturesDefaults() throws IOException {
    ObjectNode n = edited(c -> {
      c.remove("head_dim");
      c.remove("tie_word_embeddings");
      c.remove("max_position_embeddings");
      c.remove("num_key_value_heads");
    });
    DecoderShape llama = DecoderShape.parse(write(n), LLAMA_LIKE, Activation.SILU);
    assertEquals(n.get("hidden_size").asInt() / n.get("num_attention_heads").asInt(), llama.headDim());
    assertEquals(false, llama.tieWordEmbeddings());
    assertEquals(2048, llama.maxPositionEmbeddings());
    assertEquals(llama.numHeads(), llama.numKvHeads());
    DecoderShape gemma = DecoderShape.parse(write(n), new DecoderShape.HfDefaults(OptionalInt.of(256), true, 8192),
        Activation.GELU_TANH);
    assertEquals(256, gemma.headDim());
    assertEquals(true, gemma.tieWordEmbeddings());
    assertEquals(8192, gemma.maxPositionEmbeddings());
  }

  @Test
  void zeroHeadsIsAnErrorNamingTheKeyNotADivisionByZero() throws IOException {
    HfConfigJson json = write(edited(n -> {
      n.put("num_attention_heads", 0);
      n.remove("head_dim");
    }));
    var e = assertThrows(IllegalArgumentException.class, () -> DecoderShape.parse(json, LLAMA_LIKE, Activation.SILU));
    assertTrue(e.getMessage().contains("num_attention_heads must be > 0"), e.getMessage());
  }

  private static ObjectNode fixture() throws IOException {
    return (ObjectNode) JSON.readTree(Fixture.modelDir("llama3").resolve("config.json").toFile());
  }

  private static ObjectNode edited(Consumer<ObjectNode> edit) throws IOException {
    ObjectNode n = fixture();
    edit.accept(n);
    return n;
  }

  private HfConfigJson write(ObjectNode n) throws IOException {
    Path file = Files.createTempFile(tmp, "config", ".json");
    Files.writeString(file, JSON.writeValueAsString(n));
    return HfConfigJson.read(file);
  }
}
