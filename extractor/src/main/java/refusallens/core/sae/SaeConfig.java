package refusallens.core.sae;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;
import refusallens.core.model.HookName;

/**
 * What an SAE directory holds, read from its config and tensor headers without loading weights.
 *
 * @param source the SAE directory
 * @param layout its on-disk layout
 * @param architecture activation function
 * @param hook the hook point, e.g. {@code blocks.12.hook_resid_post}
 * @param dIn input width (the model's d_model)
 * @param dSae number of features
 * @param applyBDecToInput whether encode subtracts b_dec from the input first
 * @param topK k of a TopK SAE (empty otherwise)
 * @param inputScale s folded into the weights at load (W_enc*s, W_dec/s, b_dec/s, threshold*s); 1 if none
 */
public record SaeConfig(
    Path source,
    SaeLayout layout,
    SaeArchitecture architecture,
    HookName hook,
    int dIn,
    int dSae,
    boolean applyBDecToInput,
    OptionalInt topK,
    double inputScale) {
  public SaeConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(topK, "topK");
    if (dIn <= 0 || dSae <= 0) {
      throw new SaeException(source + ": bad SAE dimensions (d_in " + dIn + ", d_sae " + dSae + ")");
    }
    if ((architecture == SaeArchitecture.TOPK) != topK.isPresent()) {
      throw new SaeException(source + ": a TopK SAE needs k, and only a TopK SAE has one");
    }
    if (topK.isPresent() && (topK.getAsInt() <= 0 || topK.getAsInt() > dSae)) {
      throw new SaeException(source + ": top-k k = " + topK.getAsInt() + " must be in 1.." + dSae);
    }
    if (!(inputScale > 0) || Double.isInfinite(inputScale)) {
      throw new SaeException(source + ": input scale must be a positive number, got " + inputScale);
    }
  }

  /** The hook's layer. */
  public int layer() {
    return hook.layer();
  }

  /** The hook name as TransformerLens writes it. */
  public String hookName() {
    return hook.toString();
  }

  /** Bytes the float32 weights take once loaded (W_enc, W_dec, biases, threshold). */
  public long weightBytes() {
    return 4L * (2L * dIn * dSae + 2L * dSae + dIn);
  }
}
