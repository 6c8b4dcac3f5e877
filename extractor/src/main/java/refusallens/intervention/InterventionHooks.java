package refusallens.intervention;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.model.HookContext;
import refusallens.model.HookName;
import refusallens.model.Hooks;
import refusallens.sae.Sae;
import refusallens.sae.SaeSet;

/**
 * Turns an {@link InterventionSpec} into eager runtime hooks at {@code blocks.L.hook_resid_post}: each
 * batch row's real (non-padding) positions go through {@link FeatureClamp}, with prompt versus
 * generated positions taken from the hook context, so one spec serves prompt processing and every
 * generation step alike.
 */
public final class InterventionHooks {
  private InterventionHooks() {}

  /** Hooks that apply every entry of {@code spec} with the SAEs of {@code saes}. */
  public static Hooks<INDArray> featureClamps(InterventionSpec spec, SaeSet saes) {
    spec.validateAgainst(saes);
    Hooks<INDArray> hooks = Hooks.none();
    for (int layer : spec.layers()) {
      Sae sae = saes.get(layer);
      List<FeatureIntervention> entries = spec.atLayer(layer);
      hooks = hooks.with(HookName.residPost(layer), (x, name, ctx) -> clampRows(x, sae, entries, ctx));
    }
    return hooks;
  }

  /** x [B, C, d] with each row's real positions clamped. */
  private static INDArray clampRows(
      INDArray x, Sae sae, List<FeatureIntervention> entries, HookContext<INDArray> ctx) {
    INDArray out = x.dup();
    int chunk = ctx.chunkLength();
    for (int b = 0; b < ctx.batch(); b++) {
      int first = 0;
      while (first < chunk && ctx.isPadding(b, first)) {
        first++;
      }
      if (first == chunk) {
        continue; // a chunk of padding only
      }
      INDArrayIndex[] rowIdx = {
        NDArrayIndex.point(b), NDArrayIndex.interval(first, chunk), NDArrayIndex.all()
      };
      INDArray resid = x.get(rowIdx).dup(); // [real, d]
      int promptLength = ctx.promptEnd() - ctx.padLeft()[b];
      INDArray edited = FeatureClamp.apply(resid, sae, entries, ctx.position(b, first), promptLength);
      out.put(rowIdx, edited);
    }
    return out;
  }
}
