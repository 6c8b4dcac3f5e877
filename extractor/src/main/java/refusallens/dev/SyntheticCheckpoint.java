package refusallens.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.files.Json;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.arch.Architecture;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightSpec;

/**
 * Writes a Hugging Face checkpoint with random weights at a real model's shapes (config.json, bf16
 * safetensors shards with an index, a small byte-fallback tokenizer and a chat template), for
 * benchmarks and tests without downloads. The same shape and seed give the same files.
 */
public final class SyntheticCheckpoint {
  private static final ObjectMapper JSON = Json.MAPPER;
  /**
   * Parameters per safetensors shard (about 0.5 GB of bf16), so the writer never holds the whole model: a shard is
   * held as float32 while written (the writer's copies; each drawn tensor is freed once copied), 1 GiB here; with 2^30 the
   * gemma-2-2b shape peaked at 14 GB RSS and was killed on a 24 GiB machine. A larger tensor (an embedding) gets a
   * shard of its own.
   */
  private static final long SHARD_PARAMS = 1L << 28;

  private SyntheticCheckpoint() {}

  /** The model shapes on offer. */
  public enum Shape {
    GEMMA_2_2B("gemma-2-2b"),
    LLAMA_3_1_8B("llama-3.1-8b"),
    TINY("tiny");

    private final String cliName;

    Shape(String cliName) {
      this.cliName = cliName;
    }

    public String cliName() {
      return cliName;
    }

    /** Parses {@code gemma-2-2b | llama-3.1-8b | tiny}. */
    public static Shape parse(String s) {
      for (Shape v : values()) {
        if (v.cliName.equals(s)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "unknown shape '" + s + "'; expected one of " + Arrays.stream(values()).map(Shape::cliName).toList());
    }
  }

  /** The config.json of a shape (Hub keys and values of the real model; tiny is a 4-layer Gemma-2). */
  public static ObjectNode config(Shape shape) {
    ObjectNode c = JSON.createObjectNode();
    switch (shape) {
      case GEMMA_2_2B -> gemma2(c, 256000, 2304, 26, 8, 4, 256, 9216, 256, 4096);
      case TINY -> gemma2(c, 512, 64, 4, 4, 2, 16, 128, 16, 8);
      case LLAMA_3_1_8B -> {
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("vocab_size", 128256);
        c.put("hidden_size", 4096);
        c.put("num_hidden_layers", 32);
        c.put("num_attention_heads", 32);
        c.put("num_key_value_heads", 8);
        c.put("head_dim", 128);
        c.put("intermediate_size", 14336);
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 500000.0);
        ObjectNode rs = c.putObject("rope_scaling");
        rs.put("factor", 8.0);
        rs.put("low_freq_factor", 1.0);
        rs.put("high_freq_factor", 4.0);
        rs.put("original_max_position_embeddings", 8192);
        rs.put("rope_type", "llama3");
        c.put("max_position_embeddings", 131072);
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", Tokens.LLAMA_BOS);
        c.putArray("eos_token_id").add(Tokens.LLAMA_EOS).add(Tokens.LLAMA_EOT);
        c.put("torch_dtype", "bfloat16");
      }
    }
    return c;
  }

  private static void gemma2(ObjectNode c, int vocab, int d, int layers, int heads, int kv, int headDim, int mlp,
      int queryScalar, int window) {
    c.putArray("architectures").add("Gemma2ForCausalLM");
    c.put("model_type", "gemma2");
    c.put("vocab_size", vocab);
    c.put("hidden_size", d);
    c.put("num_hidden_layers", layers);
    c.put("num_attention_heads", heads);
    c.put("num_key_value_heads", kv);
    c.put("head_dim", headDim);
    c.put("intermediate_size", mlp);
    c.put("hidden_activation", "gelu_pytorch_tanh");
    c.put("query_pre_attn_scalar", queryScalar);
    c.put("attn_logit_softcapping", 50.0);
    c.put("final_logit_softcapping", 30.0);
    c.put("sliding_window", window);
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_theta", 10000.0);
    c.put("max_position_embeddings", 8192);
    c.put("tie_word_embeddings", true);
    c.put("bos_token_id", Tokens.GEMMA_BOS);
    c.putArray("eos_token_id").add(Tokens.GEMMA_EOS).add(Tokens.GEMMA_END_OF_TURN);
    c.put("pad_token_id", Tokens.GEMMA_PAD);
    c.put("torch_dtype", "bfloat16");
  }

