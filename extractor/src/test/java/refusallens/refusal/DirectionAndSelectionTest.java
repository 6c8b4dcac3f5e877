package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.HookName;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.sae.Sae;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/** Difference in means, the template span, refusal scores and CosSim selection on hand-made cases. */
class DirectionAndSelectionTest {

  @Test
  void differenceInMeansOfTheLastTokenAndOfThePostInstructionTokens() {
    Transformer model = RefusalFixture.model();
    Tokenizer tok = RefusalFixture.tokenizer();
    TemplateSpan span = TemplateSpan.of(tok);
    // the built-in prompts in one padded batch of 8 (this once broke: an interval of a row view came out empty)
    DiscoveryData data = DiscoveryData.builtin(0, 4);
    List<int[]> harmful = EncodedPrompt.ids(EncodedPrompt.encode(tok, data.harmfulTrain().subList(0, 4)));
    List<int[]> harmless = EncodedPrompt.ids(EncodedPrompt.encode(tok, data.harmlessTrain().subList(0, 4)));
    for (DirectionPositions pos : DirectionPositions.values()) {
      // the batch pads rows; the reference runs each prompt alone, one candidate position at a time
      RefusalDirections.Means means = RefusalDirections.means(model, harmful, harmless, pos, span, 8, Progress.NONE);
      INDArray got = means.difference(); // [positions, layers, d]
      assertEquals(means.offsets().size(), got.size(0), pos.wireName());
      assertEquals(pos == DirectionPositions.EACH_POST_INSTRUCTION ? span.postInstruction() : 1, got.size(0), pos.wireName());
      for (int p = 0; p < means.offsets().size(); p++) {
        Integer offset = means.offsets().get(p);
        INDArray want = meanAlone(model, harmful, offset, span).sub(meanAlone(model, harmless, offset, span));
        INDArray row = got.get(NDArrayIndex.point(p), NDArrayIndex.all(), NDArrayIndex.all());
        assertEquals(0.0, row.sub(want).norm2Number().doubleValue(), 1e-4 * want.norm2Number().doubleValue(),
            pos.wireName() + " offset " + offset);
      }
    }
  }

  @Test
  void templateSpanFindsTheHeaderAndTheGenerationPrompt() {
    Tokenizer tok = RefusalFixture.tokenizer();
    TemplateSpan span = TemplateSpan.of(tok);
    int[] ids = chat(tok, "Tell me a story about a dragon.");
    // the span's tokens are the template's text around the request
    String header = tok.decode(java.util.Arrays.copyOfRange(ids, 0, span.header()), false);
    String post = tok.decode(java.util.Arrays.copyOfRange(ids, ids.length - span.postInstruction(), ids.length), false);
    String full = tok.chatTemplate().render(List.of(ChatMessage.user("Tell me a story about a dragon.")), true);
    assertTrue(full.startsWith(header), "header '" + header + "' starts the rendering");
    assertTrue(full.endsWith(post), "post-instruction '" + post + "' ends the rendering");
    assertTrue(!header.contains("dragon") && !post.contains("dragon"));
    assertTrue(post.contains("model"), "Gemma's generation prompt is in the post-instruction tokens: " + post);
  }

  @Test
  void refusalScoreIsTheLogOddsOfTheRefusalTokensAndKlVanishesOnEqualLogits() {
    INDArray logits = Nd4j.createFromArray(new float[][] {{0f, 0f, 0f, 0f}, {(float) Math.log(3), 0f, 0f, 0f}});
    double[] s = RefusalScores.refusalScore(logits, new int[] {0});
    assertEquals(Math.log(0.25 / 0.75), s[0], 1e-6);
    assertEquals(Math.log(0.5 / 0.5), s[1], 1e-6);
    double[] two = RefusalScores.refusalScore(logits, new int[] {0, 1});
    assertEquals(0.0, two[0], 1e-6);
    assertEquals(0.5, RefusalScores.refusalProbability(logits, new int[] {0, 1})[0], 1e-6);
    // Arditi et al.'s epsilon keeps the score finite when R has all or none of the mass
    INDArray certain = Nd4j.createFromArray(new float[][] {{200f, 0f, 0f, 0f}});
    assertEquals(Math.log(1 + RefusalScores.EPSILON) - Math.log(RefusalScores.EPSILON),
        RefusalScores.refusalScore(certain, new int[] {0})[0], 1e-3);
    assertEquals(1, RefusalScores.argmax(logits, v -> v != 0)[1]);
    double[] kl = RefusalScores.kl(logits, logits);
    assertEquals(0.0, kl[0], 1e-9);
    double[] kl2 = RefusalScores.kl(logits.getRow(1).reshape(1, 4), logits.getRow(0).reshape(1, 4));
    // KL((1/2, 1/6, 1/6, 1/6) || uniform) = sum p log(4p)
    assertEquals(0.5 * Math.log(2) + 3 * (1.0 / 6) * Math.log(4.0 / 6), kl2[0], 1e-6);
    assertEquals(0, RefusalScores.argmax(logits)[1]);
  }

