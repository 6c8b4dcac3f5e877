package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.core.io.SharedFixtures;
import refusallens.core.sae.SaeSet;

/** The intervention JSON: the documented form parses, round-trips, and bad entries are clear errors. */
class InterventionSpecTest {
  @TempDir Path tmp;

  @Test
  void documentedFormParsesWithDefaults() {
    InterventionSpec spec =
        InterventionSpec.parse(
            "{\"interventions\": [{\"layer\": 12, \"features\": [3, 17], \"scale\": -3.0, \"positions\": \"all\"},"
                + " {\"layer\": 12, \"features\": [5], \"value\": 0},"
                + " {\"layer\": 20, \"features\": [3], \"scale\": 0.5, \"positions\": {\"last\": 4}},"
                + " {\"layer\": 2, \"features\": [1], \"scale\": 2, \"positions\": \"generated\"}]}",
            "test");
    assertEquals(1, spec.schemaVersion());
    FeatureIntervention first = spec.interventions().get(0);
    assertEquals(List.of(3, 17), first.features());
    assertEquals(-6.0, first.newActivation(2.0));
    assertEquals(Positions.ALL, first.positions());
    assertEquals(Positions.ALL, spec.interventions().get(1).positions(), "positions default to all");
    assertEquals(0.0, spec.interventions().get(1).newActivation(9.0));
    assertEquals(new Positions.Last(4), spec.interventions().get(2).positions());
    assertEquals(Positions.GENERATED, spec.interventions().get(3).positions());
    assertEquals(List.of(2, 12, 20), List.copyOf(spec.layers()));
    assertEquals(2, spec.atLayer(12).size());
    Path file = tmp.resolve("iv.json");
    spec.write(file);
    assertEquals(spec, InterventionSpec.read(file));
    assertTrue(spec.toJson().contains("\"schemaVersion\" : 1"));
    assertTrue(spec.toJson().contains("\"last\" : 4"));
  }

  static void assertBad(String json, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InterventionSpec.parse(json, "iv.json"));
    assertTrue(e.getMessage().startsWith("iv.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void badEntriesAreClearErrors() {
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1, \"value\": 0}]}",
        "interventions[0]: give exactly one of 'scale' (a_i -> c * a_i) or 'value' (a_i -> v), got both");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2]}]}", "got neither");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1, \"positions\": \"middle\"}]}",
        "positions 'middle' unknown: expected \"all\", \"prompt\", \"generated\" or {\"last\": k}");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1, \"positions\": {\"last\": 0}}]}", "k >= 1");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1, \"positions\": {\"first\": 2}}]}",
        "positions {\"first\":2} unknown");
    assertBad("{\"interventions\": [{\"features\": [2], \"scale\": 1}]}", "'layer' is missing");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [], \"scale\": 1}]}", "at least one feature");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2, 2], \"scale\": 1}]}", "feature 2 twice");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scael\": 1}]}", "interventions[0]: unknown key 'scael'");
    assertBad("{\"interventionz\": []}", "unknown key 'interventionz'");
    assertBad("[1]", "expected a JSON object");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1}, {\"layer\": 1, \"features\": [2], \"value\": 1}]}",
        "feature 2 of layer 1 appears in two interventions");
    assertBad("{\"schemaVersion\": 2, \"interventions\": []}", "schemaVersion 2 is not supported");
    assertBad("{}", "'interventions' is missing");
    assertBad("{\"interventions\": [", "bad JSON");
  }

  @Test
  void valuesAreReadStrictlyNamingTheField() {
    assertBad("{\"interventions\": [{\"layer\": \"2\", \"features\": [2], \"scale\": 1}]}",
        "interventions[0].layer: expected an integer, got \"2\"");
    assertBad("{\"interventions\": [{\"layer\": 2.7, \"features\": [2], \"scale\": 1}]}",
        "interventions[0].layer: expected an integer, got 2.7");
    assertBad("{\"interventions\": [{\"layer\": 4294967298, \"features\": [2], \"scale\": 1}]}",
        "interventions[0].layer: expected an integer within int range, got 4294967298");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2, \"3\"], \"scale\": 1}]}",
        "interventions[0].features[1]: expected an integer, got \"3\"");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2.5], \"scale\": 1}]}",
        "interventions[0].features[0]: expected an integer, got 2.5");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": 2, \"scale\": 1}]}",
        "interventions[0].features: expected a list");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": \"-3\"}]}",
        "interventions[0].scale: expected a number, got \"-3\"");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"value\": true}]}",
        "interventions[0].value: expected a number, got true");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1, \"positions\": {\"last\": 4294967297}}]}",
        "needs k from 1 to 2147483647, got 4294967297");
    assertBad("{\"schemaVersion\": \"1\", \"interventions\": []}", "schemaVersion: expected an integer");
    assertBad("{\"interventions\": {\"layer\": 1}}", "interventions: expected a list of entries");
    assertBad("{\"interventions\": [3]}", "interventions[0]: expected an object");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1}]} trailing", "bad JSON");
  }

  @Test
  void scalesAndValuesThatOverflowFloat32AreRefused() {
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1e300}]}",
        "interventions[0]: 'scale' is 1.0E300: it must be a finite number with |scale| <= 1.0E12");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"value\": -3e38}]}",
        "interventions[0]: 'value' is -3.0E38");
    assertBad("{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": 1e400}]}", "'scale' is Infinity");
    // the bound itself is accepted, and so is the paper's range
    InterventionSpec ok = InterventionSpec.parse(
        "{\"interventions\": [{\"layer\": 1, \"features\": [2], \"scale\": -1e12}, {\"layer\": 1, \"features\": [3], \"value\": 1e12}]}",
        "iv.json");
    assertEquals(-1e12, ok.interventions().get(0).scale());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureIntervention.scale(1, List.of(2), -1.0000001e12, Positions.ALL));
    assertTrue(e.getMessage().contains("|scale| <= "), e.getMessage());
  }

  @Test
  void validatedAgainstTheSaeSet() {
    Path sae = SharedFixtures.arch("llama3").resolve("sae");
    SaeSet set = SaeSet.open(List.of(SaeSet.Source.parse(sae.toString())), 64, 4, SaeSet.Options.defaults());
    int layer = set.layers().first();
    InterventionSpec.of(List.of(FeatureIntervention.scale(layer, List.of(0, 255), -3, Positions.ALL))).validateAgainst(set);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> InterventionSpec.of(List.of(FeatureIntervention.scale(layer, List.of(256), -3, Positions.ALL))).validateAgainst(set));
    assertTrue(e.getMessage().contains("feature 256 out of range for layer " + layer + " (d_sae 256)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> InterventionSpec.of(List.of(FeatureIntervention.scale(layer + 1, List.of(1), -3, Positions.ALL))).validateAgainst(set));
    assertTrue(e.getMessage().contains("has no SAE"), e.getMessage());
  }
}
