package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.eval.study.Study;
import refusallens.eval.study.StudyOptions;
import refusallens.progress.Progress;
import refusallens.refusal.FeaturesFile;

/**
 * {@code study --quick} end to end (the shipped organism, or a tiny one the study trains when this build
 * does not ship it): the report's structure, ranges and cross-section consistency; then an interrupted
 * re-run that recomputes only the broken steps and leaves the earlier ones untouched.
 */
class StudyCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void quickStudyWritesAConsistentReportAndResumesAfterAnInterruption(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("study");
    CliRun run = CliRun.of("study", "--quick", "--out", out.toString(), "--json");
    assertEquals(0, run.code(), run.err());
    // not on a terminal and without --verbose: one line per stage and the warnings, no library chatter
    // (a carriage return counts as a line end: a log viewer shows every progress-bar redraw)
    String[] errLines = run.err().split("\r\n|\r|\n");
    // (about 65: each step's start and its "done in ... wall, CPU-s, peak RSS" line, the refusal check's verdict)
    assertTrue(errLines.length < 75, errLines.length + " stderr lines:\n" + run.err());
    assertFalse(run.err().contains(RefusalLens.SAMEDIFF_CHATTER), run.err());
    JsonNode printed = JSON.readTree(run.out());
    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    assertEquals(1, report.get("schemaVersion").asInt());
    assertEquals("refusal-lens/study", report.get("kind").asText());
    assertEquals(report.get("summary"), printed.get("summary"), "--json prints the report's summary");

    JsonNode s = report.get("summary");
    JsonNode sec = report.get("sections");
    // the organism refuses: the early refusal check says so, and every step after it is computed (none skipped as void)
    JsonNode early = JSON.readTree(out.resolve("eval/refusal_check.json").toFile());
    assertTrue(early.get("refuses").asBoolean(), early.toString());
    assertTrue(s.get("model_refuses").asBoolean(), s.get("refusal_check").toString());
    assertEquals(early.get("n_harmful").asInt(), s.get("refusal_check").get("n_harmful").asInt(), "the clamp's prompts");
    assertFalse(s.has("void_steps_skipped"), s.toString());
    List<String> computedSteps = new ArrayList<>();
    for (JsonNode st : report.get("provenance").get("steps")) {
      if (st.get("status").asText().equals("computed")) {
        computedSteps.add(st.get("step").asText());
        assertTrue(st.get("cpu_seconds").asDouble() > 0 && st.get("peak_rss_bytes").asLong() > 0, st.toString());
      }
    }
    assertEquals(Study.STEPS.subList(1, Study.STEPS.size()), computedSteps, "every step but the shipped organism");
    assertTrue(run.err().contains("refusal check: the model refuses"), run.err());
    assertTrue(run.err().matches("(?s).*clamp: done in [0-9.]+ s wall, [0-9.]+ CPU-s, peak RSS [0-9.]+ GiB.*"), run.err());
    for (String name : List.of("datasets", "extraction", "features", "clamp", "suppression", "suffix", "probes")) {
      assertTrue(sec.has(name) && sec.get(name).has("status"), "section " + name);
    }
    for (String name : List.of("suppression", "suffix")) { // need FH and FR: either measured or a stated reason
      JsonNode x = sec.get(name);
      if (x.get("status").asText().equals("not run")) {
        assertFalse(x.get("reason").asText().isBlank());
      } else {
        assertTrue(x.get("reason") == null || x.get("reason").isNull());
        if (name.equals("suffix")) {
          assertEquals(fe().apply(sec).get("fh_count").asInt(), x.get("n_fh").asInt(), name + " uses the features section's FH");
        } else { // FH below the layer cut, FR strictly after it
          assertTrue(x.get("n_fh").asInt() >= 1 && x.get("n_fh").asInt() <= fe().apply(sec).get("fh_count").asInt(), name);
          int maxFh = Integer.MIN_VALUE;
          for (JsonNode l : x.get("result").get("fh_layers")) {
            maxFh = Math.max(maxFh, l.asInt());
          }
          for (JsonNode l : x.get("result").get("fr_layers")) {
            assertTrue(l.asInt() > maxFh, "suppression reads FR at layer " + l + " <= clamped FH layer " + maxFh);
          }
          assertTrue(x.get("result").has("generic"), "the generic control beside FH and random");
        }
      }
    }
    if (!sec.get("suffix").get("status").asText().equals("not run")) {
      assertEquals(2, sec.get("suffix").get("sources").size(), "random-suffix and benign-suffix");
    }
    for (String rate : List.of("harmful_refusal_rate", "harmless_refusal_rate", "jailbreak_rate_f_star_clamp",
        "induced_refusal_rate", "probe_id_auroc_raw", "probe_id_auroc_disentangled")) {
      double v = s.get(rate).asDouble(Double.NaN);
      assertTrue(v >= 0 && v <= 1, rate + " = " + s.get(rate));
    }

    // features: the same F* in features.json, the features section, the clamp section and the summary
    FeaturesFile f = FeaturesFile.read(out.resolve("features.json"));
    JsonNode fe = sec.get("features");
    JsonNode cl = sec.get("clamp");
    assertEquals(f.features().size(), fe.get("f_star_count").asInt());
    assertEquals(f.features().size(), fe.get("f_star").size());
    assertEquals(f.features().size(), cl.get("f_star_count").asInt(), "the clamp clamps the F* the features section lists");
    assertEquals(f.features().size(), s.get("f_star_count").asInt());
    assertEquals(fe.get("fh_count").asInt() + fe.get("fr_count").asInt(), fe.get("f_star_count").asInt());
    assertEquals(f.refusalDirection().layer(), s.get("refusal_direction_layer").asInt());
    // a direction not chosen by Arditi et al.'s rule is flagged in the summary, the report page and on stderr
    boolean fallback = f.refusalDirection().selection().fallback();
    assertEquals(fallback, s.get("refusal_direction_fallback").asBoolean(), s.toString());
    if (fallback) {
      assertEquals(f.refusalDirection().selection().reason(), s.get("refusal_direction_fallback_reason").asText());
      assertTrue(java.nio.file.Files.readString(out.resolve("report.html"))
          .contains("Warning: the refusal direction was not selected by Arditi"), "report.html warns");
      assertTrue(run.err().contains("warning: the refusal direction was not selected"), run.err());
    }
    assertEquals(cl.get("base_outcomes").get("refused").asDouble(), s.get("harmful_refusal_rate").asDouble(), 1e-12);
    assertEquals(cl.get("jailbreak_score").asDouble(), s.get("jailbreak_rate_f_star_clamp").asDouble(), 1e-12);
    // every jailbreak score in report.json has its outcome shares (complied = the score), n and intervals
    EvalCommandIT.assertOutcomes(cl.get("outcomes"), cl.get("n_harmful").asInt(), cl.get("jailbreak_score").asDouble(),
        "report.json clamp");
    for (JsonNode m : cl.get("methods")) {
      EvalCommandIT.assertOutcomes(m.get("outcomes"), cl.get("n_harmful").asInt(), m.get("jailbreakScore").asDouble(),
          "report.json method " + m.get("method"));
    }
    assertEquals(cl.get("methods").size(), cl.get("matched").size(), "every method at matched coherence");
    if (!f.perPrompt().isEmpty()) { // the paper's per-prompt F* beside the global set, on the prompts that have one
      JsonNode pp = cl.get("per_prompt");
      assertTrue(pp.get("n").asInt() > 0 && pp.get("n").asInt() <= f.perPrompt().size(), pp.toString());
      EvalCommandIT.assertOutcomes(pp.get("outcomes"), pp.get("n").asInt(), pp.get("jailbreak_score").asDouble(),
          "report.json per-prompt F*");
      EvalCommandIT.assertOutcomes(pp.get("global_outcomes"), pp.get("n").asInt(),
          pp.get("global_jailbreak_score").asDouble(), "report.json per-prompt prompts, global F*");
      assertEquals(cl.get("per_prompt").get("jailbreak_score").asDouble(),
          s.get("jailbreak_rate_per_prompt_f_star_clamp").asDouble(), 1e-12);
    }
    assertTrue(cl.get("n_harmful").asInt() > 0 && cl.get("n_harmful").asInt() <= StudyOptions.Sizes.QUICK.clampN());
    assertTrue(cl.get("methods").size() >= 2, "method comparison rows");
    assertTrue(cl.get("examples").size() > 0);
    assertTrue(Double.isFinite(cl.get("ce_base").asDouble()));
    assertTrue(cl.get("ce_text_base").asDouble() > 0 && Double.isFinite(cl.get("ce_text_clamped").asDouble()),
        "plain-text CE " + cl.get("ce_text_base") + " -> " + cl.get("ce_text_clamped"));
    assertEquals(cl.get("n_harmless").asInt(), cl.get("n_text").asInt(), "as many reference answers as harmless prompts");
    assertEquals(cl.get("ce_text_clamped").asDouble() - cl.get("ce_text_base").asDouble(), s.get("ce_text_increase").asDouble(), 1e-9);
    assertEquals(refusallens.eval.clamp.Induction.DEFAULT.toString(), cl.get("induce").asText(), "harmful-mean induction by default");
    assertTrue(Double.isFinite(cl.get("steering").get("alpha").asDouble()), "steering induction strength");

    // extraction: every plain prompt of the bundle plus the adversarial rows, one per row
    JsonNode ex = sec.get("extraction");
    long plain = 0;
    try (var files = Files.list(out.resolve("bundle"))) {
      for (Path p : files.filter(p -> p.getFileName().toString().matches("harm(ful|less)_(train|val|test)\\.jsonl")).toList()) {
        plain += Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
      }
    }
    assertEquals(plain, ex.get("plain_rows").asLong());
    assertEquals(ex.get("rows").asInt(), ex.get("plain_rows").asInt() + ex.get("ood_rows").asInt());
    assertTrue(ex.get("ood_rows").asInt() > 0);

    // probes: raw and disentangled views, ID and one OOD set per attack extracted
    JsonNode views = sec.get("probes").get("views");
    String dis = sec.get("probes").get("disentangled_view").asText();
    assertTrue(views.has("raw:0") && views.has(dis) && views.has("random(" + dis + ")") && views.has("text"), views.toString());
    assertFalse(views.has("raw:best"), "no tie-broken best layer");
    // issue 20 section 4: set sizes, sets under 10 of either class left out of the verdict, paired p-values over 5 seeds
    JsonNode probes = sec.get("probes");
    assertEquals("[0,1,2,3,4]", probes.get("seeds").toString());
    assertTrue(probes.get("ood_sets").size() > 0);
    for (JsonNode st : probes.get("ood_sets")) {
      boolean large = st.get("positives").asInt() >= 10 && st.get("negatives").asInt() >= 10;
      assertTrue(large || !st.get("in_verdict").asBoolean(), st.toString());
      assertEquals("attacked-harmless", st.get("negatives_from").asText(), "the study extracts attacked harmless prompts");
    }
    assertTrue(probes.get("verdict").get("comparisons").size() > 0);
    for (JsonNode c : probes.get("verdict").get("comparisons")) {
      assertEquals(5, c.get("seeds").size());
      for (JsonNode sc : c.get("seeds")) assertTrue(sc.get("p_value").asDouble() > 0 && sc.get("p_value").asDouble() <= 1);
    }
    for (JsonNode v : views) {
      double id = v.get("id").get("auroc").asDouble();
      assertTrue(id >= 0 && id <= 1);
      for (String attack : iterable(ex.get("ood_rows_by_attack").fieldNames())) {
        assertTrue(v.get("ood").has(attack), "OOD set " + attack);
      }
    }
    assertTrue(Files.isRegularFile(out.resolve("probe.json")));
    // the probes compare report itself (both files), on the organism: the same views and ID AUROCs
    JsonNode compare = JSON.readTree(out.resolve("probes/report.json").toFile());
    for (String v : iterable(views.fieldNames())) {
      assertEquals(views.get(v).get("id").get("auroc").asDouble(),
          compare.get("views").get(v).get("id").get("auroc").asDouble(), 1e-9, "view " + v);
    }
    assertTrue(Files.readString(out.resolve("probes/report.html")).contains("data:image/png;base64"), "ROC curves embedded");

    JsonNode pv = report.get("provenance");
    assertEquals(64, pv.get("model_sha256").asText().length());
    assertTrue(pv.get("command_line").asText().contains("study --quick"));
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("Summary (one minute)") && html.contains("Provenance") && html.contains("data:image/png;base64"));
    assertTrue(html.contains("<a href=\"probes/report.html\">"), "links the probes report relatively");
    assertFalse(html.substring(html.indexOf("<h2>Provenance")).contains(out.toAbsolutePath().toString()),
        "provenance shows paths relative to the report folder");
    assertTrue(html.contains("alt=\"forest plot of AUROC over seeds per set: "), "forest plots per view");
    for (JsonNode x : report.get("sections").get("features").get("f_star")) {
      assertTrue(html.contains("<td>" + refusallens.eval.study.StudyReport.sig2(x.get("attribution").asDouble()) + "</td>"),
          "attribution of " + x);
    }

    // the F* dashboards (features show's cards) as a section, and links between the study and its other pages
    JsonNode fstar = report.get("sections").get("features").get("f_star");
    JsonNode db = report.get("sections").get("dashboards");
    assertEquals("computed", db.get("status").asText());
    assertEquals(fstar.size(), db.get("cards").asInt(), "one card per F* feature");
    JsonNode cards = JSON.readTree(out.resolve("dashboards/cards.json").toFile());
    assertEquals(fstar.size(), cards.size());
    assertTrue(html.contains("Feature dashboards: one card per F* feature"), "dashboard section");
    for (int i = 0; i < fstar.size(); i++) {
      assertEquals(fstar.get(i).get("layer").asInt(), cards.get(i).get("layer").asInt());
      assertEquals(fstar.get(i).get("index").asInt(), cards.get(i).get("index").asInt());
      String id = "id=\"feature-" + fstar.get(i).get("layer").asInt() + "-" + fstar.get(i).get("index").asInt() + "\"";
      assertTrue(html.contains(id) && Files.readString(out.resolve("dashboards/index.html")).contains(id), "card " + id);
    }
    assertEquals(Set.of("probes/report.html", "dashboards/index.html"), links(out.resolve("report.html")),
        "the study report links its probes report and its dashboards");
    assertEquals(Set.of("../report.html"), links(out.resolve("probes/report.html")), "the probes report links back");
    assertEquals(Set.of("../report.html"), links(out.resolve("dashboards/index.html")), "the dashboards link back");
    if (Files.isExecutable(HeadlessChromium.BINARY)) { // the section's cards render: histograms loaded, tokens marked
      HeadlessChromium.CardLayout layout = HeadlessChromium.cardLayout(out.resolve("report.html"), tmp, 1300);
      layout.assertCardsRendered(fstar.size());
      HeadlessChromium.CardLayout phone = HeadlessChromium.cardLayout(out.resolve("report.html"), tmp, 390);
      phone.assertCardsRendered(fstar.size());
      assertTrue(phone.scrollWidth() <= phone.windowWidth() + 1, "the study report scrolls sideways at 390 px: " + phone.raw());
      Path shot = Path.of("target", "study-report-dashboards-1300.png");
      Files.createDirectories(shot.getParent());
      HeadlessChromium.screenshot(out.resolve("report.html"), tmp, 1300, 1600, shot);
    }

    // interruption: the probes' outputs are lost and the clamp step throws once; the re-runs recompute only those
    Map<String, FileTime> before = times(out, "features.json", "extract/manifest.json", "bundle/manifest.json", "eval/suppression.json", "eval/suffix.json");
    try (var walk = Files.walk(out.resolve("probes"))) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.delete(out.resolve("eval/clamp.json"));
    StudyOptions o = new StudyOptions(null, List.of(), "builtin", out, 1, true, "test");
    List<String> computed = new ArrayList<>();
    assertThrows(IllegalStateException.class, () -> new Study(o, Progress.NONE, step -> {
      computed.add(step);
      if (step.equals("clamp")) {
        throw new IllegalStateException("interrupted");
      }
    }).run());
    assertEquals(List.of("clamp"), computed);
    computed.clear();
    Study again = new Study(o, Progress.NONE, computed::add);
    again.run();
    assertEquals(List.of("clamp", "probes"), computed, "only the broken steps are recomputed");
    assertEquals(Study.Status.REUSED, again.runs().get("features").status());
    assertEquals(before, times(out, "features.json", "extract/manifest.json", "bundle/manifest.json", "eval/suppression.json", "eval/suffix.json"),
        "earlier steps' files are untouched");
    JsonNode resumed = JSON.readTree(out.resolve("report.json").toFile());
    assertEquals(s.get("f_star_count"), resumed.get("summary").get("f_star_count"));
    assertEquals(s.get("jailbreak_rate_f_star_clamp"), resumed.get("summary").get("jailbreak_rate_f_star_clamp"),
        "the recomputed clamp is deterministic");
    assertEquals("reused", resumed.get("sections").get("features").get("status").asText());
    assertNotEquals("reused", resumed.get("sections").get("probes").get("status").asText());

    // a corrupt shard (bytes flipped in its tensor data, so it still parses): the re-run finds it by its hash,
    // recomputes it, says so on stderr and in report.json, and the probes see the same activations as before
    var shards = refusallens.refusal.extract.ActivationStore.open(out.resolve("extract")).manifest().shards();
    String bad = shards.get(shards.size() - 1).file();
    byte[] bytes = Files.readAllBytes(out.resolve("extract").resolve(bad));
    for (int i = bytes.length - 16; i < bytes.length; i++) {
      bytes[i] ^= (byte) 0x5a;
    }
    Files.write(out.resolve("extract").resolve(bad), bytes);
    CliRun repaired = CliRun.of("study", "--quick", "--out", out.toString(), "--json");
    assertEquals(0, repaired.code(), repaired.err());
    assertTrue(repaired.err().contains(bad) && repaired.err().contains("SHA-256"), "says which shard: " + repaired.err());
    JsonNode afterRepair = JSON.readTree(out.resolve("report.json").toFile());
    JsonNode extraction = afterRepair.get("sections").get("extraction");
    assertEquals("computed", extraction.get("status").asText());
    assertTrue(extraction.get("note").asText().contains(bad), extraction.toString());
    assertEquals(s.get("probe_id_auroc_raw"), afterRepair.get("summary").get("probe_id_auroc_raw"));
    assertEquals(s.get("probe_id_auroc_disentangled"), afterRepair.get("summary").get("probe_id_auroc_disentangled"));
  }

  private static java.util.function.Function<JsonNode, JsonNode> fe() {
    return sec -> sec.get("features");
  }

  private static Map<String, FileTime> times(Path out, String... rel) throws Exception {
    Map<String, FileTime> m = new HashMap<>();
    for (String r : rel) {
      m.put(r, Files.getLastModifiedTime(out.resolve(r)));
    }
    return m;
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  /** The relative links of an HTML page, each checked to resolve to a file beside it. */
  static Set<String> links(Path page) throws java.io.IOException {
    Set<String> out = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<a href=\"([^\"]+)\"").matcher(Files.readString(page));
    while (m.find()) {
      String href = m.group(1);
      if (href.startsWith("http:") || href.startsWith("https:") || href.startsWith("#")) continue;
      assertTrue(Files.isRegularFile(page.resolveSibling(href)), page + " links " + href + ", which does not exist");
      out.add(href);
    }
    return out;
  }
}
