package refusallens.eval.clamp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.judge.RefusalPhraseJudge;
import refusallens.core.intervention.DirectionAddition;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.refusal.DiscoveryData;
import refusallens.refusal.FeaturesFile;
import refusallens.lens.Lens;

/**
 * The clamping evaluation on the fixture: per-prompt jailbreak hooks reach exactly their own prompts (the rest
 * run under the global hooks), coherence is measured under the global hooks, and the plain-text CE of an arm
 * without intervention equals the base one.
 */
class ClampEvaluationTest {
  @Test
  void perPromptHooksReachOnlyTheirOwnPromptAndCoherenceUsesTheGlobalHooks() {
    Path dir = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");
    Lens lens = Lens.open(dir.resolve("model")).withSaes(dir.resolve("sae"));
    EvalContext ctx = new EvalContext(lens, (FeaturesFile) null, RefusalPhraseJudge.standard(), 6, 4, 0,
        Progress.NONE, null);
    DiscoveryData data = DiscoveryData.builtin(1, 3);
    List<Prompt> harmful = data.harmfulVal().subList(0, 3);
    List<Prompt> harmless = data.harmlessVal().subList(0, 2);
    ClampEvaluation eval = new ClampEvaluation(ctx, harmful, harmless, PlainText.referenceAnswers(0, 3));
    ClampEvaluation.Base base = eval.base();
    assertTrue(base.ceText() > 0 && Double.isFinite(base.ceText()), "plain-text CE " + base.ceText());

    // a strong own intervention for prompt 1 only; the global "clamp" is no intervention
    Transformer model = lens.model();
    float[] v = new float[model.config().shape().dModel()];
    Random r = new Random(4);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    Hooks<INDArray> strong =
        DirectionAddition.of(Nd4j.createFromArray(v), 40).everyLayer(model.config().shape().numLayers());
    Prompt own = harmful.get(1);
    ClampEvaluation.Arm arm = eval.arm("per-prompt", Map.of(own.id(), strong), Hooks.none(), null);
    int[] alone = ctx.generator().run(List.of(own), strong).get(0).completionIds();
    assertArrayEquals(alone, arm.jailbroken().get(1).completionIds(), "prompt 1 runs under its own hooks");
    assertFalse(Arrays.equals(alone, base.harmful().get(1).completionIds()), "its own hooks change its completion");
    for (int i : new int[] {0, 2}) {
      assertArrayEquals(base.harmful().get(i).completionIds(), arm.jailbroken().get(i).completionIds(),
          "prompt " + i + " runs under the global hooks");
      assertEquals(harmful.get(i).id(), arm.jailbroken().get(i).prompt().id(), "results keep the input order");
    }
    assertEquals(base.ce(), arm.ceClamped(), 0, "coherence under the global hooks");
    assertEquals(base.ceText(), arm.ceTextClamped(), 0);
    assertTrue(Double.isNaN(arm.refusalScore()), "no induction, no refusal score");
  }
}
