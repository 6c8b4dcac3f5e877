package refusallens.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.refusal.extract.ActivationStore;
import refusallens.probes.report.ProbeCompare;
import refusallens.probes.report.ReportDiff;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.refusal.FeaturesFile;

class CompareIT {
  static final List<String> VIEWS = List.of("raw:1", "raw:2", "fr", "fh", "fh+fr", "random(fr)", "text");

  static Path compare(Path tmp, String name, long storeSeed, long primary, List<Long> seeds) throws Exception {
    return compare(tmp, name, storeSeed, primary, seeds, VIEWS);
  }

  static Path compare(Path tmp, String name, long storeSeed, long primary, List<Long> seeds, List<String> views) throws Exception {
    Path dir = tmp.resolve("store-" + storeSeed);
    if (!Files.exists(dir)) SyntheticStore.write(dir, SyntheticStore.MODEL, storeSeed);
    ActivationStore store = ActivationStore.open(dir);
    var o = new ProbeCompare.Options(views, List.of(ProbeKind.LOGISTIC), DataSplit.Fractions.defaults(),
        ProbeTrainer.Options.defaults(ProbeKind.LOGISTIC, primary), 100, seeds, null);
    var outcome = ProbeCompare.run(store, FeaturesFile.read(dir.resolve("features.json")), "features.json",
        SyntheticStore.texts(store), o, s -> {});
    Path out = tmp.resolve(name);
    ProbeCompare.write(outcome, out);
    return out;
  }

  @Test
  void multiSeedReportHasSetSizesPairedPValuesAndAVerdictOverLargeSetsOnly(@TempDir Path tmp) throws Exception {
    Path out = compare(tmp, "r1", 1, 1, List.of(0L, 1L, 2L));
    JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(2, j.get("schemaVersion").asInt());
    assertEquals("[0,1,2]", j.get("seeds").toString());
    assertEquals(1, j.get("provenance").get("seed").asInt());

    // each OOD set with its positives and negatives; the one under 10 positives is shown but not in the verdict
    JsonNode sets = j.get("ood_sets");
    assertEquals(3, sets.size());
    assertSet(sets.get(0), "roleplay", 30, 12, true);
    assertSet(sets.get(1), "suffix", 30, 30, true);
    assertSet(sets.get(2), "suffix:jailbroken", 6, 30, false);
    assertTrue(sets.get(2).get("reason").asText().contains("fewer than 10"));
    assertEquals("attacked-harmless", sets.get(1).get("negatives_from").asText());

    JsonNode v = j.get("verdict");
    assertEquals("fr", v.get("disentangled").asText());
    assertEquals("[\"raw:1\",\"raw:2\"]", v.get("raw").toString());
    assertEquals("[\"random(fr)\",\"text\"]", v.get("baselines").toString());
    assertEquals("[\"roleplay\",\"suffix\"]", v.get("verdict_sets").toString());
    // paired tests: every (view, set) has one p-value per seed, and the excluded set is shown as such
    int excludedShown = 0;
    for (JsonNode c : v.get("comparisons")) {
      assertEquals(3, c.get("seeds").size());
      for (JsonNode sc : c.get("seeds")) {
        double p = sc.get("p_value").asDouble();
        assertTrue(p > 0 && p <= 1, c.toString());
        assertEquals(sc.get("disentangled_auroc").asDouble() - sc.get("against_auroc").asDouble(), sc.get("difference").asDouble(), 1e-12);
      }
      if (c.get("set").asText().equals("suffix:jailbroken")) {
        assertFalse(c.get("in_verdict").asBoolean());
        excludedShown++;
      }
    }
    assertEquals(4, excludedShown);
    // the multi-seed summary: per seed the mean difference over the verdict's sets only (suffix:jailbroken left out)
    assertEquals(4, v.get("summaries").size());
    for (JsonNode s : v.get("summaries")) {
      String against = s.get("against").asText();
      List<Double> expected = new ArrayList<>();
      for (int seed = 0; seed < 3; seed++) {
        double sum = 0;
        for (JsonNode c : v.get("comparisons")) {
          if (c.get("against").asText().equals(against) && c.get("in_verdict").asBoolean()) {
            sum += c.get("seeds").get(seed).get("difference").asDouble();
          }
        }
        expected.add(sum / 2);
      }
      JsonNode values = s.get("mean_ood_difference").get("values");
      for (int seed = 0; seed < 3; seed++) assertEquals(expected.get(seed), values.get(seed).asDouble(), 1e-12, against);
      double mean = expected.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertEquals(mean, s.get("mean_ood_difference").get("mean").asDouble(), 1e-12);
      assertTrue(s.get("mean_ood_difference").get("sd").asDouble() >= 0);
      int agree = s.get("seeds_disentangled_higher").asInt() + s.get("seeds_against_higher").asInt();
      assertTrue(agree <= 3);
      assertTrue(List.of("disentangled higher", against + " higher", "unsettled").contains(s.get("outcome").asText()));
    }
    // the finding restates the summaries: one clause per view, and the last sentence counts the raw layers' outcomes
    String finding = j.get("finding").asText();
    int disHigher = 0;
    int rawHigher = 0;
    for (JsonNode s : v.get("summaries")) {
      String against = s.get("against").asText();
      assertTrue(finding.contains(against + ": mean OOD AUROC difference " + String.format(java.util.Locale.ROOT, "%+.3f",
          s.get("mean_ood_difference").get("mean").asDouble())), finding);
      if (against.startsWith("raw:") && s.get("outcome").asText().equals("disentangled higher")) disHigher++;
      if (against.startsWith("raw:") && s.get("outcome").asText().equals(against + " higher")) rawHigher++;
    }
    String last = disHigher == 2 ? "Disentangled features generalise better than raw activations at every layer"
        : rawHigher == 2 ? "Raw activations at every layer generalise better"
        : "No consistent winner: disentangled higher than " + disHigher + " of 2 raw layers, lower than " + rawHigher;
    assertTrue(finding.contains(last), finding);
    assertTrue(finding.contains("2 OOD sets with >= 10 positives and negatives (1 shown but not counted), 3 seeds"), finding);

    JsonNode views = j.get("views");
    assertEquals(VIEWS, iter(views.fieldNames()));
    for (JsonNode view : views) {
      assertEquals(3, view.get("auroc_over_seeds").get("id").get("values").size());
      assertTrue(view.get("ood").get("suffix").get("auroc_ci").isArray());
    }
    assertTrue(views.get("text").get("id").get("auroc").asDouble() > 0.9, "the words carry the label");
    assertTrue(views.get("fr").get("id").get("auroc").asDouble() > 0.8);

    String html = Files.readString(out.resolve("report.html"));
    for (String s : List.of("OOD sets", "positives", "negatives", "in verdict", "paired bootstrap p per seed",
        "AUROC over seeds (mean +/- sd)", "OOD: suffix:jailbroken (6 positives, 30 negatives")) {
      assertTrue(html.contains(s), s);
    }
    // one forest plot per view (baselines included), naming every OOD set, and the raw probe per layer
    String setNames = String.join(", ", iter(j.get("ood_sets").findValuesAsText("name").iterator()));
    for (String view : VIEWS) {
      assertTrue(html.contains("alt=\"forest plot of AUROC per set: " + view + "; sets: " + setNames + "\""), view);
    }
    assertEquals(VIEWS.size(), html.split("alt=\"forest plot of AUROC per set: ", -1).length - 1);
    assertTrue(html.contains("alt=\"raw probe AUROC per layer"), "per-layer plot");
    assertTrue(html.contains("<div class=\"table-wrap\"><table>"), "wide tables scroll in their own box");
    assertFalse(html.contains(tmp.toString()), "paths shown relative to the report folder");
    assertTrue(html.contains("Store: ../store-1 "), "store path relative to the report");
    assertTrue(Files.exists(out.resolve("probes").resolve("fr.json")));
    assertFalse(Files.exists(out.resolve("probes").resolve("text.json")), "the text baseline has no activation probe");
    assertEquals(1, Probe.load(out.resolve("probes").resolve("fr.json")).provenance().seed());
  }

