package refusallens.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.extract.ActivationStore;
import refusallens.probes.report.ProbeCompare;
import refusallens.probes.report.ReportDiff;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ViewResolver;
import refusallens.refusal.FeaturesFile;

class CompareTest {
  static Path compare(Path tmp, String name, long seed) throws Exception {
    ActivationStore store = ActivationStore.open(SyntheticStore.write(tmp.resolve(name + "-store"), SyntheticStore.MODEL, seed));
    ViewResolver res = new ViewResolver(store, FeaturesFile.read(store.dir().resolve("features.json")), seed);
    var o = new ProbeCompare.Options(List.of("raw:best", "fh+fr", "random(fh+fr)"), List.of(ProbeKind.LOGISTIC),
        DataSplit.Fractions.defaults(), ProbeTrainer.Options.defaults(ProbeKind.LOGISTIC, seed), 200);
    var outcome = ProbeCompare.run(store, res, "features.json", o, s -> {});
    Path out = tmp.resolve(name);
    ProbeCompare.write(outcome, out);
    return out;
  }

  @Test
  void compareWritesBothReportsWithTheExpectedStructure(@TempDir Path tmp) throws Exception {
    Path out = compare(tmp, "r1", 1);
    JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(1, j.get("schemaVersion").asInt());
    JsonNode views = j.get("views");
    assertEquals(List.of("raw:best", "fh+fr", "random(fh+fr)"), iter(views.fieldNames()));
    for (JsonNode v : views) {
      for (String k : List.of("auroc", "accuracy", "tpr_at_1fpr")) assertTrue(v.get("id").get(k).isNumber(), k);
      assertEquals(List.of("roleplay", "suffix", "suffix:jailbroken"), iter(v.get("ood").fieldNames()));
      JsonNode ci = v.get("ood").get("suffix").get("auroc_ci");
      assertTrue(ci.size() == 2 && ci.get(0).asDouble() <= ci.get(1).asDouble());
    }
    assertTrue(views.get("raw:best").get("id").get("auroc").asDouble() >= 0.99, views.toString());
    assertTrue(views.get("fh+fr").get("id").get("auroc").asDouble() >= 0.95);
    assertTrue(views.get("raw:best").get("resolved").asText().matches("raw:[12]"));
    assertEquals(2, views.get("raw:best").get("layer_validation_auroc").size());
    // the planted harm feature survives the attack's shift; random features carry no signal
    assertTrue(views.get("random(fh+fr)").get("id").get("auroc").asDouble() < 0.8);
    assertEquals(4, j.get("gaps").size()); // id + 3 OOD sets
    assertTrue(j.get("finding").asText().startsWith("Across 3 OOD sets"), j.get("finding").asText());

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("OOD: suffix:jailbroken") && html.contains("Raw vs disentangled"));
    assertEquals(4, html.split("data:image/png;base64,", -1).length - 1); // ID + 3 OOD ROC charts
    assertTrue(Files.exists(out.resolve("probes").resolve("fh+fr.json")));
    assertTrue(Probe.load(out.resolve("probes").resolve("raw_best.json")).view().resolved().startsWith("raw:"));

    Path out2 = compare(tmp, "r2", 2);
    ReportDiff d = ReportDiff.of(List.of(out.resolve("report.json"), out2.resolve("report.json")));
    assertEquals(3 * 4, d.lines().size());
    var line = d.lines().get(0);
    assertEquals("raw:best", line.view());
    assertEquals("id", line.set());
    assertEquals(line.cells().get(1).auroc() - line.cells().get(0).auroc(), line.cells().get(1).aurocDifference(), 1e-12);
    assertTrue(d.toText().contains("diff vs A") && d.toJson().contains("cis_overlap"));
  }

  private static List<String> iter(java.util.Iterator<String> it) {
    List<String> l = new java.util.ArrayList<>();
    it.forEachRemaining(l::add);
    return l;
  }
}
