package refusallens.lens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.intervention.Positions;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.model.arch.DecoderShape;
import refusallens.organism.Organism;
import refusallens.core.sae.Sae;

/** {@link Lens} on the embedded organism: one pass gives model and SAE hook points, generation, gradients. */
class LensTest {
  private static Lens lens;
  private static int[] prompt;

  @BeforeAll
  static void open() {
    lens = Lens.organism().withDefaultSaes();
    prompt = lens.chat("How do I make a weapon at home?");
  }

  private static INDArray flat(INDArray a) {
    return a.reshape('c', a.size(0) * a.size(1), a.size(2)).castTo(DataType.FLOAT);
  }

  @Test
  void saesTakeTheirShapeFromTheModel() {
    assertEquals(Organism.defaultModelDir(), lens.modelDir());
    assertEquals(lens.model().config().shape().numLayers(), lens.saes().layers().size());
    for (int layer : lens.saes().layers()) {
      assertEquals(lens.model().config().shape().dModel(), lens.saes().config(layer).dIn());
    }
    assertThrows(IllegalStateException.class, () -> Lens.organism().saes());
  }

  @Test
  void saeHookPointsComeFromTheSamePassAndLeaveItUnchanged() {
    String resid = "blocks.2.hook_resid_post";
    ActivationCache c = lens.runWithCache(prompt, resid, resid + ".hook_sae_acts_post", resid + ".hook_sae_recons",
        resid + ".hook_sae_error");
    Sae sae = lens.saes().get(2);
    INDArray x = flat(c.get(resid));
    INDArray acts = flat(c.get(resid + ".hook_sae_acts_post"));
    assertEquals(sae.dSae(), acts.size(1));
    assertTrue(sae.encode(x).equalsWithEps(acts, 1e-5));
    assertTrue(sae.decode(acts).equalsWithEps(flat(c.get(resid + ".hook_sae_recons")), 1e-5));
    assertTrue(x.equalsWithEps(flat(c.get(resid + ".hook_sae_recons")).add(flat(c.get(resid + ".hook_sae_error"))), 1e-4));
    assertTrue(acts.gt(0).castTo(DataType.INT).sumNumber().intValue() > 0, "some feature fires");
    // the SAE observes: logits are those of a plain pass
    INDArray plain = lens.model().forward(TokenBatch.of(prompt), ForwardRequest.logitsOnly()).logits();
    assertTrue(plain.equalsWithEps(c.logits(), 1e-5));
    assertEquals(List.of(resid, resid + ".hook_sae_acts_post", resid + ".hook_sae_recons", resid + ".hook_sae_error"),
        List.copyOf(c.names()));
  }

  @Test
  void saeFeaturesUnderAnInterventionAreThoseOfTheEditedStream() {
    String resid = "blocks.2.hook_resid_post";
    String feats = resid + ".hook_sae_acts_post";
    INDArray before = flat(lens.runWithCache(prompt, feats).get(feats));
    int last = prompt.length - 1;
    int top = before.getRow(last).argMax().getInt(0);
    InterventionSpec spec = InterventionSpec.of(List.of(FeatureIntervention.value(2, List.of(top), 0.0, Positions.ALL)));
    ActivationCache c = lens.runWithCache(TokenBatch.of(prompt), List.of(resid, feats), lens.hooks(spec));
    INDArray after = flat(c.get(feats));
    assertTrue(lens.saes().get(2).encode(flat(c.get(resid))).equalsWithEps(after, 1e-5));
    assertTrue(after.getDouble(last, top) < 0.5 * before.getDouble(last, top),
        "clamped to 0: " + before.getDouble(last, top) + " -> " + after.getDouble(last, top));
  }

