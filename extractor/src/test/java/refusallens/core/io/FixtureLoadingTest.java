package refusallens.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every fixture tensor (bf16 model, f32/i64 reference, GemmaScope npz, SAELens safetensors) loads correctly. */
class FixtureLoadingTest {

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void modelWeightsLoadWithConfigShapes(String arch) {
    Path dir = SharedFixtures.arch(arch).resolve("model");
    JsonNode cfg = SharedFixtures.json(dir.resolve("config.json"));
    long d = cfg.get("hidden_size").asLong();
    long vocab = cfg.get("vocab_size").asLong();
    long heads = cfg.get("num_attention_heads").asLong();
    long kvHeads = cfg.get("num_key_value_heads").asLong();
    long headDim = cfg.has("head_dim") ? cfg.get("head_dim").asLong() : d / heads;
    long ffn = cfg.get("intermediate_size").asLong();
    int layers = cfg.get("num_hidden_layers").asInt();
    Map<String, long[]> expected =
        new java.util.HashMap<>(Map.of("model.embed_tokens.weight", new long[] {vocab, d}, "model.norm.weight", new long[] {d}));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      expected.put(p + "self_attn.q_proj.weight", new long[] {heads * headDim, d});
      expected.put(p + "self_attn.k_proj.weight", new long[] {kvHeads * headDim, d});
      expected.put(p + "self_attn.v_proj.weight", new long[] {kvHeads * headDim, d});
      expected.put(p + "self_attn.o_proj.weight", new long[] {d, heads * headDim});
      expected.put(p + "mlp.gate_proj.weight", new long[] {ffn, d});
      expected.put(p + "mlp.up_proj.weight", new long[] {ffn, d});
      expected.put(p + "mlp.down_proj.weight", new long[] {d, ffn});
      expected.put(p + "input_layernorm.weight", new long[] {d});
    }
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(dir)) {
      assertTrue(ck.names().containsAll(expected.keySet()), "missing: " + expected.keySet());
      for (String name : ck.names()) {
        TensorInfo info = ck.info(name);
        assertEquals(DType.BF16, info.dtype(), name);
        INDArray a = ck.getFloat(name);
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(info.shape(), a.shape(), name);
        if (expected.containsKey(name)) {
          assertArrayEquals(expected.get(name), a.shape(), name);
          ck.getFloat(name, expected.get(name));
        }
        // Widened bf16: finite, low 16 bits zero, and equal to the raw bytes read independently.
        float[] v = a.data().asFloat();
        var raw = ck.raw(name);
        for (int i = 0; i < v.length; i++) {
          assertTrue(Float.isFinite(v[i]), name);
          int bits = Float.floatToRawIntBits(v[i]);
          assertEquals(0, bits & 0xffff, name);
          assertEquals(raw.getShort(2 * i), (short) (bits >>> 16), name);
        }
      }
      assertFalse(ck.names().contains("lm_head.weight") && arch.equals("gemma2"), "gemma ties lm_head");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void referenceTensorsLoadWithShapesAndPromptIds(String arch) {
    Path dir = SharedFixtures.arch(arch);
    JsonNode ref = SharedFixtures.json(dir.resolve("reference.json"));
    JsonNode cfg = SharedFixtures.json(dir.resolve("model/config.json"));
    long d = cfg.get("hidden_size").asLong();
    long vocab = cfg.get("vocab_size").asLong();
    long layers = cfg.get("num_hidden_layers").asLong();
    long dSae = ref.get("sae").get("d_sae").asLong();
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      int prompts = 0;
      while (f.contains("p" + prompts + ".input_ids")) {
        prompts++;
      }
      assertTrue(prompts >= 1);
      for (int i = 0; i < prompts; i++) {
        String p = "p" + i + ".";
        assertEquals(DType.I64, f.info(p + "input_ids").dtype());
        INDArray ids = f.get(p + "input_ids");
        assertEquals(DataType.LONG, ids.dataType());
        long seq = ids.length();
        assertEquals(ref.get("prompts").get(i).get("length").asLong(), seq);
        if (i == 0) { // generation[0] continues prompt p0
          JsonNode want = ref.get("generation").get(0).get("prompt_ids");
          assertEquals(want.size(), seq);
          for (int t = 0; t < seq; t++) {
            assertEquals(want.get(t).asLong(), ids.getLong(t), "token " + t);
          }
        }
        f.getFloat(p + "logits", seq, vocab);
        f.getFloat(p + "clamped_logits", seq, vocab);
        f.getFloat(p + "resid_post", layers, seq, d);
        f.getFloat(p + "grad_resid_post", layers, seq, d);
        f.getFloat(p + "sae_acts", seq, dSae);
        f.getFloat(p + "sae_recon", seq, d);
      }
      // Every tensor loads, and F32 data equals the raw little-endian floats.
      for (String name : f.names()) {
        INDArray a = f.get(name);
        assertArrayEquals(f.info(name).shape(), a.shape(), name);
        if (f.info(name).dtype() == DType.F32) {
          float[] v = a.data().asFloat();
          var raw = f.raw(name).asFloatBuffer();
          for (int k = 0; k < v.length; k += 97) {
            assertEquals(raw.get(k), v[k], 0f, name);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void gemmaScopeNpzEqualsSaeLensSafetensors(String arch) {
    Path sae = SharedFixtures.arch(arch).resolve("sae");
    Map<String, INDArray> npz = Npz.readFloat(sae.resolve("params.npz"));
    assertEquals(Set.of("W_enc", "W_dec", "b_enc", "b_dec", "threshold"), npz.keySet());
    assertEquals(npz.keySet(), Npz.names(sae.resolve("params.npz")));
    try (SafetensorsFile st = SafetensorsFile.open(sae.resolve("sae_weights.safetensors"))) {
      assertEquals(npz.keySet(), st.names());
      for (var e : npz.entrySet()) {
        INDArray b = st.getFloat(e.getKey());
        assertArrayEquals(b.shape(), e.getValue().shape(), e.getKey());
        assertArrayEquals(b.data().asFloat(), e.getValue().data().asFloat(), 0f, e.getKey());
        assertEquals(e.getValue(), Npz.readFloat(sae.resolve("params.npz"), e.getKey()));
      }
      long d = st.info("W_enc").shape()[0];
      long m = st.info("W_enc").shape()[1];
      assertArrayEquals(new long[] {m, d}, st.info("W_dec").shape());
    }
  }
}
