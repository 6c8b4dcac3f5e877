package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Greedy generation (KV cache on and off, batched, with hooks) and cross-entropy against the reference. */
class GenerationAndLossTest {

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void greedyTokensMatchReferenceWithAndWithoutKvCache(String arch) {
    Fixture f = Fixture.of(arch);
    List<int[]> prompts = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (JsonNode g : f.reference.get("generation")) {
      prompts.add(Fixture.ids(g.get("prompt_ids")));
      expected.add(Fixture.ids(g.get("greedy_new_ids")));
    }
    for (boolean cache : new boolean[] {true, false}) {
      for (int i = 0; i < prompts.size(); i++) {
        GenerationOptions opts = new GenerationOptions(expected.get(i).length, Set.of(), cache);
        List<int[]> got = f.model.generateGreedy(TokenBatch.of(prompts.get(i)), opts, Hooks.none());
        assertArrayEquals(expected.get(i), got.get(0), arch + " generation " + i + " kvCache=" + cache);
      }
    }
    // all prompts at once (left padding) give the same tokens
    GenerationOptions opts = new GenerationOptions(expected.get(0).length, Set.of(), true);
    List<int[]> batched = f.model.generateGreedy(new TokenBatch(prompts), opts, Hooks.none());
    for (int i = 0; i < prompts.size(); i++) {
      assertArrayEquals(expected.get(i), batched.get(i), arch + " batched generation " + i);
    }
  }

  @Test
  void generationStopsAtAStopTokenAndKeepsIt() {
    Fixture f = Fixture.of("gemma2");
    JsonNode g = f.reference.get("generation").get(0);
    int[] expected = Fixture.ids(g.get("greedy_new_ids"));
    int stop = expected[2];
    List<int[]> got = f.model.generateGreedy(TokenBatch.of(Fixture.ids(g.get("prompt_ids"))),
        new GenerationOptions(expected.length, Set.of(stop), true), Hooks.none());
    int firstStop = 0;
    while (expected[firstStop] != stop) {
      firstStop++;
    }
    assertEquals(firstStop + 1, got.get(0).length);
    assertEquals(stop, got.get(0)[firstStop]);
    assertTrue(f.model.stopTokens().containsAll(f.model.config().shape().eosTokenIds()));
  }

  @Test
  void hooksStayActiveAtEveryGenerationStepAndSeeGeneratedSlots() {
    Fixture f = Fixture.of("llama3");
    JsonNode g = f.reference.get("generation").get(0);
    int[] prompt = Fixture.ids(g.get("prompt_ids"));
    int steps = 5;
    List<String> calls = new ArrayList<>();
    Hook<INDArray> observe = (x, name, ctx) -> {
      calls.add(ctx.chunkStart() + ":" + ctx.chunkLength() + ":" + ctx.isGenerated(ctx.chunkLength() - 1));
      return null;
    };
    f.model.generateGreedy(TokenBatch.of(prompt), new GenerationOptions(steps, Set.of(), true),
        Hooks.of(HookName.residPost(2), observe));
    List<String> expected = new ArrayList<>();
    expected.add("0:" + prompt.length + ":false");
    for (int s = 0; s < steps - 1; s++) {
      expected.add((prompt.length + s) + ":1:true");
    }
    assertEquals(expected, calls);
    // a replacing hook changes what is generated, at every step
    Hook<INDArray> scramble = (x, name, ctx) -> x.mul(-4.0);
    List<int[]> steered = f.model.generateGreedy(TokenBatch.of(prompt), new GenerationOptions(steps, Set.of(), true),
        Hooks.of(HookName.residPost(3), scramble));
    List<int[]> steeredNoCache = f.model.generateGreedy(TokenBatch.of(prompt),
        new GenerationOptions(steps, Set.of(), false), Hooks.of(HookName.residPost(3), scramble));
    assertArrayEquals(steeredNoCache.get(0), steered.get(0), "hooked generation must agree with and without cache");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void crossEntropyMatchesReference(String arch) {
    Fixture f = Fixture.of(arch);
    List<int[]> rows = new ArrayList<>();
    for (int p = 0; p < f.promptCount(); p++) {
      int[] ids = f.inputIds(p);
      rows.add(ids);
      double expected = f.prompt(p).get("ce_loss_next_token_mean").asDouble();
      assertEquals(expected, f.model.crossEntropy(ids, Hooks.none()), 1e-4, arch + " p" + p);
    }
    double[] batched = f.model.crossEntropy(new TokenBatch(rows), Hooks.none());
    for (int p = 0; p < rows.size(); p++) {
      assertEquals(f.prompt(p).get("ce_loss_next_token_mean").asDouble(), batched[p], 1e-4, arch + " batched p" + p);
    }
  }
}