  /**
   * Writes the checkpoint into {@code dir} (created if needed); {@code progress} hears one line per shard.
   * Matrices are N(0, 0.02); Gemma norm weights N(0, 0.02) (scaled by 1 + w), Llama norm weights 1.
   */
  public static void write(Shape shape, Path dir, long seed, Consumer<String> progress) {
    try {
      Files.createDirectories(dir);
      ObjectNode configJson = config(shape);
      Path configFile = dir.resolve("config.json");
      Files.writeString(configFile, JSON.writeValueAsString(configJson));
      ModelConfig config = ModelConfig.read(configFile);
      TransformerDefinition def = config.architecture().definition(config);
      List<List<WeightSpec>> shards = new ArrayList<>();
      List<WeightSpec> current = new ArrayList<>();
      long params = 0;
      for (WeightSpec spec : def.weightSpecs()) {
        long n = Arrays.stream(spec.shape()).reduce(1, Math::multiplyExact);
        if (!current.isEmpty() && params + n > SHARD_PARAMS) {
          shards.add(current);
          current = new ArrayList<>();
          params = 0;
        }
        current.add(spec);
        params += n;
      }
      shards.add(current);
      Map<String, String> weightMap = new LinkedHashMap<>();
      long totalBytes = 0;
      int index = 0;
      for (List<WeightSpec> shard : shards) {
        String file = String.format("model-%05d-of-%05d.safetensors", index + 1, shards.size());
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (WeightSpec spec : shard) {
          INDArray drawn = randomTensor(spec, config, seed);
          w.putBf16(spec.name(), drawn); // the writer keeps its own copy
          drawn.close();
          weightMap.put(spec.name(), file);
          totalBytes += 2 * Arrays.stream(spec.shape()).reduce(1, Math::multiplyExact);
        }
        w.write(dir.resolve(file));
        w = null;
        System.gc(); // the writer's float32 copies are off-heap: let them go before the next shard is drawn
        progress.accept("wrote " + file + " (" + shard.size() + " tensors)");
        index++;
      }
      ObjectNode idx = JSON.createObjectNode();
      idx.putObject("metadata").put("total_size", totalBytes);
      ObjectNode wm = idx.putObject("weight_map");
      weightMap.forEach(wm::put);
      Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(idx));
      Tokens.write(dir, config.architecture(), config.shape().vocabSize());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic checkpoint to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static INDArray randomTensor(WeightSpec spec, ModelConfig config, long seed) {
    Nd4j.getRandom().setSeed(seed * 1_000_003L + spec.name().hashCode());
    boolean norm = spec.shape().length == 1;
    if (norm && config.architecture() == Architecture.LLAMA) {
      return Nd4j.ones(DataType.FLOAT, spec.shape());
    }
    return Nd4j.randn(DataType.FLOAT, spec.shape()).muli(WEIGHT_SD);
  }

  /** The standard deviation of every weight matrix (and of Gemma's norm weights) this writer draws. */
  public static final double WEIGHT_SD = 0.02;

  /**
   * A rough root mean square of one residual-stream component after layer {@code layer} (resid_post) of a
   * checkpoint this class writes, from the weights' variance alone (independent terms add): it sizes the
   * thresholds of synthetic SAEs. Gemma-2: the embedding scaled by sqrt(d) has rms 0.02 sqrt(d), and each block
   * adds two post-normed outputs of rms about 1. Llama: the embedding has rms 0.02; each block adds attention
   * (v then o projection, each multiplying the variance by 0.02^2 d: an upper bound, attention averages) and the
   * MLP (gate and up 0.02^2 d each, SiLU(g) u about half of their product, down 0.02^2 d_mlp).
   */
  public static double residualRms(ModelConfig c, int layer) {
    double w2 = WEIGHT_SD * WEIGHT_SD;
    double perLayer;
    double embedding;
    DecoderShape shape = c.shape();
    if (c.architecture() == Architecture.GEMMA2) {
      embedding = w2 * shape.dModel();
      perLayer = 2;
    } else {
      embedding = w2;
      double proj = w2 * shape.dModel(); // variance gain of one d_model-wide projection of a unit-rms input
      perLayer = proj * w2 * shape.numHeads() * shape.headDim() + 0.5 * proj * proj * w2 * shape.dMlp();
    }
    return Math.sqrt(embedding + perLayer * (layer + 1));
  }

  /**
   * The small tokenizer: specials, byte-fallback pieces, printable ASCII and '▁', then {@code <unusedN>} pieces up to
   * the model's vocab_size (so every generated id decodes); no merges.
   */
  static final class Tokens {
    static final int GEMMA_PAD = 0;
    static final int GEMMA_EOS = 1;
    static final int GEMMA_BOS = 2;
    static final int GEMMA_END_OF_TURN = 5;
    static final int LLAMA_BOS = 0;
    static final int LLAMA_EOS = 1;
    static final int LLAMA_EOT = 4;

    private Tokens() {}

    static void write(Path dir, Architecture arch, int vocabSize) throws IOException {
      boolean gemma = arch == Architecture.GEMMA2;
      List<String> specials = gemma
          ? List.of("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>")
          : List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<unk>");
      ObjectNode tok = JSON.createObjectNode();
      tok.put("version", "1.0");
      tok.putNull("truncation");
      tok.putNull("padding");
      ArrayNode added = tok.putArray("added_tokens");
      ObjectNode vocab = JSON.createObjectNode();
      int id = 0;
      for (String s : specials) {
        ObjectNode a = added.addObject();
        a.put("id", id);
        a.put("content", s);
        a.put("single_word", false);
        a.put("lstrip", false);
        a.put("rstrip", false);
        a.put("normalized", false);
        a.put("special", true);
        vocab.put(s, id++);
      }
      for (int b = 0; b < 256; b++) {
        vocab.put(String.format("<0x%02X>", b), id++);
      }
      vocab.put("▁", id++);
      for (char ch = '!'; ch <= '~'; ch++) {
        vocab.put(String.valueOf(ch), id++);
      }
      // every id the model can emit must decode: fill up to vocab_size with unused pieces, as Gemma's <unusedN>
      for (int unused = 0; id < vocabSize; unused++) {
        vocab.put("<unused" + unused + ">", id++);
      }
      ObjectNode norm = tok.putObject("normalizer");
      norm.put("type", "Replace");
      norm.putObject("pattern").put("String", " ");
      norm.put("content", "▁");
      tok.putNull("pre_tokenizer");
      String bos = specials.get(gemma ? GEMMA_BOS : LLAMA_BOS);
      ObjectNode post = tok.putObject("post_processor");
      post.put("type", "TemplateProcessing");
      ArrayNode single = post.putArray("single");
      single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
      single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      ArrayNode pair = post.putArray("pair");
      pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
      pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
      pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 0);
      ObjectNode st = post.putObject("special_tokens").putObject(bos);
      st.put("id", bos);
      st.putArray("ids").add(gemma ? GEMMA_BOS : LLAMA_BOS);
      st.putArray("tokens").add(bos);
      ObjectNode dec = tok.putObject("decoder");
      dec.put("type", "Sequence");
      ArrayNode decs = dec.putArray("decoders");
      ObjectNode rep = decs.addObject();
      rep.put("type", "Replace");
      rep.putObject("pattern").put("String", "▁");
      rep.put("content", " ");
      decs.addObject().put("type", "ByteFallback");
      decs.addObject().put("type", "Fuse");
      ObjectNode model = tok.putObject("model");
      model.put("type", "BPE");
      model.putNull("dropout");
      model.put("unk_token", gemma ? "<unk>" : "<unk>");
      model.putNull("continuing_subword_prefix");
      model.putNull("end_of_word_suffix");
      model.put("fuse_unk", true);
      model.put("byte_fallback", true);
      model.put("ignore_merges", false);
      model.set("vocab", vocab);
      model.putArray("merges");
      Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(tok));

      ObjectNode cfg = JSON.createObjectNode();
      cfg.put("bos_token", bos);
      cfg.put("eos_token", specials.get(gemma ? GEMMA_EOS : LLAMA_EOT));
      if (gemma) {
        cfg.put("pad_token", "<pad>");
        cfg.put("unk_token", "<unk>");
        cfg.put("chat_template", "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'assistant') %}"
            + "{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
            + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}");
      } else {
        cfg.put("chat_template", "{{ bos_token }}{% for message in messages %}"
            + "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}");
      }
      cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
      cfg.put("clean_up_tokenization_spaces", false);
      Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(cfg));
    }
  }
}
