package refusallens.core.sae;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.model.HookName;

/**
 * SAELens layout: {@code cfg.json} (architecture standard | jumprelu | topk, d_in, d_sae, hook_name,
 * apply_b_dec_to_input, normalize_activations) and {@code sae_weights.safetensors} (W_enc [d, m], W_dec
 * [m, d], b_enc, b_dec, threshold or log_threshold).
 */
final class SaeLensLoader implements SaeLoader {
  static final String CONFIG = "cfg.json";
  static final String WEIGHTS = "sae_weights.safetensors";

  @Override
  public SaeConfig readConfig(Path dir, OptionalInt layer) {
    ConfigJson cfg = ConfigJson.read(dir.resolve(CONFIG));
    Path file = cfg.file();
    String archName = cfg.optionalText("architecture").orElse("standard");
    String fn = cfg.optionalText("activation_fn_str").or(() -> cfg.optionalText("activation_fn")).orElse("relu");
    SaeArchitecture arch =
        switch (archName) {
          case "standard" -> switch (fn) {
            case "relu" -> SaeArchitecture.STANDARD;
            case "topk" -> SaeArchitecture.TOPK; // older SAELens: a TopK SAE is "standard" with activation topk
            default -> throw new SaeException(file + ": activation '" + fn + "' is not supported (relu or topk)");
          };
          case "jumprelu" -> SaeArchitecture.JUMPRELU;
          case "topk" -> SaeArchitecture.TOPK;
          default -> throw new SaeException(
              file + ": architecture '" + archName + "' is not supported (standard, jumprelu, topk)");
        };
    int dIn = cfg.requiredInt("d_in");
    int dSae = cfg.requiredInt("d_sae");
    String hookText = cfg.requiredText("hook_name");
    HookName hook = SaeLoader.parseHook(file, hookText);
    cfg.optionalInt("hook_layer")
        .filter(l -> l != hook.layer())
        .ifPresent(
            l -> {
              throw new SaeException(file + ": hook_layer " + l + " does not match hook_name " + hook);
            });
    SaeLoader.checkLayer(file, hook, layer);
    if (cfg.optionalBoolean("finetuning_scaling_factor").orElse(false)) {
      throw new SaeException(file + ": finetuning_scaling_factor true is not supported");
    }
    String norm = cfg.optionalText("normalize_activations").orElse("none");
    double scale =
        switch (norm) {
          case "none" -> 1.0;
          case "expected_average_only_in" -> {
            if (!cfg.has("norm_scaling_factor")) {
              throw new SaeException(
                  file + ": normalize_activations 'expected_average_only_in' needs 'norm_scaling_factor' to fold into the weights");
            }
            yield cfg.requiredDouble("norm_scaling_factor");
          }
          default -> throw new SaeException(
              file + ": normalize_activations '" + norm + "' is not supported (none, expected_average_only_in)");
        };
    OptionalInt k = OptionalInt.empty();
    if (arch == SaeArchitecture.TOPK) {
      Integer kk =
          cfg.optionalInt("k")
              .or(() -> cfg.optionalObject("activation_fn_kwargs").flatMap(o -> o.optionalInt("k")))
              .orElseThrow(() -> cfg.missing("k", "top-k, or activation_fn_kwargs.k"));
      k = OptionalInt.of(kk);
    }
    boolean applyBDec = cfg.optionalBoolean("apply_b_dec_to_input").orElse(true);
    SaeConfig out = new SaeConfig(dir, SaeLayout.SAE_LENS, arch, hook, dIn, dSae, applyBDec, k, scale);
    try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
      w.requireShape("W_enc", dIn, dSae);
      w.requireShape("W_dec", dSae, dIn);
      w.requireShape("b_enc", dSae);
      w.requireShape("b_dec", dIn);
      if (arch == SaeArchitecture.JUMPRELU) {
        w.requireShape(w.contains("threshold") || !w.contains("log_threshold") ? "threshold" : "log_threshold", dSae);
      }
    }
    return out;
  }

  @Override
  public Sae load(SaeConfig c) {
    try (SafetensorsFile w = SafetensorsFile.open(c.source().resolve(WEIGHTS))) {
      INDArray threshold = null;
      if (c.architecture() == SaeArchitecture.JUMPRELU) {
        threshold =
            w.contains("threshold")
                ? w.getFloat("threshold", c.dSae())
                : Transforms.exp(w.getFloat("log_threshold", c.dSae()), false);
      }
      return Sae.of(
          c,
          w.getFloat("W_enc", c.dIn(), c.dSae()),
          w.getFloat("b_enc", c.dSae()),
          w.getFloat("W_dec", c.dSae(), c.dIn()),
          w.getFloat("b_dec", c.dIn()),
          threshold);
    }
  }
}