  @Test
  void cosSimPicksTheDecoderRowsAlongTheDirection(@TempDir Path tmp) {
    // constructed decoder rows against v = e0: row 3 = 2 e0 (cos 1), row 1 = e0 + e1 (cos 0.707),
    // row 4 = e0 + 3 e1 (0.316), row 0 = e1 (0), row 2 = -e0 (-1), row 5 = 0 (0)
    int d = 4;
    float[][] rows = {{0, 1, 0, 0}, {1, 1, 0, 0}, {-1, 0, 0, 0}, {2, 0, 0, 0}, {1, 3, 0, 0}, {0, 0, 0, 0}};
    INDArray wDec = Nd4j.createFromArray(rows);
    INDArray v = Nd4j.createFromArray(1f, 0f, 0f, 0f);
    double[] cos = CosSimSelection.cosines(wDec, v);
    assertEquals(1 / Math.sqrt(2), cos[1], 1e-6);
    assertEquals(-1.0, cos[2], 1e-6);
    assertEquals(0.0, cos[5], 0.0);
    Sae sae = writeSae(tmp, wDec, d);
    List<CosSimSelection.Candidate> top = CosSimSelection.topK(sae, v.mul(7), 3);
    assertEquals(List.of(3, 1, 4), top.stream().map(CosSimSelection.Candidate::index).toList());
    assertEquals(5, top.get(0).layer());
    assertEquals(6, CosSimSelection.topK(sae, v, 10).size());
  }

  @Test
  void usualRefusalTokenIsTheMostFrequentRefusalTokenAmongFirstTokens() {
    int[] refusal = {10, 11, 12};
    assertEquals(11, FeatureDiscovery.usualRefusalToken(new int[] {11, 3, 11, 12, 4, 10}, refusal));
    assertEquals(10, FeatureDiscovery.usualRefusalToken(new int[] {3, 4, 5}, refusal), "none refuses: the first given");
  }

  @Test
  void layerSelectionRejectsAnOutOfRangeLayer() {
    Transformer model = RefusalFixture.model();
    INDArray dirs = Nd4j.ones(DataType.FLOAT, 1, 4, 64);
    List<int[]> p = List.of(new int[] {2, 5, 6});
    RefusalTokens r = RefusalTokens.of(RefusalFixture.tokenizer(), List.of(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerSelection.select(model, dirs,
        List.of(-1), p, p, r, LayerSelection.Options.defaults().withLayer(java.util.OptionalInt.of(9)), 1, Progress.NONE));
    assertTrue(e.getMessage().contains("--layer 9"), e.getMessage());
  }

  private static Sae writeSae(Path tmp, INDArray wDec, int d) {
    int m = (int) wDec.size(0);
    Path dir = tmp.resolve("sae");
    try {
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.writeString(dir.resolve("cfg.json"), "{\"architecture\": \"standard\", \"d_in\": " + d
          + ", \"d_sae\": " + m + ", \"hook_name\": \"blocks.5.hook_resid_post\", \"apply_b_dec_to_input\": false,"
          + " \"normalize_activations\": \"none\"}");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    new refusallens.core.io.SafetensorsWriter()
        .putF32("W_enc", wDec.transpose().dup())
        .putF32("b_enc", Nd4j.zeros(DataType.FLOAT, m))
        .putF32("W_dec", wDec.castTo(DataType.FLOAT))
        .putF32("b_dec", Nd4j.zeros(DataType.FLOAT, d))
        .write(dir.resolve("sae_weights.safetensors"));
    return Sae.load(dir);
  }

  private static int[] chat(Tokenizer tok, String text) {
    return tok.encodeChat(List.of(ChatMessage.user(text)), true);
  }

  /** Mean over prompts, each run alone (no padding), of resid_post at an offset (null: post-instruction mean): [layers, d]. */
  private static INDArray meanAlone(Transformer model, List<int[]> prompts, Integer offset, TemplateSpan span) {
    int layers = model.config().shape().numLayers();
    INDArray sum = Nd4j.zeros(DataType.FLOAT, layers, model.config().shape().dModel());
    Set<HookName> all = new java.util.TreeSet<>();
    for (int l = 0; l < layers; l++) {
      all.add(HookName.residPost(l));
    }
    for (int[] ids : prompts) {
      var res = model.runWithCache(TokenBatch.of(ids), all);
      for (int l = 0; l < layers; l++) {
        INDArray r = res.activation(HookName.residPost(l)).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
        int from = offset == null ? ids.length - span.postInstruction() : ids.length + offset;
        int to = offset == null ? ids.length : from + 1;
        sum.getRow(l).addi(r.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).mean(0));
      }
    }
    return sum.divi(prompts.size());
  }
}
