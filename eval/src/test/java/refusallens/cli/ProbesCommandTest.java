package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.refusal.extract.ActivationStoreWriter;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreHeader;
import refusallens.refusal.extract.StoreRow;
import refusallens.refusal.extract.StoreTensor;

class ProbesCommandTest {
  /** A store with resid_post at layer 3 (d 6) and 16 SAE features; feature 2 carries the harm signal. */
  static Path store(Path dir, String modelHash) {
    var h = new StoreHeader(new Identity("m", modelHash), new Identity("s", "5a5a"), new Identity("d", "d0d0"),
        List.of(StoreTensor.residPost(3, PositionRule.LAST, 6), StoreTensor.saeActs(3, PositionRule.LAST, 16)), 0, null, Map.of());
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, h);
    Random r = new Random(5);
    List<StoreRow> rows = new ArrayList<>();
    float[][] resid = new float[120][6];
    float[][] sae = new float[120][16];
    for (int i = 0; i < 120; i++) {
      boolean harm = i % 2 == 0;
      String attack = i >= 80 ? "gcg" : null;
      if (attack != null) harm = true;
      rows.add(new StoreRow("q" + i, harm ? "harmful" : "harmless", "c", attack, null, null));
      for (int j = 0; j < 6; j++) resid[i][j] = (float) r.nextGaussian() + (harm && j == 0 ? 4 : 0);
      for (int j = 0; j < 16; j++) sae[i][j] = r.nextDouble() < 0.3 ? (float) r.nextDouble() : 0;
      sae[i][2] = harm ? 2 + (float) r.nextDouble() : 0;
    }
    w.append(rows, Map.of("resid_post.L3.last", resid, "sae_acts.L3.last", sae));
    try {
      Files.writeString(dir.resolve("features.json"), "{\"schemaVersion\": 1, \"kind\": \"refusal-features\", \"refusalDirection\": {\"layer\": 3, \"norm\": 1.0, \"direction\": [1.0]},"
          + " \"features\": [{\"layer\": 3, \"index\": 2, \"role\": \"harm\"}, {\"layer\": 3, \"index\": 7, \"role\": \"refusal\"}]}");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return dir;
  }

  private static List<String> names(JsonNode o) {
    List<String> l = new ArrayList<>();
    o.fieldNames().forEachRemaining(l::add);
    return l;
  }

  @Test
  void trainShowEvaluateCompareDiff(@TempDir Path tmp) throws Exception {
    Path s = store(tmp.resolve("store"), "aaaa");
    Path probe = tmp.resolve("probe.json");
    CliRun t = CliRun.of("probes", "train", "--extract", s.toString(), "--view", "fh+fr", "--out", probe.toString(), "--bootstrap", "50", "--json");
    assertEquals(0, t.code(), t.err());
    JsonNode tj = new ObjectMapper().readTree(t.out());
    assertTrue(tj.get("metrics").get("id").get("auroc").asDouble() > 0.95, t.out());

    CliRun show = CliRun.of("probes", "show", probe.toString());
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("fh+fr") && show.out().contains("threshold"));

    CliRun ev = CliRun.of("probes", "evaluate", "--probe", probe.toString(), "--extract", s.toString(), "--bootstrap", "50", "--json");
    assertEquals(0, ev.code(), ev.err());
    assertTrue(new ObjectMapper().readTree(ev.out()).get("held_out").asBoolean());

    Path other = store(tmp.resolve("other"), "bbbb");
    CliRun bad = CliRun.of("probes", "evaluate", "--probe", probe.toString(), "--extract", other.toString());
    assertEquals(1, bad.code());
    assertTrue(bad.err().startsWith("error: ") && bad.err().contains("trained on model m (aaaa)"), bad.err());

