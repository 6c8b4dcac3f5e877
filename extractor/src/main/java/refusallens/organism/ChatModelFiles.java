package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightSpec;

/** The organism's model as a Hugging Face checkpoint: its gemma2 {@code config.json}, initial weights, and writing. */
public final class ChatModelFiles {
  private ChatModelFiles() {}

  /** A gemma2 {@code config.json} for {@code spec} with the trained tokenizer's vocabulary size. */
  public static ObjectNode configJson(OrganismBudget.Spec spec, int vocabSize) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add("Gemma2ForCausalLM");
    c.put("model_type", "gemma2");
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.put("attn_logit_softcapping", 50.0);
    c.put("final_logit_softcapping", 30.0);
    c.put("bos_token_id", GemmaBpeTrainer.BOS);
    c.putArray("eos_token_id").add(GemmaBpeTrainer.EOS).add(GemmaBpeTrainer.END_OF_TURN);
    c.put("pad_token_id", GemmaBpeTrainer.PAD);
    c.put("head_dim", spec.headDim());
    c.put("hidden_act", "gelu_pytorch_tanh");
    c.put("hidden_activation", "gelu_pytorch_tanh");
    c.put("hidden_size", spec.dModel());
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", spec.dMlp());
    c.put("max_position_embeddings", 1024);
    c.put("num_attention_heads", spec.heads());
    c.put("num_hidden_layers", spec.layers());
    c.put("num_key_value_heads", spec.kvHeads());
    c.put("query_pre_attn_scalar", spec.headDim());
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_theta", 10000.0);
    c.put("sliding_window", spec.slidingWindow());
    c.put("tie_word_embeddings", true);
    c.put("torch_dtype", "float32");
    c.put("use_cache", true);
    c.put("vocab_size", vocabSize);
    return c;
  }

  /** Parses a config written by {@link #configJson}. */
  public static ModelConfig parse(ObjectNode json, Path where) {
    Path file = where.resolve("config.json");
    AtomicFiles.writeJson(file, json);
    return ModelConfig.read(where);
  }

  /**
   * Initial weights: normal(0, 0.02) matrices with the residual-output projections scaled by
   * 1/sqrt(2 layers) (GPT-2), zero norm weights (Gemma's norms scale by 1 + w).
   */
  public static Map<String, INDArray> initialWeights(TransformerDefinition def, long seed) {
    Random r = new Random(seed);
    int layers = def.config().shape().numLayers();
    Map<String, INDArray> out = new TreeMap<>();
    for (WeightSpec spec : def.weightSpecs()) {
      long n = 1;
      for (long d : spec.shape()) {
        n *= d;
      }
      float[] data = new float[(int) n];
      if (spec.shape().length > 1) {
        double std = 0.02;
        if (spec.name().endsWith("o_proj.weight") || spec.name().endsWith("down_proj.weight")) {
          std /= Math.sqrt(2.0 * layers);
        }
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (r.nextGaussian() * std);
        }
      }
      out.put(spec.name(), Nd4j.create(data, spec.shape(), 'c').castTo(DataType.FLOAT));
    }
    return out;
  }

  /** Writes {@code model.safetensors} (bfloat16 or float32) and {@code config.json} into {@code dir}. */
  public static void write(Path dir, ObjectNode config, Map<String, INDArray> weights, boolean bf16) {
    SafetensorsWriter w = new SafetensorsWriter();
    for (Map.Entry<String, INDArray> e : new TreeMap<>(weights).entrySet()) {
      if (bf16) {
        w.putBf16(e.getKey(), e.getValue());
      } else {
        w.putF32(e.getKey(), e.getValue());
      }
    }
    ObjectNode c = config.deepCopy();
    c.put("torch_dtype", bf16 ? "bfloat16" : "float32");
    w.write(dir.resolve("model.safetensors"));
    AtomicFiles.writeJson(dir.resolve("config.json"), c);
  }
}
