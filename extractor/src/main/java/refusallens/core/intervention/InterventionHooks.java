package refusallens.core.intervention;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.EagerHook;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.Hook;
import refusallens.core.model.HookContext;
import refusallens.core.model.Hooks;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;

/**
 * An intervention as runtime hooks: at the hook of each layer's SAE, a {@link FeatureClamp} of that layer's
 * entries, applied per batch row to the positions each entry names (left padding never edited), during the
 * prompt pass and every generation step alike.
 */
public final class InterventionHooks {
  private InterventionHooks() {}

  /** Hooks for every layer of {@code spec} (checked against {@code saes}; SAE weights load when first used). */
  public static Hooks<INDArray> of(InterventionSpec spec, SaeSet saes) {
    spec.validateAgainst(saes);
    Hooks<INDArray> hooks = Hooks.none();
    for (int layer : spec.layers()) {
      List<FeatureIntervention> entries = spec.atLayer(layer);
      hooks = hooks.with(
          saes.config(layer).hook(),
          new EagerHook(
              (act, name, ctx) -> clamp(act, saes.get(layer), entries, ctx),
              (act, name, ctx) -> clamp(act, saes.get(layer), entries, ctx)));
    }
    return hooks;
  }

  /** One hook clamping {@code entries} (all at {@code sae}'s layer) at {@code sae}'s hook. */
  public static Hook<INDArray> clampAt(Sae sae, List<FeatureIntervention> entries) {
    return new EagerHook((act, name, ctx) -> clamp(act, sae, entries, ctx), (act, name, ctx) -> clamp(act, sae, entries, ctx));
  }

  /** The same clamp on the plain-Java backend: act [B, S, d] on the heap, no copy through ND4J. */
  static FloatTensor clamp(FloatTensor act, Sae sae, List<FeatureIntervention> entries, HookContext<FloatTensor> ctx) {
    int s = act.size(1);
    int d = act.size(2);
    float[] out = act.data().clone(); // [B, S, d]
    for (int b = 0; b < ctx.batch(); b++) {
      FloatTensor resid = new FloatTensor(Arrays.copyOfRange(act.data(), b * s * d, (b + 1) * s * d), s, d);
      for (FeatureIntervention iv : entries) {
        int row = b;
        int[] rows =
            IntStream.of(iv.positions().rows(ctx.chunkStart(), ctx.chunkLength(), ctx.promptEnd()))
                .filter(p -> !ctx.isPadding(row, p))
                .toArray();
        if (rows.length == 0) {
          continue;
        }
        float[] e = FeatureClamp.edit(resid, sae, iv, rows).data(); // edits of the unedited resid, summed
        for (int i = 0; i < e.length; i++) {
          out[b * s * d + i] += e[i];
        }
      }
    }
    return new FloatTensor(out, act.shape());
  }

  /** act [B, S, d] -> act with each row's selected positions clamped. */
  static INDArray clamp(INDArray act, Sae sae, List<FeatureIntervention> entries, HookContext<INDArray> ctx) {
    INDArray out = act.castTo(DataType.FLOAT).dup('c'); // [B, S, d]
    for (int b = 0; b < ctx.batch(); b++) {
      INDArray resid = act.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()); // [S, d]
      INDArray sum = null;
      for (FeatureIntervention iv : entries) {
        int row = b;
        int[] rows =
            IntStream.of(iv.positions().rows(ctx.chunkStart(), ctx.chunkLength(), ctx.promptEnd()))
                .filter(s -> !ctx.isPadding(row, s))
                .toArray();
        if (rows.length == 0) {
          continue;
        }
        INDArray e = FeatureClamp.edit(resid, sae, iv, rows); // [S, d]
        sum = sum == null ? e : sum.addi(e);
      }
      if (sum != null) {
        out.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).addi(sum);
      }
    }
    return out;
  }
}
