package refusallens.core.sae;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.files.AtomicFiles;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.HookName;

/**
 * Writes an SAE in SAELens layout ({@code cfg.json} + {@code sae_weights.safetensors}, float32), the layout
 * our own SAEs (e.g. the organism's) are saved in, loadable here and by SAELens. Files are replaced
 * atomically.
 */
public final class SaeLensWriter {
  private SaeLensWriter() {}

  /**
   * Writes the SAE with weights W_enc [d, m], b_enc [m], W_dec [m, d], b_dec [d] and, for JumpReLU,
   * threshold [m]; {@code k} for TopK.
   */
  public static void write(
      Path dir,
      SaeArchitecture architecture,
      HookName hook,
      boolean applyBDecToInput,
      OptionalInt k,
      INDArray wEnc,
      INDArray bEnc,
      INDArray wDec,
      INDArray bDec,
      INDArray threshold) {
    if (wEnc.rank() != 2) {
      throw new IllegalArgumentException("W_enc must be [d_in, d_sae]");
    }
    int dIn = (int) wEnc.size(0);
    int dSae = (int) wEnc.size(1);
    // Validates shapes and architecture parameters exactly as loading will.
    SaeConfig config =
        new SaeConfig(dir, SaeLayout.SAE_LENS, architecture, hook, dIn, dSae, applyBDecToInput, k, 1.0);
    Sae.of(config, wEnc, bEnc, wDec, bDec, threshold);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode cfg = json.createObjectNode();
    cfg.put("architecture", architecture.key());
    cfg.put("d_in", dIn);
    cfg.put("d_sae", dSae);
    cfg.put("dtype", "float32");
    cfg.put("hook_name", hook.toString());
    cfg.put("hook_layer", hook.layer());
    cfg.putNull("hook_head_index");
    cfg.put("activation_fn_str", architecture == SaeArchitecture.TOPK ? "topk" : "relu");
    if (k.isPresent()) {
      cfg.put("k", k.getAsInt());
      cfg.putObject("activation_fn_kwargs").put("k", k.getAsInt());
    }
    cfg.put("apply_b_dec_to_input", applyBDecToInput);
    cfg.put("finetuning_scaling_factor", false);
    cfg.put("normalize_activations", "none");
    SafetensorsWriter w =
        new SafetensorsWriter().putF32("W_enc", wEnc).putF32("b_enc", bEnc).putF32("W_dec", wDec).putF32("b_dec", bDec);
    if (architecture == SaeArchitecture.JUMPRELU) {
      w.putF32("threshold", threshold);
    }
    w.write(dir.resolve(SaeLensLoader.WEIGHTS));
    try {
      AtomicFiles.writeString(dir.resolve(SaeLensLoader.CONFIG), json.writeValueAsString(cfg) + "\n");
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new SaeException(dir + ": cannot write " + SaeLensLoader.CONFIG + ": " + e, e);
    }
  }

  /** Writes a loaded SAE (weights as folded, so normalize_activations is "none"). */
  public static void write(Path dir, Sae sae) {
    SaeConfig c = sae.config();
    write(dir, c.architecture(), c.hook(), c.applyBDecToInput(), c.topK(), sae.wEnc(), sae.bEnc(), sae.wDec(), sae.bDec(),
        sae instanceof JumpReluSae j ? j.threshold() : null);
  }
}