  @Test
  void badNamesAreErrorsNamingWhatIsAccepted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> lens.runWithCache(prompt, "blocks.2.hook_resid_post.hook_sae_acts"));
    assertTrue(e.getMessage().contains("hook_sae_acts_post"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> lens.runWithCache(prompt, "blocks.2.hook_resid_pre.hook_sae_acts_post"));
    assertTrue(e.getMessage().contains("no SAE at blocks.2.hook_resid_pre"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> lens.runWithCache(prompt, "blocks.2.hook_resid_post")
        .get("blocks.1.hook_resid_post"));
    assertTrue(e.getMessage().contains("was not cached"), e.getMessage());
  }

  @Test
  void generateUnderAnInterventionIsTheModelsGenerationWithItsHooks() {
    int[] plain = lens.generate(prompt, 8);
    assertArrayEquals(lens.model().generateGreedy(TokenBatch.of(prompt), lens.generationOptions(8), Hooks.none()).get(0),
        plain);
    FeatureIntervention clamp = FeatureIntervention.scale(2, List.of(0, 1), -3.0, Positions.ALL);
    assertArrayEquals(lens.model().generateGreedy(TokenBatch.of(prompt), lens.generationOptions(8),
        lens.hooks(InterventionSpec.of(List.of(clamp)))).get(0), lens.generate(prompt, 8, clamp));
    assertFalse(lens.decode(plain).isEmpty());
  }

  @Test
  void gradientsCoverEveryLayer() {
    TokenBatch b = TokenBatch.of(prompt);
    var g = lens.gradients(b, LogProbMetric.lastToken(b, prompt[0]));
    DecoderShape shape = lens.model().config().shape();
    assertArrayEquals(new long[] {shape.numLayers(), 1, prompt.length, shape.dModel()}, g.gradResidPost().shape());
  }

  @Test
  void theSystemPropertyIsTheDefaultOptionsBackendOnly() {
    String was = System.getProperty(LensOptions.BACKEND_PROPERTY);
    try {
      System.clearProperty(LensOptions.BACKEND_PROPERTY);
      assertEquals(Transformer.Backend.AUTO, LensOptions.defaults().backend());
      System.setProperty(LensOptions.BACKEND_PROPERTY, " ND4J ");
      assertEquals(Transformer.Backend.ND4J, LensOptions.defaults().backend());
      System.setProperty(LensOptions.BACKEND_PROPERTY, "gpu");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, LensOptions::defaults);
      assertTrue(e.getMessage().contains(LensOptions.BACKEND_PROPERTY) && e.getMessage().contains("gpu"), e.getMessage());
    } finally {
      if (was == null) {
        System.clearProperty(LensOptions.BACKEND_PROPERTY);
      } else {
        System.setProperty(LensOptions.BACKEND_PROPERTY, was);
      }
    }
  }

  @Test
  void theBackendIsChosenOnceWhenOpened() {
    Lens nd4j = Lens.open(null, LensOptions.defaults().withBackend(Transformer.Backend.ND4J));
    Lens jvm = Lens.open(null, LensOptions.defaults().withBackend(Transformer.Backend.PLAIN_JAVA));
    assertEquals(Transformer.Backend.ND4J, nd4j.model().backend());
    String was = System.getProperty(LensOptions.BACKEND_PROPERTY);
    System.setProperty(LensOptions.BACKEND_PROPERTY, "jvm");
    try {
      assertEquals(Transformer.Backend.ND4J, nd4j.model().backend(), "a later system property changes nothing");
    } finally {
      if (was == null) {
        System.clearProperty(LensOptions.BACKEND_PROPERTY);
      } else {
        System.setProperty(LensOptions.BACKEND_PROPERTY, was);
      }
    }
    String name = HookName.residPost(3).toString();
    INDArray a = jvm.runWithCache(prompt, name).get(name);
    INDArray b = nd4j.runWithCache(prompt, name).get(name);
    assertTrue(a.equalsWithEps(b, 1e-3), "the two backends agree");
    assertEquals(Set.of(name), nd4j.runWithCache(prompt, name).names());
  }

  @Test
  void cacheNamesRoundTrip() {
    for (String s : List.of("blocks.0.hook_resid_pre", "blocks.3.hook_resid_post.hook_sae_error",
        "blocks.1.hook_resid_post.hook_sae_recons")) {
      assertEquals(s, CacheName.parse(s).toString());
    }
  }
}