  @Test
  void diffWarnsWhenSeedsOrStoresDiffer(@TempDir Path tmp) throws Exception {
    List<String> views = List.of("raw:1", "fr", "random(fr)");
    Path a = compare(tmp, "a", 1, 0, List.of(0L, 1L), views);
    Path sameAgain = compare(tmp, "a2", 1, 0, List.of(0L, 1L), views);
    Path otherSeeds = compare(tmp, "b", 1, 1, List.of(1L, 2L), views);
    Path otherStore = compare(tmp, "c", 2, 0, List.of(0L, 1L), views);
    ReportDiff same = ReportDiff.of(List.of(a.resolve("report.json"), sameAgain.resolve("report.json")));
    assertEquals(List.of(), same.warnings());
    assertTrue(same.lines().stream().allMatch(l -> l.cells().get(1).aurocDifference() == null
        || Math.abs(l.cells().get(1).aurocDifference()) < 1e-12), "same inputs, same numbers");

    ReportDiff d = ReportDiff.of(List.of(a.resolve("report.json"), otherSeeds.resolve("report.json"), otherStore.resolve("report.json")));
    assertEquals(2, d.warnings().size(), d.warnings().toString());
    assertTrue(d.warnings().get(0).startsWith("B has seeds [1, 2] (primary 1), A has [0, 1] (primary 0)"), d.warnings().get(0));
    assertTrue(d.warnings().get(1).startsWith("C was computed on another activation store"), d.warnings().get(1));
    String text = d.toText();
    assertTrue(text.contains("WARNING: B has seeds") && text.contains("store manifest") && text.contains("random(fr)=random(fr)"), text);
    assertTrue(d.toJson().contains("\"warnings\"") && d.toJson().contains("resolved_views"));
    var line = d.lines().get(0);
    assertEquals("raw:1", line.view());
    assertEquals("id", line.set());
    assertEquals(line.cells().get(1).auroc() - line.cells().get(0).auroc(), line.cells().get(1).aurocDifference(), 1e-12);
  }

  private static void assertSet(JsonNode s, String name, int pos, int neg, boolean in) {
    assertEquals(name, s.get("name").asText());
    assertEquals(pos, s.get("positives").asInt(), name);
    assertEquals(neg, s.get("negatives").asInt(), name);
    assertEquals(in, s.get("in_verdict").asBoolean(), name);
  }

  private static List<String> iter(java.util.Iterator<String> it) {
    List<String> l = new ArrayList<>();
    it.forEachRemaining(l::add);
    return l;
  }
}
