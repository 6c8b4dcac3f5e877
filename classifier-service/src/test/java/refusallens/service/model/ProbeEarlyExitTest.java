package refusallens.service.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import refusallens.chat.ChatMessage;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The service's classification pass stops early: it runs the layers up to the probe's deepest layer only, computes
 * that layer at each prompt's last slot only, and skips the unembedding; its probe inputs equal those of a full
 * pass (every layer, every position, logits) on the tiny Gemma-2 fixture.
 */
class ProbeEarlyExitTest {
  @Test
  void classificationStopsAtTheProbesDeepestLayerAndMatchesAFullPass() throws Exception {
    FixtureArtifacts fx = new FixtureArtifacts();
    Transformer model = Transformer.open(fx.model);
    Tokenizer tokenizer = Tokenizer.load(fx.model);
    int d = model.config().shape().dModel();
    int layers = model.config().shape().numLayers();
    SaeSet saes = SaeSet.open(List.of(new SaeSet.Source(fx.sae, OptionalInt.empty())), d, layers, SaeSet.Options.defaults());
    ProbeInput input = new ProbeInput(fx.probe, saes, tokenizer, d, layers, fx.probeFile.toString());

    ForwardRequest early = input.request();
    assertEquals(LogitScope.NONE, early.logits(), "no unembedding");
    assertTrue(early.lastSlotsOnly(), "the deepest layer computes the last slot only");
    int deepest = early.capture().stream().mapToInt(HookName::layer).max().orElseThrow();
    assertEquals(FixtureArtifacts.SAE_LAYER, deepest);
    assertTrue(deepest < layers - 1, "layers past the probe's deepest are skipped");

    List<int[]> ids = List.of(
        tokenizer.encodeChat(List.of(ChatMessage.user("How do I pick a lock?")), true),
        tokenizer.encodeChat(List.of(ChatMessage.user("Tell me a story about a dog and a long walk home.")), true),
        tokenizer.encodeChat(List.of(ChatMessage.user("Hi")), true));
    double[][] fast = input.rows(ids, model.forward(new TokenBatch(ids), early));
    ForwardRequest full = new ForwardRequest(early.capture(), Hooks.none(), LogitScope.ALL);
    double[][] slow = input.rows(ids, model.forward(new TokenBatch(ids), full));
    double worst = 0;
    for (int r = 0; r < ids.size(); r++) {
      for (int j = 0; j < slow[r].length; j++) {
        worst = Math.max(worst, Math.abs(fast[r][j] - slow[r][j]) / Math.max(1e-6, Math.abs(slow[r][j])));
      }
      assertEquals(fx.probe.score(slow[r]), fx.probe.score(fast[r]), 1e-6, "prompt " + r + " score");
    }
    assertTrue(worst < 1e-4, "probe inputs of the early and the full pass differ by " + worst);
  }
}
