package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;

/**
 * The organism's SAEs: residual-stream activations of every layer collected with the eager runtime,
 * one {@link TopKSaeTrainer} per layer, written in the SAELens layout ({@code layer_L/cfg.json} +
 * {@code sae_weights.safetensors}), and their metrics on held-out conversations.
 */
public final class OrganismSaes {
  private OrganismSaes() {}

  /** Metrics of one layer's SAE on held-out activations. */
  public record LayerMetrics(int layer, double fvu, double l0, double deadFraction, double cleanCe, double splicedCe) {
    public double deltaCe() {
      return splicedCe - cleanCe;
    }
  }

  /** The directory of layer {@code layer}'s SAE under {@code saeDir}. */
  public static Path layerDir(Path saeDir, int layer) {
    return saeDir.resolve("layer_" + layer);
  }

  /**
   * Residual activations [tokens, d] of every layer over {@code examples} (all real positions, padding
   * dropped), at most {@code maxTokens} per layer.
   */
  public static INDArray[] collect(Transformer model, List<ChatModelTrainer.Example> examples, int maxTokens, int batchSize) {
    int layers = model.config().shape().numLayers();
    int d = model.config().shape().dModel();
    Set<HookName> names = new HashSet<>();
    for (int l = 0; l < layers; l++) {
      names.add(HookName.residPost(l));
    }
    List<List<INDArray>> parts = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      parts.add(new ArrayList<>());
    }
    int tokens = 0;
    for (int start = 0; start < examples.size() && tokens < maxTokens; start += batchSize) {
      List<int[]> rows = new ArrayList<>();
      for (ChatModelTrainer.Example e : examples.subList(start, Math.min(examples.size(), start + batchSize))) {
        rows.add(e.ids());
      }
      TokenBatch batch = new TokenBatch(rows);
      ForwardResult r = model.runWithCache(batch, names);
      int s = batch.maxLength();
      List<Integer> keep = new ArrayList<>();
      for (int b = 0; b < rows.size(); b++) {
        for (int t = batch.padLeft(b); t < s; t++) {
          keep.add(b * s + t);
        }
      }
      int[] idx = keep.stream().mapToInt(Integer::intValue).toArray();
      for (int l = 0; l < layers; l++) {
        INDArray act = r.activation(HookName.residPost(l)).castTo(DataType.FLOAT).reshape((long) rows.size() * s, d);
        parts.get(l).add(act.getRows(idx));
      }
      tokens += idx.length;
    }
    INDArray[] out = new INDArray[layers];
    for (int l = 0; l < layers; l++) {
      INDArray all = Nd4j.concat(0, parts.get(l).toArray(new INDArray[0]));
      out[l] = all.size(0) > maxTokens ? all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, maxTokens)).dup() : all;
    }
    return out;
  }

  /** Writes one SAE in the SAELens layout. */
  public static void write(Path dir, TopKSaeTrainer.Weights w, int layer, String modelName) {
    SafetensorsWriter st = new SafetensorsWriter();
    st.putF32("W_enc", w.wEnc());
    st.putF32("b_enc", w.bEnc());
    st.putF32("W_dec", w.wDec());
    st.putF32("b_dec", w.bDec());
    st.write(dir.resolve("sae_weights.safetensors"));
    ObjectNode cfg = new ObjectMapper().createObjectNode();
    cfg.put("schemaVersion", 1);
    cfg.put("architecture", "topk");
    cfg.put("d_in", w.wEnc().size(0));
    cfg.put("d_sae", w.wEnc().size(1));
    cfg.put("k", w.k());
    cfg.putObject("activation_fn_kwargs").put("k", w.k());
    cfg.put("activation_fn_str", "topk");
    cfg.put("dtype", "float32");
    cfg.put("model_name", modelName);
    cfg.put("hook_name", HookName.residPost(layer).toString());
    cfg.put("hook_layer", layer);
    cfg.putNull("hook_head_index");
    cfg.put("apply_b_dec_to_input", true);
    cfg.put("finetuning_scaling_factor", false);
    cfg.put("normalize_activations", "none");
    cfg.put("prepend_bos", true);
    cfg.put("context_size", 1024);
    AtomicFiles.writeJson(dir.resolve("cfg.json"), cfg);
  }

  /** Reads back an SAE written by {@link #write}. */
  public static TopKSaeTrainer.Weights read(Path dir) {
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("sae_weights.safetensors"))) {
      Map<?, ?> cfg = new ObjectMapper().readValue(dir.resolve("cfg.json").toFile(), Map.class);
      int k = ((Number) cfg.get("k")).intValue();
      return new TopKSaeTrainer.Weights(
          f.getFloat("W_enc").dup(), f.getFloat("b_enc").dup(), f.getFloat("W_dec").dup(), f.getFloat("b_dec").dup(), k);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the SAE in " + dir, e);
    }
  }

  /** Hooks that replace {@code hook_resid_post} of {@code layer} with the SAE's reconstruction. */
  public static Hooks<INDArray> splice(TopKSaeTrainer.Weights w, int layer) {
    return Hooks.of(HookName.residPost(layer), (act, name, ctx) -> {
      long[] shape = act.shape(); // [B, S, d]
      INDArray x = act.castTo(DataType.FLOAT).dup('c').reshape(shape[0] * shape[1], shape[2]);
      INDArray recon = TopKSaeTrainer.encode(w, x).mmul(w.wDec()).addiRowVector(w.bDec().reshape(1, -1));
      return recon.reshape(shape);
    });
  }

  /** Metrics of {@code w} on held-out conversations: FVU, L0, dead fraction on their activations, CE spliced vs clean. */
  public static LayerMetrics metrics(
      Transformer model, TopKSaeTrainer.Weights w, int layer, List<ChatModelTrainer.Example> heldOut,
      INDArray heldOutActs, double cleanCe) {
    TopKSaeTrainer.Report rep = TopKSaeTrainer.evaluate(w, heldOutActs);
    double spliced = AssistantCrossEntropy.of(model, heldOut, splice(w, layer), 16);
    return new LayerMetrics(layer, rep.fvu(), rep.meanL0(), rep.deadFraction(), cleanCe, spliced);
  }

  /** Metrics of every layer's SAE under {@code saeDir} (layers without one are skipped). */
  public static List<LayerMetrics> evaluate(Transformer model, Path saeDir, List<ChatModelTrainer.Example> heldOut) {
    INDArray[] acts = collect(model, heldOut, Integer.MAX_VALUE, 16);
    double clean = AssistantCrossEntropy.of(model, heldOut, Hooks.none(), 16);
    List<LayerMetrics> out = new ArrayList<>();
    for (int layer = 0; layer < model.config().shape().numLayers(); layer++) {
      Path dir = layerDir(saeDir, layer);
      if (exists(dir)) {
        out.add(metrics(model, read(dir), layer, heldOut, acts[layer], clean));
      }
    }
    return out;
  }

  /** Whether {@code dir} holds a complete SAE. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve("cfg.json")) && Files.isRegularFile(dir.resolve("sae_weights.safetensors"));
  }
}
