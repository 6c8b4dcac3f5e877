package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.Controls;
import refusallens.eval.clamp.Induction;
import refusallens.eval.compare.MethodComparison;
import refusallens.eval.organism.OrganismEvaluator;
import refusallens.refusal.DiscoveryData;

/**
 * The eval commands end to end on the shared gemma2 fixture (random weights, one SAE: the numbers are
 * arithmetic checks, not findings) with features found here by {@code features find}: report.json numbers are consistent with the per-prompt verdicts, controls are
 * present, and report.html renders with its images in headless Chromium.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvalCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  protected Path model;
  protected Path features;
  protected Path sae;

  @BeforeAll
  void modelAndFeatures() throws Exception {
    Path fixture = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");
    model = fixture.resolve("model");
    sae = fixture.resolve("sae");
    Path found = tmp.resolve("features-found.json");
    CliRun r = CliRun.of("features", "find", "--model", model.toString(), "--sae", sae.toString(),
        "--n", "4", "--k0", "6", "--kstar", "6", "--steps", "2", "--batch-size", "4", "--out", found.toString());
    assertEquals(0, r.code(), r.err());
    features = withBothRoles(found);
  }

  /**
   * The fixture's F* may land in one role only; suppression needs both, so the test file keeps the
   * discovered features and, if a role is empty, gives it the lower-attribution half (recorded in the file).
   */
  private Path withBothRoles(Path found) throws Exception {
    ObjectNode f = (ObjectNode) JSON.readTree(found.toFile());
    ArrayNode fs = (ArrayNode) f.get("features");
    long harm = 0;
    for (JsonNode x : fs) {
      harm += x.get("role").asText().equals("harm") ? 1 : 0;
    }
    if (harm == 0 || harm == fs.size()) {
      for (int i = 0; i < fs.size(); i++) {
        ((ObjectNode) fs.get(i)).put("role", i < fs.size() / 2 ? "harm" : "refusal");
      }
    }
    Path out = tmp.resolve("features.json");
    Files.writeString(out, JSON.writeValueAsString(f));
    return out;
  }

  /** The command's held-out harmful prompts for a model without an organism run file (default seed 1): builtin(seed + 1). */
  protected List<Prompt> heldOutHarmful(int n) {
    return OrganismEvaluator.head(DiscoveryData.builtin(2, n).harmfulVal(), n);
  }

  private String[] args(Path out, int n, int maxNewTokens, String... extra) {
    List<String> a = new ArrayList<>(List.of("--model", model.toString(), "--sae", sae.toString(), "--features", features.toString(),
        "--harmful", Integer.toString(n), "--harmless", Integer.toString(n), "--max-new-tokens", Integer.toString(maxNewTokens),
        "--batch-size", "4", "--out", out.toString()));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static CliRun eval(String sub, String[] args) {
    List<String> a = new ArrayList<>(List.of("eval", sub));
    a.addAll(List.of(args));
    return CliRun.of(a.toArray(new String[0]));
  }

  private static void assertRate(JsonNode n, String key) {
    assertTrue(n.has(key), key + " missing in " + n);
    double x = n.get(key).asDouble();
    assertTrue(x >= 0 && x <= 1, key + " = " + x + " not in [0, 1]");
  }

  /** Share of a verdict list with outcome {@code outcome} (recomputed from the per-prompt rows). */
  private static double share(JsonNode verdicts, String outcome) {
    int n = 0;
    for (JsonNode v : verdicts) {
      assertEquals(v.get("refused").asBoolean(), v.get("outcome").asText().equals("refused"), "refused flag = outcome");
      n += v.get("outcome").asText().equals(outcome) ? 1 : 0;
    }
    return (double) n / verdicts.size();
  }

  /** Share of a verdict list judged complied: the jailbreak score. */
  private static double complied(JsonNode verdicts) {
    return share(verdicts, "complied");
  }

  /**
   * An {@code outcomes} node: n, the three shares summing to 1, each inside its 95 % interval, and {@code complied}
   * equal to the jailbreak score beside it.
   */
  static void assertOutcomes(JsonNode o, int n, double jailbreakScore, String where) {
    assertTrue(o != null && o.isObject(), where + ": outcomes missing");
    assertEquals(n, o.get("n").asInt(), where + ": outcomes.n");
    double sum = 0;
    for (String k : List.of("refused", "complied", "degenerate")) {
      double x = o.get(k).asDouble();
      JsonNode ci = o.get("ci95").get(k);
      assertTrue(ci.get(0).asDouble() <= x + 1e-12 && x <= ci.get(1).asDouble() + 1e-12, where + ": " + k + " " + x + " outside " + ci);
      sum += x;
    }
    assertEquals(1.0, sum, 1e-9, where + ": outcome shares sum to 1");
    assertEquals(jailbreakScore, o.get("complied").asDouble(), 1e-12, where + ": the jailbreak score is the complied share");
  }

  @Test
  void clampReportIsConsistentAndRenders() throws Exception {
    Path out = tmp.resolve("clamp");
    CliRun r = eval("clamp", args(out, 4, 6, "--json"));
    assertEquals(0, r.code(), r.err());
    JsonNode printed = JSON.readTree(r.out());
    for (String k : List.of("jailbreak_score", "base_jailbreak_score", "refusal_score", "base_refusal_score")) {
      assertRate(printed, k);
    }
    assertEquals("task", printed.get("judge").asText());
    assertEquals(8, printed.get("n").asInt());
    assertOutcomes(printed.get("outcomes"), 4, printed.get("jailbreak_score").asDouble(), "eval clamp --json");
    assertOutcomes(printed.get("base_outcomes"), 4, printed.get("base_jailbreak_score").asDouble(), "eval clamp --json base");
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    assertEquals(1, rep.get("schemaVersion").asInt());
    JsonNode v = rep.get("verdicts");
    assertEquals(4, v.get("base_harmful").size());
    assertEquals(complied(v.get("base_harmful")), rep.get("base_jailbreak_score").asDouble(), 1e-12);
    assertEquals(complied(v.get("clamped_harmful")), rep.get("jailbreak_score").asDouble(), 1e-12);
    assertEquals(share(v.get("base_harmless"), "refused"), rep.get("base_refusal_score").asDouble(), 1e-12);
    assertEquals(share(v.get("induced_harmless"), "refused"), rep.get("refusal_score").asDouble(), 1e-12);
    assertEquals(share(v.get("clamped_harmful"), "degenerate"), rep.get("outcomes").get("degenerate").asDouble(), 1e-12);
    double ceBase = rep.get("ce_base").asDouble();
    double ceClamped = rep.get("ce_clamped").asDouble();
    assertTrue(ceBase > 0 && Double.isFinite(ceClamped), "CE base " + ceBase + ", clamped " + ceClamped);
    assertEquals(ceClamped - ceBase, rep.get("ce_increase").asDouble(), 1e-9);
    for (String k : List.of("ce_text_base", "ce_text_clamped")) {
      assertTrue(printed.has(k), k + " printed");
      assertEquals(rep.get(k).asDouble(), printed.get(k).asDouble(), 0, k);
    }
    double ceTextBase = rep.get("ce_text_base").asDouble();
    double ceTextClamped = rep.get("ce_text_clamped").asDouble();
    assertTrue(ceTextBase > 0 && Double.isFinite(ceTextClamped), "plain-text CE base " + ceTextBase + ", clamped " + ceTextClamped);
    assertEquals(ceTextClamped - ceTextBase, rep.get("ce_text_increase").asDouble(), 1e-9);
    assertEquals(4, rep.get("text").get("n").asInt(), "as many reference answers as harmless prompts");
    assertEquals(64, rep.get("text").get("sha256").asText().length());
    assertEquals(Induction.DEFAULT.toString(), rep.get("induce").asText(), "harmful-mean induction by default");
    assertEquals(0, rep.get("induce_means_measured").asInt(), "F* means are read from features.json");
    assertEquals("global", rep.get("sets").asText());
    assertEquals(0, rep.get("n_own_set").asInt());
    JsonNode prov = rep.get("provenance");
    for (String k : List.of("modelSha256", "saesSha256", "featuresSha256", "judge", "tool", "java")) {
      assertFalse(prov.get(k).asText().isBlank(), "provenance." + k);
    }
    assertEquals(64, rep.get("datasets").get("harmful").get("sha256").asText().length());
    assertHtmlImagesLoad(out.resolve("report.html"), 1);
  }

  @Test
  void perPromptSetsClampPromptsWithTheirOwnSetAndTextComesFromAFile() throws Exception {
    List<Prompt> harmful = heldOutHarmful(3);
    ObjectNode f = (ObjectNode) JSON.readTree(features.toFile());
    ArrayNode perPrompt = (ArrayNode) f.get("perPrompt");
    ObjectNode own = perPrompt.get(0).deepCopy();
    own.put("promptId", harmful.get(1).id());
    ArrayNode ownFeatures = own.putArray("features");
    JsonNode first = f.get("features").get(0); // one feature: a set different from the global F*
    ownFeatures.addObject().put("layer", first.get("layer").asInt()).put("index", first.get("index").asInt()).put("score", 1.0);
    perPrompt.add(own);
    Path variant = tmp.resolve("features-per-prompt.json");
    Files.writeString(variant, JSON.writeValueAsString(f));
    Path text = tmp.resolve("text.jsonl");
    Files.writeString(text, "{\"text\": \"The capital of France is Paris.\"}\n{\"text\": \"Water boils at one hundred degrees.\"}\n");

    Path out = tmp.resolve("clamp-per-prompt");
    List<String> a = new ArrayList<>(List.of(args(out, 3, 4, "--json", "--sets", "per-prompt", "--text", text.toString(),
        "--induce", "value:3")));
    a.set(a.indexOf(features.toString()), variant.toString());
    CliRun r = eval("clamp", a.toArray(new String[0]));
    assertEquals(0, r.code(), r.err());
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    assertEquals("per-prompt", rep.get("sets").asText());
    assertEquals(1, rep.get("n_own_set").asInt(), "only prompt 1 has its own set");
    assertEquals(harmful.get(1).id(), rep.get("own_set_prompts").get(0).asText());
    assertEquals(harmful.get(1).id(), rep.get("verdicts").get("clamped_harmful").get(1).get("id").asText());
    assertEquals("value:3.0", rep.get("induce").asText());
    assertEquals(2, rep.get("text").get("n").asInt());
    assertEquals(text.toString(), rep.get("text").get("source").asText());
    assertEquals(rep.get("ce_text_clamped").asDouble() - rep.get("ce_text_base").asDouble(),
        rep.get("ce_text_increase").asDouble(), 1e-9);
    assertRate(rep, "jailbreak_score");
    assertRate(rep, "refusal_score");

    Path bad = tmp.resolve("bad-text.jsonl");
    Files.writeString(bad, "{\"text\": \"ok\"}\n{\"txt\": \"no\"}\n");
    CliRun e = eval("clamp", args(tmp.resolve("bad"), 2, 2, "--text", bad.toString()));
    assertTrue(e.code() != 0, "exit code");
    assertTrue(e.err().contains("--text") && e.err().contains("bad-text.jsonl") && e.err().contains("line 2"), e.err());
    CliRun s = eval("clamp", args(tmp.resolve("bad"), 2, 2, "--sets", "each"));
    assertTrue(s.code() != 0 && s.err().contains("--sets"), s.err());
  }

  @Test
  void suppressionReadsFrOnlyAfterTheClampedFhLayersAndHasBothControls() throws Exception {
    Path out = tmp.resolve("suppression");
    CliRun r = eval("suppression", args(out, 4, 6, "--json"));
    if (!frAfterFh()) { // e.g. a one-SAE fixture: no FR feature after an FH layer, so nothing causal to measure
      assertTrue(r.code() != 0, "suppression with no FR layer after an FH layer must fail");
      assertTrue(r.err().contains("no FR feature lies at a layer after an FH layer"), r.err());
      return;
    }
    assertEquals(0, r.code(), r.err());
    JsonNode printed = JSON.readTree(r.out());
    for (String k : List.of("suppression_rate", "random_suppression_rate", "generic_suppression_rate", "refusal_prob_drop",
        "random_refusal_prob_drop", "generic_refusal_prob_drop")) {
      assertTrue(printed.has(k), k);
    }
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    int maxClamped = Integer.MIN_VALUE;
    for (String set : List.of("harm", "random", "generic")) {
      for (JsonNode k : rep.get(set).get("feature_keys")) {
        maxClamped = Math.max(maxClamped, k.get("layer").asInt());
      }
      assertEquals(4, rep.get(set).get("prompts").size(), set);
    }
    for (JsonNode l : rep.get("fr_layers")) {
      assertTrue(l.asInt() > maxClamped, "FR read at layer " + l + " <= a clamped layer " + maxClamped);
    }
    for (JsonNode l : rep.get("fh_layers")) {
      assertTrue(l.asInt() <= maxClamped);
    }
    assertEquals(rep.get("n_fh").asInt(), rep.get("random_features").size(), "random control has as many features as FH");
    assertEquals(rep.get("n_fh").asInt(), rep.get("generic_features").size(), "generic control has as many features as FH");
    // the summary's probability drop is the mean of the per-prompt drops
    double sum = 0;
    for (JsonNode p : rep.get("harm").get("prompts")) {
      double a = p.get("refusal_prob").asDouble();
      double b = p.get("refusal_prob_clamped").asDouble();
      assertTrue(a >= 0 && a <= 1 && b >= 0 && b <= 1);
      sum += a - b;
    }
    assertEquals(sum / 4, rep.get("refusal_prob_drop").asDouble(), 1e-9);
    for (String k : List.of("fraction_dropped", "random_fraction_dropped", "generic_fraction_dropped")) {
      if (!rep.get(k).isNull() && !Double.isNaN(rep.get(k).asDouble())) {
        assertRate(rep, k);
      }
    }
    assertHtmlImagesLoad(out.resolve("report.html"), 1);
  }

  @Test
  void compareHasEveryMethodAndBothSweeps() throws Exception {
    Path out = tmp.resolve("compare");
    CliRun r = eval("compare", args(out, 2, 4, "--json",
        "--k-sweep", "2,4", "--c-sweep", "-1,-3"));
    assertEquals(0, r.code(), r.err());
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    List<String> methods = new ArrayList<>();
    JsonNode printed = JSON.readTree(r.out());
    for (JsonNode m : printed.get("methods")) {
      methods.add(m.get("method").asText());
      assertRate(m, "jailbreak_score");
      assertTrue(Double.isFinite(m.get("ce_increase").asDouble()), "CE increase of " + m);
      assertOutcomes(m.get("outcomes"), 2, m.get("jailbreak_score").asDouble(), "eval compare --json " + m.get("method"));
    }
    assertTrue(methods.containsAll(List.of(MethodComparison.DIRECTIONAL_ABLATION, MethodComparison.ACTIVATION_ADDITION,
        "CosSim+AP (ours)", MethodComparison.RANDOM, MethodComparison.GENERIC)), methods.toString());
    for (JsonNode m : rep.get("methods")) {
      if (!m.get("method").asText().equals(MethodComparison.DIRECTIONAL_ABLATION)) { // ablation cannot induce refusal
        assertRate(m, "refusalScore");
      }
      assertTrue(Double.isFinite(m.get("ceTextIncrease").asDouble()), "plain-text CE increase of " + m);
    }
    assertEquals(rep.get("methods").size(), rep.get("matched").size(), "every method at matched coherence");
    for (JsonNode m : rep.get("matched")) {
      JsonNode best = m.get("best");
      double bestJb = -1;
      for (JsonNode x : m.get("sweep")) {
        if (x.get("ceIncrease").asDouble() <= MethodComparison.MAX_CE_INCREASE) {
          bestJb = Math.max(bestJb, x.get("jailbreakScore").asDouble());
        }
      }
      if (bestJb < 0) {
        assertTrue(best == null || best.isNull(), "no sweep point within the CE bound: " + m);
      } else {
        assertEquals(bestJb, best.get("jailbreakScore").asDouble(), 0, "best within the CE bound: " + m);
        assertTrue(best.get("ceIncrease").asDouble() <= MethodComparison.MAX_CE_INCREASE);
      }
    }
    JsonNode act = rep.get("control_activations");
    assertTrue(act.get("random").asDouble() > 0 && act.get("generic").asDouble() > 0, "controls are active: " + act);
    double ratio = act.get("random").asDouble() / act.get("fStar").asDouble();
    assertTrue(ratio >= 1 / Controls.MATCH_FACTOR && ratio <= Controls.MATCH_FACTOR,
        "random control's mean activation within a factor of F*'s: " + act);
    JsonNode steering = rep.get("steering");
    assertEquals(JSON.readTree(features.toFile()).get("refusalDirection").get("harmfulProjection").asDouble(),
        steering.get("alpha").asDouble(), 0, "alpha defaults to the recorded harmful projection");
    assertTrue(steering.get("source").asText().contains("features.json"), steering.toString());
    assertTrue(Double.isFinite(rep.get("ce_text_base").asDouble()));
    assertEquals(complied(rep.get("verdicts").get("base_harmful")), rep.get("base_jailbreak_score").asDouble(), 1e-12);
    assertTrue(rep.get("k_sweep").size() >= 2);
    assertEquals(2, rep.get("c_sweep").size());
    assertHtmlImagesLoad(out.resolve("report.html"), 2);
  }

  /** Whether some FR feature of the features file lies at a layer after some FH feature's layer. */
  private boolean frAfterFh() throws java.io.IOException {
    JsonNode f = JSON.readTree(features.toFile());
    int minFh = Integer.MAX_VALUE;
    int maxFr = Integer.MIN_VALUE;
    for (JsonNode x : f.get("features")) {
      if (x.get("role").asText().equals("harm")) {
        minFh = Math.min(minFh, x.get("layer").asInt());
      } else {
        maxFr = Math.max(maxFr, x.get("layer").asInt());
      }
    }
    return maxFr > minFh;
  }

  @Test
  void suffixCurveStartsAtTheUnsuffixedPromptAndRatesAreConsistent() throws Exception {
    Path out = tmp.resolve("suffix");
    CliRun r = eval("suffix", args(out, 2, 2, "--json", "--attack", "random-suffix", "--max-suffix-tokens", "4"));
    if (!frAfterFh()) { // FH clamped "on top" of a suffix needs FR after FH, as suppression does
      assertTrue(r.code() != 0, "suffix analysis with no FR layer after an FH layer must fail");
      assertTrue(r.err().contains("no FR feature lies at a layer after an FH layer"), r.err());
      return;
    }
    assertEquals(0, r.code(), r.err());
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    JsonNode s = rep.get("suffixes").get(0);
    assertEquals("random-suffix", s.get("source").asText());
    assertEquals(5, s.get("mean_fr_by_tokens").size(), "0..4 suffix tokens");
    assertEquals(s.get("suffix_plus_fh_suppression_rate").asDouble() - s.get("suffix_suppression_rate").asDouble(),
        s.get("extra_suppression").asDouble(), 1e-9);
    assertEquals(2, s.get("prompts").size());
    assertHtmlImagesLoad(out.resolve("report.html"), 1);
  }

  @Test
  void transferHasACellPerSourceAndTargetCategory() throws Exception {
    Path out = tmp.resolve("transfer");
    CliRun r = eval("transfer", args(out, 4, 3, "--json"));
    assertEquals(0, r.code(), r.err());
    JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
    int sources = rep.get("features_per_source").size();
    java.util.Set<String> targets = new java.util.HashSet<>();
    int n = 0;
    for (JsonNode c : rep.get("cells")) {
      assertRate(c, "jailbreak_score");
      assertRate(c, "base_jailbreak_score");
      targets.add(c.get("target").asText());
    }
    for (String t : targets) {
      for (JsonNode c : rep.get("cells")) {
        if (c.get("target").asText().equals(t)) {
          n += c.get("n").asInt();
          break;
        }
      }
    }
    assertEquals(4, n, "target categories partition the prompts");
    assertEquals(sources * targets.size(), rep.get("cells").size());
    assertHtmlImagesLoad(out.resolve("report.html"), 1);
  }

  @Test
  void aFeaturesFileOfOtherSaesIsNamed() throws Exception {
    ObjectNode f = (ObjectNode) JSON.readTree(features.toFile());
    ((ObjectNode) f.get("features").get(0)).put("layer", 99); // no SAE set here has layer 99
    Path other = tmp.resolve("features-other-saes.json");
    Files.writeString(other, JSON.writeValueAsString(f));
    CliRun r = CliRun.of("eval", "clamp", "--model", model.toString(), "--sae", sae.toString(), "--features",
        other.toString(), "--out", tmp.resolve("y").toString());
    assertTrue(r.code() != 0, "exit code");
    assertTrue(r.err().contains(other.toString()) && r.err().contains("not in the SAE set"), r.err());
  }

  @Test
  void missingFeaturesFileIsNamed() {
    CliRun r = CliRun.of("eval", "clamp", "--model", model.toString(), "--features", tmp.resolve("nope.json").toString(),
        "--out", tmp.resolve("x").toString());
    assertTrue(r.code() != 0, "exit code");
    assertTrue(r.err().contains("--features") && r.err().contains("nope.json"), r.err());
  }

  /** Renders {@code html} in headless Chromium; a script appended to a copy records each image's naturalWidth. */
  private void assertHtmlImagesLoad(Path html, int atLeast) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Assumptions.assumeTrue(Files.isExecutable(chromium), "/usr/bin/chromium is absent: the HTML rendering check is skipped");
    String page = Files.readString(html);
    String probe = "<script>window.addEventListener('load',function(){var o=[];"
        + "document.querySelectorAll('img').forEach(function(i){o.push(i.naturalWidth)});"
        + "var d=document.createElement('pre');d.id='imgcheck';d.textContent='IMGS['+o.join(',')+']';"
        + "document.body.appendChild(d);});</script>";
    Path copy = html.resolveSibling("render-check.html");
    Files.writeString(copy, page.replace("</body>", probe + "</body>"));
    Path profile = Files.createTempDirectory(tmp, "chromium");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", copy.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    Matcher m = Pattern.compile("IMGS\\[([0-9,]*)]").matcher(dom);
    assertTrue(m.find(), "the check script did not run; DOM: " + dom.substring(0, Math.min(300, dom.length())));
    String[] widths = m.group(1).isEmpty() ? new String[0] : m.group(1).split(",");
    assertTrue(widths.length >= atLeast, "expected at least " + atLeast + " images, got " + widths.length);
    for (String w : widths) {
      assertTrue(Integer.parseInt(w) > 0, "an image did not load (naturalWidth 0): " + m.group(0));
    }
  }
}
