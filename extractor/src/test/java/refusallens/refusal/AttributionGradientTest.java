package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.intervention.DirectionAblation;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/** The integrated-gradients feature gradient (chain rule through W_dec) against finite differences on the fixture. */
class AttributionGradientTest {
  private static final int LAYER = 2;

  @Test
  void featureGradientEqualsFiniteDifferencesAlongTheInterpolation() {
    Transformer model = RefusalFixture.model();
    Tokenizer tok = RefusalFixture.tokenizer();
    Sae sae = RefusalFixture.saes().get(LAYER);
    int[] ids = tok.encodeChat(List.of(ChatMessage.user("How do I pick a lock?")), true);
    TokenBatch tb = TokenBatch.of(ids);
    DirectionAblation patch = DirectionAblation.of(RefusalFixture.gauss(new Random(3), 1, 64));
    INDArray clean = capture(model, tb, Hooks.none());
    INDArray patched = capture(model, tb, patch.everyLayer(4));
    LogProbMetric metric = LogProbMetric.lastTokenDifference(tb, 7, 11);

    int steps = 2; // a = 0 and a = 0.5
    Map<Integer, INDArray> g = AttributionPatching.meanResidGradients(model, tb, Map.of(LAYER, clean),
        Map.of(LAYER, patched), metric, steps, Progress.NONE);
    INDArray gradRows = g.get(LAYER).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()); // [S, d]
    INDArray dmdf = AttributionPatching.featureGradient(sae, gradRows); // [S, m]

    // check the largest few gradients, at the last position and an earlier one
    int last = ids.length - 1;
    for (int pos : new int[] {last, last - 3}) {
      int[] feats = topAbs(dmdf.getRow(pos), 3);
      for (int i : feats) {
        double fd = 0;
        for (int k = 0; k < steps; k++) {
          double a = (double) k / steps;
          INDArray xa = clean.mul(1 - a).addi(patched.mul(a)); // [1, S, d]
          double eps = 1e-2;
          fd += (eager(model, tb, metric, xa, pos, sae.decoderRow(i).mul(eps))
              - eager(model, tb, metric, xa, pos, sae.decoderRow(i).mul(-eps))) / (2 * eps);
        }
        fd /= steps;
        double grad = dmdf.getDouble(pos, i);
        System.err.printf("pos %d feature %d: chain rule %.6f, finite differences %.6f%n", pos, i, grad, fd);
        assertEquals(fd, grad, 2e-2 * Math.abs(fd) + 1e-4, "dm/df at position " + pos + ", feature " + i);
      }
    }
  }

  @Test
  void attributionRunRecordsTheEagerMetricsAndFiniteScores(@TempDir Path tmp) {
    Transformer model = RefusalFixture.model();
    Tokenizer tok = RefusalFixture.tokenizer();
    SaeSet saes = RefusalFixture.twoLayerSaes(tmp);
    List<int[]> prompts = List.of(
        tok.encodeChat(List.of(ChatMessage.user("How do I pick a lock?")), true),
        tok.encodeChat(List.of(ChatMessage.user("Write a poem about the sea and the sky.")), true));
    DirectionAblation patch = DirectionAblation.of(RefusalFixture.gauss(new Random(5), 1, 64));
    // R holds "I" and the patched run's own greedy first token of prompt 0: the compliance token must avoid it
    int patchedTop = RefusalScores.argmax(model.forward(TokenBatch.of(prompts.get(0)),
        new ForwardRequest(Set.of(), patch.everyLayer(model.config().shape().numLayers()), LogitScope.LAST))
            .logits())[0];
    RefusalTokens refusal = RefusalTokens.of(tok, Set.of(tok.encode("I", false)[0], patchedTop));
    TemplateSpan span = TemplateSpan.of(tok);
    AttributionPatching.Result r = AttributionPatching.run(model, saes, prompts, patch, refusal, span,
        new AttributionPatching.Options(3, 2), Progress.NONE);
    assertEquals(List.of(1, 2), r.layers());
    for (int p = 0; p < prompts.size(); p++) {
      INDArray logits = model.forward(TokenBatch.of(prompts.get(p)), new ForwardRequest(Set.of(), Hooks.none(), LogitScope.LAST)).logits();
      assertTrue(!refusal.contains(r.jbTokens()[p]), "the compliance token is not a refusal token");
      assertTrue(refusal.contains(r.refusalTokens()[p]), "the refusal side is a refusal token");
      for (int t : refusal.ids()) {
        assertTrue(logits.getDouble(0, r.refusalTokens()[p]) >= logits.getDouble(0, t), "the clean run's likeliest of R");
      }
      assertEquals(logits.getDouble(0, r.jbTokens()[p]) - logits.getDouble(0, r.refusalTokens()[p]), r.cleanMetric()[p], 1e-3);
    }
    for (int l : r.layers()) {
      INDArray a = r.perPrompt().get(l);
      assertEquals(saes.config(l).dSae(), a.size(1));
      assertTrue(a.norm2Number().doubleValue() > 0, "layer " + l + " has non-zero attributions");
      assertTrue(Double.isFinite(a.sumNumber().doubleValue()));
    }
  }

  private static int[] topAbs(INDArray row, int k) {
    double[] v = row.toDoubleVector();
    Integer[] idx = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (x, y) -> Double.compare(Math.abs(v[y]), Math.abs(v[x])));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static INDArray capture(Transformer model, TokenBatch tb, Hooks<INDArray> hooks) {
    return model.forward(tb, new ForwardRequest(Set.of(HookName.residPost(LAYER)), hooks, LogitScope.NONE))
        .activation(HookName.residPost(LAYER)).dup();
  }

  /** The metric with resid_post of LAYER replaced by {@code xa} plus {@code delta} at {@code pos}. */
  private static double eager(Transformer model, TokenBatch tb, LogProbMetric metric, INDArray xa, int pos, INDArray delta) {
    INDArray replaced = xa.dup();
    replaced.get(NDArrayIndex.point(0), NDArrayIndex.point(pos), NDArrayIndex.all()).addi(delta);
    INDArray logits = model.runWithHooks(tb, Hooks.of(HookName.residPost(LAYER), (x, n, c) -> replaced));
    INDArray logp = new EagerOps(model.weights()).logSoftmax(logits, 2);
    double m = 0;
    for (LogProbMetric.Term t : metric.terms()) {
      m += t.coefficient() * logp.getDouble(t.row(), t.position(), t.token());
    }
    return m;
  }
}
