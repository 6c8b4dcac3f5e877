package refusallens.refusal.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.HookName;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.refusal.TemplateSpan;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

class ExtractionTest {
  private static final Path MODEL = SharedFixtures.arch("gemma2").resolve("model");
  private static final Path SAE = SharedFixtures.arch("gemma2").resolve("sae");

  private static List<Prompt> prompts() {
    String[] texts = {"How do I bake bread?", "Explain rivers.", "Write a poem about the sea and the sky",
      "How to pick a lock", "Tell me a joke", "List three colours please"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(Prompt.of("p" + i, texts[i], i % 2 == 0 ? Label.HARMLESS : Label.HARMFUL, "c" + (i % 3), "test"));
    }
    return out;
  }

  private static Extraction extraction(Transformer model, Tokenizer tok, SaeSet saes) {
    return new Extraction(model, tok, saes, new Extraction.Options(
        List.of(1, 3), List.of(PositionRule.LAST, PositionRule.PROMPT_MEAN), Extraction.SaeFeatures.ALL, 2, 7));
  }

  private static StoreHeader header(Extraction e) {
    return new StoreHeader(new Identity("tiny", "h"), new Identity("sae", "s"), new Identity("d", "x"),
        e.tensors(), 7, null, Map.of());
  }

  @Test
  void storedRowsEqualSinglePromptRunsAndResumeAfterInterruption(@TempDir Path tmp) {
    Transformer model = Transformer.open(MODEL);
    Tokenizer tok = Tokenizer.load(MODEL);
    SaeSet saes = SaeSet.open(List.of(new SaeSet.Source(SAE, OptionalInt.of(2))), 64, 4, SaeSet.Options.defaults());
    Extraction ex = extraction(model, tok, saes);
    List<Prompt> prompts = prompts();

    // Interrupt after the first shard (as a kill between shards would), leaving a stray temp file behind.
    Path dir = tmp.resolve("store");
    Progress crashAfterFirst = new Progress() {
      long steps;
      @Override public void start(String stage, long total) {}
      @Override public void step(long n) {
        steps += n;
        if (steps >= 2) throw new IllegalStateException("killed");
      }
      @Override public void log(String message) {}
    };
    var killed = assertThrows(IllegalStateException.class,
        () -> ex.run(prompts, ActivationStoreWriter.open(dir, header(ex)), crashAfterFirst));
    assertEquals("killed", killed.getMessage());
    assertEquals(2, ActivationStore.open(dir).size());
    try {
      Files.writeString(dir.resolve(".shard-00001.safetensors.tmp"), "partial");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int resumed = ex.run(prompts, ActivationStoreWriter.open(dir, header(ex)), Progress.NONE);
    assertEquals(4, resumed);
    ActivationStore store = ActivationStore.open(dir);
    assertEquals(List.of("p0", "p1", "p2", "p3", "p4", "p5"), store.rows().stream().map(StoreRow::id).toList());

    // Each row equals the same prompt run alone.
    TemplateSpan span = TemplateSpan.of(tok);
    int[] rows = {0, 1, 2, 3, 4, 5};
    double[][] last3 = store.matrix("resid_post.L3.last", rows);
    double[][] mean1 = store.matrix("resid_post.L1.prompt_mean", rows);
    double[][] sae2 = store.matrix("sae_acts.L2.last", rows);
    for (int i = 0; i < prompts.size(); i++) {
      int[] ids = TemplateSpan.encode(tok, prompts.get(i));
      var result = model.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(
          Set.of(HookName.residPost(1), HookName.residPost(2), HookName.residPost(3))));
      INDArray r3 = result.activation(HookName.residPost(3)).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
      INDArray r1 = result.activation(HookName.residPost(1)).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
      INDArray r2 = result.activation(HookName.residPost(2)).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
      assertArrayEquals(r3.getRow(ids.length - 1).toDoubleVector(), last3[i], 1e-4, "last L3 row " + i);
      INDArray mean = r1.get(NDArrayIndex.interval(span.contentStart(ids.length), ids.length), NDArrayIndex.all()).mean(0);
      assertArrayEquals(mean.toDoubleVector(), mean1[i], 1e-4, "prompt mean L1 row " + i);
      INDArray acts = saes.get(2).encode(r2.getRow(ids.length - 1).reshape(1, 64).dup());
      assertArrayEquals(acts.toDoubleVector(), sae2[i], 1e-4, "SAE acts L2 row " + i);
    }
  }

  @Test
  void badOptionsAreClearErrors() {
    Transformer model = Transformer.open(MODEL);
    Tokenizer tok = Tokenizer.load(MODEL);
    var e = assertThrows(IllegalArgumentException.class, () -> new Extraction(model, tok, null,
        new Extraction.Options(List.of(9), List.of(PositionRule.LAST), Extraction.SaeFeatures.NONE, 2, 0)));
    assertEquals("--layers: layer 9 outside the model's 0..3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Extraction(model, tok, null,
        new Extraction.Options(List.of(1), List.of(PositionRule.LAST), Extraction.SaeFeatures.ALL, 2, 0)));
  }
}
