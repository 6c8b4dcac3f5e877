package refusallens.probes;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.Identity;
import refusallens.probes.view.ResolvedView;
import refusallens.probes.view.ViewBlock;

/**
 * What a probe reads: the view spec as written and resolved, the model and SAE it was trained on, and the
 * column blocks (layer, position rule, residual dimensions or SAE feature ids).
 *
 * @param sae null when the view reads no SAE feature
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeView(String spec, String resolved, Identity model, Identity sae, List<ViewBlock> blocks) {
  public ProbeView {
    Objects.requireNonNull(model, "probe view: model identity");
    blocks = List.copyOf(blocks);
  }

  /** The view of a resolved spec on a store. */
  public static ProbeView of(ResolvedView v, ActivationStore store) {
    boolean usesSae = v.blocks().stream().anyMatch(b -> b.kind() == refusallens.refusal.extract.StoreTensor.Kind.SAE_ACTS);
    return new ProbeView(v.spec(), v.resolved(), store.header().model(), usesSae ? store.header().sae() : null, v.blocks());
  }

  /** Number of input columns. */
  public int width() {
    return blocks.stream().mapToInt(ViewBlock::width).sum();
  }

  /** The view's rows of a store, after checking that the store has the same model and SAE. */
  public double[][] matrix(ActivationStore store, int[] rows, String probeFile) {
    checkCompatible(store.header().model(), store.header().sae(), probeFile + " against " + store.dir());
    return new ResolvedView(spec, resolved, blocks).matrix(store, rows);
  }

  /**
   * Fails with a clear message when {@code model} or {@code sae} is not the one the probe was trained on
   * (hashes decide).
   */
  public void checkCompatible(Identity model, Identity sae, String where) {
    if (!this.model.sameAs(model)) {
      throw new ProbeMismatchException(
          where + ": the probe was trained on model " + this.model + " but the activations come from model "
              + model + "; retrain the probe or use the matching model");
    }
    if (this.sae != null && !this.sae.sameAs(sae)) {
      throw new ProbeMismatchException(
          where + ": the probe reads SAE features of " + this.sae + " but the SAE set is "
              + (sae == null ? "missing" : sae.toString()) + "; retrain the probe or use the matching SAE");
    }
  }
}
