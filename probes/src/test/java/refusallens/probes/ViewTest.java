package refusallens.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.PositionRule;
import refusallens.probes.view.FeatureSetId;
import refusallens.probes.view.ResolvedView;
import refusallens.probes.view.ViewBlock;
import refusallens.probes.view.ViewResolver;
import refusallens.probes.view.ViewSpec;
import refusallens.refusal.FeaturesFile;

class ViewTest {
  @Test
  void parsesViewSpecs() {
    assertEquals(new ViewSpec.Raw(12, PositionRule.LAST), ViewSpec.parse("raw:12"));
    assertEquals(new ViewSpec.Raw(null, PositionRule.PROMPT_MEAN), ViewSpec.parse("raw:best@prompt_mean"));
    assertEquals(new ViewSpec.SaeAll(3, PositionRule.POST_INSTRUCTION_MEAN), ViewSpec.parse("sae:3@post_instruction_mean"));
    assertEquals(
        new ViewSpec.Concat(List.of(new ViewSpec.Features(FeatureSetId.FH, PositionRule.LAST), new ViewSpec.Features(FeatureSetId.FR, PositionRule.LAST))),
        ViewSpec.parse("fh+fr"));
    ViewSpec r = ViewSpec.parse("random(fh+fr)+raw:2");
    assertTrue(r instanceof ViewSpec.Concat c && c.parts().get(0) instanceof ViewSpec.Random);
    assertEquals("random(fh+fr)+raw:2", r.toString());
    assertEquals(3, ViewSpec.parseList("raw:12,fh+fr,random(f*)").size());
  }

  @Test
  void badSpecsNameTheSpecAndWhatWasExpected() {
    for (String[] c : new String[][] {
        {"raw:x", "layer 'x' is not a number"}, {"foo", "unknown term 'foo'"}, {"fh+", "empty term"},
        {"random(fh", "unbalanced '('"}, {"raw:1@middle", "position rule 'middle'"}}) {
      var e = assertThrows(IllegalArgumentException.class, () -> ViewSpec.parse(c[0]));
      assertTrue(e.getMessage().startsWith("view '" + c[0] + "'") && e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  @Test
  void resolvesViewsAgainstAStore(@TempDir Path dir) throws Exception {
    ActivationStore store = ActivationStore.open(SyntheticStore.write(dir, SyntheticStore.MODEL, 1));
    FeaturesFile roles = FeaturesFile.read(dir.resolve("features.json"));
    ViewResolver res = new ViewResolver(store, roles, 42);
    assertEquals(SyntheticStore.D, res.resolve("raw:2").width());
    assertEquals(SyntheticStore.M, res.resolve("sae:1").width());

    ResolvedView dis = res.resolve("fh+fr");
    assertEquals(3, dis.width());
    assertEquals(List.of(5), dis.blocks().get(0).indices()); // FH at layer 2, then layer 1, then FR
    assertEquals(List.of(3), dis.blocks().get(1).indices());
    assertEquals(List.of(9), dis.blocks().get(2).indices());
    double[][] x = dis.matrix(store, new int[] {0, 100});
    assertEquals(store.matrix("sae_acts.L2.last", new int[] {100}, new int[] {5})[0][0], x[1][0]);

    ResolvedView rnd = res.resolve("random(fh+fr)");
    assertEquals(3, rnd.width());
    Set<String> picked = new HashSet<>();
    for (ViewBlock b : rnd.blocks()) for (int i : b.indices()) picked.add(b.layer() + ":" + i);
    assertTrue(!picked.contains("2:5") && !picked.contains("2:9") && !picked.contains("1:3"));
    assertEquals(rnd, new ViewResolver(store, roles, 42).resolve("random(fh+fr)"));
    assertNotEquals(rnd.blocks(), new ViewResolver(store, roles, 43).resolve("random(fh+fr)").blocks());
    // activation-matched: every pick fires on some rows and is among the closest features in rate and mean activation
    for (ViewBlock b : rnd.blocks()) {
      var t = store.tensor(b.tensorName()).orElseThrow();
      ViewResolver.ActivityStats st = res.stats(t);
      for (int i : b.indices()) {
        assertTrue(st.rate()[i] > 0, "random feature " + b.layer() + ":" + i + " is silent");
        assertTrue(st.mean()[i] > 0);
      }
    }
    // FR (2:9) fires on ~half the rows at 1.5: its control must too, unlike the ~20%-firing background features
    ViewBlock frControl = res.resolve("random(fr)").blocks().get(0);
    var st2 = res.stats(store.tensor("sae_acts.L2.last").orElseThrow());
    double frRate = st2.rate()[9];
    double pickRate = st2.rate()[frControl.indices().get(0)];
    double typical = java.util.Arrays.stream(st2.rate()).sorted().toArray()[SyntheticStore.M / 2];
    assertTrue(Math.abs(pickRate - frRate) <= Math.abs(typical - frRate) + 1e-12,
        "control rate " + pickRate + " vs FR " + frRate + ", median feature " + typical);

    assertEquals(List.of(1, 2), res.rawLayers(PositionRule.LAST));
    assertNull(res.resolve("raw:1").blocks().get(0).indices());
    var e = assertThrows(IllegalArgumentException.class, () -> res.resolve("raw:7"));
    assertTrue(e.getMessage().contains("needs tensor 'resid_post.L7.last'"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> new ViewResolver(store, null, 1).resolve("fh"));
    assertTrue(e2.getMessage().contains("needs features.json"));
  }
}