    Path r1 = tmp.resolve("r1");
    CliRun c = CliRun.of("probes", "compare", "--extract", s.toString(), "--views", "raw:3,fh+fr,random(fh+fr)", "--classifiers", "logistic,svm",
        "--bootstrap", "50", "--out", r1.toString(), "--json");
    assertEquals(0, c.code(), c.err());
    JsonNode views = new ObjectMapper().readTree(c.out()).get("views");
    assertTrue(views.has("raw:3") && views.has("fh+fr#svm") && views.has("random(fh+fr)"));
    assertTrue(views.get("raw:3").get("ood").get("gcg").get("auroc_ci").isArray());
    assertTrue(Files.exists(r1.resolve("report.html")));

    Path r2 = tmp.resolve("r2");
    assertEquals(0, CliRun.of("probes", "compare", "--extract", s.toString(), "--views", "raw:3,fh+fr", "--seed", "3",
        "--bootstrap", "50", "--out", r2.toString()).code());
    CliRun d = CliRun.of("probes", "diff", r1.resolve("report.json").toString(), r2.resolve("report.json").toString(),
        "--html", tmp.resolve("diff.html").toString());
    assertEquals(0, d.code(), d.err());
    assertTrue(d.out().contains("raw:3") && d.out().contains("gcg") && d.out().contains("CIs overlap"), d.out());
    // both reports' seeds, store hashes and views are printed, with a warning for each difference
    assertTrue(d.out().contains("seeds [0, 1, 2, 3, 4] (primary 1)") && d.out().contains("seeds [0, 1, 2, 3, 4] (primary 3)"), d.out());
    assertTrue(d.err().contains("warning: B has seeds [0, 1, 2, 3, 4] (primary 3)"), d.err());
    assertTrue(d.err().contains("warning: B has views"), d.err());
    assertTrue(Files.readString(tmp.resolve("diff.html")).contains("<table>"));

    // the default views with the prompt texts: raw at every stored layer, fr, fh, fh+fr, the matched control, the text baseline
    Path data = tmp.resolve("prompts.jsonl");
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      boolean harm = i % 2 == 0 || i >= 80;
      jsonl.append("{\"id\": \"q").append(i).append("\", \"text\": \"").append(harm ? "how to make a bomb" : "how to bake bread")
          .append(" no ").append(i).append("\", \"label\": \"").append(harm ? "harmful" : "harmless").append("\", \"source\": \"t\"}\n");
    }
    Files.writeString(data, jsonl.toString());
    Path r3 = tmp.resolve("r3");
    CliRun def = CliRun.of("probes", "compare", "--extract", s.toString(), "--data", data.toString(), "--seeds", "1,2",
        "--bootstrap", "50", "--out", r3.toString(), "--json");
    assertEquals(0, def.code(), def.err());
    JsonNode dj = new ObjectMapper().readTree(def.out());
    assertEquals(List.of("raw:3", "fr", "fh", "fh+fr", "random(fr)", "text"), names(dj.get("views")));
    assertEquals("[1,2]", dj.get("seeds").toString());
    // gcg has no attacked harmless rows here: shown with plain negatives, not counted
    JsonNode gcg = dj.get("ood_sets").get(0);
    assertEquals(40, gcg.get("positives").asInt());
    assertEquals("plain-harmless", gcg.get("negatives_from").asText());
    assertEquals(false, gcg.get("in_verdict").asBoolean());
    CliRun badSeeds = CliRun.of("probes", "compare", "--extract", s.toString(), "--seed", "9", "--out", r3.toString());
    assertEquals(1, badSeeds.code());
    assertTrue(badSeeds.err().contains("--seed 9 (the primary seed) must be one of --seeds [0, 1, 2, 3, 4]"), badSeeds.err());

    CliRun badView = CliRun.of("probes", "train", "--extract", s.toString(), "--view", "raw:x", "--out", probe.toString());
    assertEquals(1, badView.code());
    assertTrue(badView.err().contains("view 'raw:x': layer 'x' is not a number"), badView.err());
  }
}
