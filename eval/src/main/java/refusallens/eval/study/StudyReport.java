package refusallens.eval.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import refusallens.datasets.PromptJsonl;
import refusallens.eval.dashboard.FeatureCard;
import refusallens.eval.dashboard.FeatureDashboardPage;
import refusallens.datasets.bundle.BundleManifest;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.StoreRow;
import refusallens.files.Json;
import refusallens.refusal.FeatureRole;
import refusallens.eval.compare.MethodComparison;
import refusallens.refusal.FeaturesFile;
import refusallens.report.ForestChart;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/**
 * The study's report: {@code report.json} (every section's numbers, read back from the steps' artefacts so a
 * reused step reports the same numbers as a computed one) and the self-contained {@code report.html}.
 */
public final class StudyReport {
  /** The schema version of report.json. */
  public static final int SCHEMA_VERSION = 1;
  /** The kind tag of report.json. */
  public static final String KIND = "refusal-lens/study";

  private static final ObjectMapper JSON = Json.MAPPER;

  private final ObjectNode json;
  private final String html;

  private StudyReport(ObjectNode json, String html) {
    this.json = json;
    this.html = html;
  }

  /** The report as JSON. */
  public ObjectNode json() {
    return json;
  }

  /** Writes report.json and report.html into {@code out}. */
  public void write(Path out) {
    try {
      JSON.writeValue(out.resolve("report.json").toFile(), json);
      Files.writeString(out.resolve("report.html"), html);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + out, e);
    }
  }

  /** Builds the report from the artefacts in {@code out}. */
  static StudyReport build(Path out, StudyOptions options, Map<String, Study.StepRun> runs, Path modelDir,
      List<String> saeSpecs, String modelHash) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", SCHEMA_VERSION);
    root.put("kind", KIND);
    ObjectNode summary = root.putObject("summary");
    ObjectNode sections = root.putObject("sections");
    Path bundle = Study.bundleDir(out, options);

    datasetsAndExtraction(sections, runs, out, bundle);

    // features
    ObjectNode fe = section(sections, "features", runs);
    FeaturesFile f = FeaturesFile.read(out.resolve("features.json"));
    FeaturesFile.Direction dir = f.refusalDirection();
    fe.put("refusal_direction_layer", dir.layer());
    fe.put("refusal_direction_norm", dir.norm());
    fe.put("selected_by", dir.selection().selectedBy());
    fe.put("f0_count", f.f0().size());
    fe.put("f_star_count", f.features().size());
    long fh = f.features().stream().filter(x -> x.role() == FeatureRole.HARM).count();
    fe.put("fh_count", fh);
    fe.put("fr_count", f.features().size() - fh);
    ArrayNode fs = fe.putArray("f_star");
    for (FeaturesFile.Feature x : f.features()) {
      ObjectNode n = fs.addObject();
      n.put("layer", x.layer());
      n.put("index", x.index());
      n.put("role", x.role().wireName());
      n.put("attribution", x.attribution());
      n.put("cosine", x.cosine());
      n.put("mean_act_harmful", x.meanActHarmful());
      n.put("mean_act_harmless", x.meanActHarmless());
    }
    fe.set("effects", JSON.valueToTree(f.effects()));
    fe.set("layer_attribution", JSON.valueToTree(f.layerAttribution()));

    // feature dashboards (the cards of 'features show')
    ObjectNode db = section(sections, "dashboards", runs);
    List<FeatureCard> cards = readCards(out.resolve(Study.DASHBOARDS).resolve(FeatureDashboardPage.CARDS));
    db.put("page", Study.DASHBOARDS + "/" + FeatureDashboardPage.INDEX);
    db.put("cards", cards.size());
    db.put("harmful_prompts", cards.isEmpty() ? 0 : cards.get(0).histogram().nHarmful());
    db.put("harmless_prompts", cards.isEmpty() ? 0 : cards.get(0).histogram().nHarmless());

    // clamping and method comparison
    ObjectNode cl = section(sections, "clamp", runs);
    JsonNode clamp = read(out.resolve("eval/clamp.json"));
    cl.setAll((ObjectNode) clamp);
    ObjectNode sup = section(sections, "suppression", runs);
    JsonNode suppression = read(out.resolve("eval/suppression.json"));
    sup.setAll((ObjectNode) suppression);
    if (suppression.hasNonNull("reason")) {
      sup.put("status", "not run");
    }
    ObjectNode suf = section(sections, "suffix", runs);
    JsonNode suffix = read(out.resolve("eval/suffix.json"));
    suf.setAll((ObjectNode) suffix);
    if (suffix.hasNonNull("reason")) {
      suf.put("status", "not run");
    }

    // probes
    ObjectNode pr = section(sections, "probes", runs);
    JsonNode compare = read(out.resolve("probes/report.json"));
    String dis = Study.disentangledView(f);
    pr.put("disentangled_view", dis);
    pr.put("default_probe", out.resolve("probe.json").toString());
    pr.put("compare_report", out.resolve("probes/report.html").toString());
    pr.set("seeds", compare.get("seeds"));
    pr.set("ood_sets", compare.get("ood_sets"));
    pr.set("views", compare.get("views"));
    pr.set("verdict", compare.get("verdict"));
    pr.put("finding", compare.path("finding").asText());

    // summary
    summary.put("harmful_refusal_rate", clamp.path("base_outcomes").path("refused").asDouble(Double.NaN));
    summary.put("harmless_refusal_rate", clamp.path("base_refusal_score").asDouble(Double.NaN));
    summary.put("f_star_count", f.features().size());
    summary.put("refusal_direction_layer", dir.layer());
    boolean fallback = dir.selection() != null && dir.selection().fallback();
    summary.put("refusal_direction_fallback", fallback);
    if (fallback) {
      summary.put("refusal_direction_fallback_reason", dir.selection().reason());
    }
    summary.put("jailbreak_rate_f_star_clamp", clamp.path("jailbreak_score").asDouble(Double.NaN));
    summary.set("outcomes_f_star_clamp", clamp.path("outcomes"));
    summary.put("jailbreak_rate_per_prompt_f_star_clamp", clamp.path("per_prompt").path("jailbreak_score").asDouble(Double.NaN));
    summary.put("jailbreak_rate_per_prompt_prompts_global_f_star",
        clamp.path("per_prompt").path("global_jailbreak_score").asDouble(Double.NaN));
    summary.put("jailbreak_rate_direction_ablation", method(clamp, MethodComparison.DIRECTIONAL_ABLATION));
    summary.put("jailbreak_rate_activation_addition", method(clamp, MethodComparison.ACTIVATION_ADDITION));
    summary.put("jailbreak_rate_random_clamp", method(clamp, MethodComparison.RANDOM));
    summary.put("jailbreak_rate_generic_clamp", method(clamp, MethodComparison.GENERIC));
    summary.put("induced_refusal_rate", clamp.path("refusal_score").asDouble(Double.NaN));
    summary.put("ce_increase", clamp.path("ce_clamped").asDouble(Double.NaN) - clamp.path("ce_base").asDouble(Double.NaN));
    summary.put("ce_text_increase", clamp.path("ce_text_clamped").asDouble(Double.NaN) - clamp.path("ce_text_base").asDouble(Double.NaN));
    summary.put("suppression_rate_fh", suppression.path("result").path("harm").path("suppression_rate").asDouble(Double.NaN));
    summary.put("suppression_rate_random", suppression.path("result").path("random").path("suppression_rate").asDouble(Double.NaN));
    summary.put("suppression_rate_generic", suppression.path("result").path("generic").path("suppression_rate").asDouble(Double.NaN));
    for (JsonNode src : suffix.path("sources")) {
      summary.put("suffix_suppression_rate_" + src.path("source").asText().replace('-', '_'),
          src.path("suffix_suppression_rate").asDouble(Double.NaN));
    }
    // probes over seeds: raw is the mean over the raw layers (no layer picked), OOD the mean over the verdict's sets
    List<String> verdictSets = new ArrayList<>();
    compare.path("verdict").path("verdict_sets").forEach(x -> verdictSets.add(x.asText()));
    List<JsonNode> rawViews = new ArrayList<>();
    compare.path("verdict").path("raw").forEach(x -> rawViews.add(compare.path("views").path(x.asText())));
    JsonNode disView = compare.path("views").path(dis);
    summary.put("probe_id_auroc_raw", meanOverSeeds(rawViews, List.of("id")));
    summary.put("probe_id_auroc_disentangled", meanOverSeeds(List.of(disView), List.of("id")));
    summary.put("probe_mean_ood_auroc_raw", meanOverSeeds(rawViews, verdictSets));
    summary.put("probe_mean_ood_auroc_disentangled", meanOverSeeds(List.of(disView), verdictSets));
    summary.set("probe_seeds", compare.get("seeds"));
    summary.set("probe_verdict_sets", JSON.valueToTree(verdictSets));
    ObjectNode outcomes = summary.putObject("probe_verdict");
    compare.path("verdict").path("summaries").forEach(x -> outcomes.put(x.path("against").asText(), x.path("outcome").asText()));
    summary.put("probe_finding", compare.path("finding").asText());
    List<String> notRun = new ArrayList<>();
    sections.fields().forEachRemaining(e -> {
      if ("not run".equals(e.getValue().path("status").asText())) {
        notRun.add(e.getKey());
      }
    });
    summary.set("not_run", JSON.valueToTree(notRun));
    // a model that does not refuse has no refusal to find or jailbreak: say so, and mark the steps it voids
    RefusalCheck check = RefusalCheck.ofClamp(clamp);
    summary.put("model_refuses", check.refuses());
    summary.set("refusal_check", JSON.valueToTree(check));
    summary.set("void_steps", JSON.valueToTree(check.voidSteps().stream().map(RefusalCheck.VoidStep::step).toList()));
    for (RefusalCheck.VoidStep v : check.voidSteps()) {
      ((ObjectNode) sections.get(v.step())).put("void", v.why());
    }

    // provenance
    ObjectNode pv = provenance(root, options, runs, modelDir, saeSpecs, modelHash);
    pv.put("model_sha256", f.provenance().model().sha256());
    pv.set("saes", JSON.valueToTree(f.provenance().saes()));
    return new StudyReport(root, html(root, f, cards, out));
  }

  /** The sections every report has: the datasets and the activations (they stand whether or not the model refuses). */
  private static void datasetsAndExtraction(ObjectNode sections, Map<String, Study.StepRun> runs, Path out, Path bundle) {
    // datasets
    ObjectNode ds = section(sections, "datasets", runs);
    ds.put("bundle", bundle.toString());
    if (Files.isRegularFile(bundle.resolve(DatasetBundle.MANIFEST_FILE))) {
      BundleManifest manifest = DatasetBundle.readManifest(bundle.resolve(DatasetBundle.MANIFEST_FILE));
      ds.put("seed", manifest.seed());
      ds.set("counts", JSON.valueToTree(manifest.counts()));
      ds.set("attacks", JSON.valueToTree(manifest.attacks()));
    } else { // a hand-made bundle: count its files
      Map<String, Integer> counts = new TreeMap<>();
      for (String file : Study.bundleFiles(bundle)) {
        counts.put(file, PromptJsonl.read(bundle.resolve(file)).size());
      }
      ds.set("counts", JSON.valueToTree(counts));
      ds.set("attacks", JSON.createArrayNode());
    }

    // extraction
    ObjectNode ex = section(sections, "extraction", runs.get("extract"));
    ActivationStore store = ActivationStore.open(out.resolve("extract"));
    Map<String, Integer> byAttack = new TreeMap<>();
    int plain = 0;
    for (StoreRow r : store.rows()) {
      if (r.attack() == null) {
        plain++;
      } else {
        byAttack.merge(r.attack(), 1, Integer::sum);
      }
    }
    ex.put("rows", store.size());
    ex.put("plain_rows", plain);
    ex.put("ood_rows", store.size() - plain);
    ex.set("ood_rows_by_attack", JSON.valueToTree(byAttack));
    ex.put("tensors", store.header().tensors().size());
    ex.set("layers", JSON.valueToTree(store.header().layers()));
    ex.put("positions", "last");
    int judged = 0;
    int escaped = 0;
    Map<String, Integer> escapedByAttack = new TreeMap<>();
    for (StoreRow r : store.rows()) {
      if (r.jailbroken() != null) {
        judged++;
        if (r.jailbroken()) {
          escaped++;
          escapedByAttack.merge(r.attack(), 1, Integer::sum);
        }
      }
    }
    ex.put("jailbroken_judged_rows", judged);
    ex.put("jailbroken_rows", escaped);
    ex.set("jailbroken_rows_by_attack", JSON.valueToTree(escapedByAttack));
    ex.put("jailbroken_flags", "each harmful adversarial row carries whether the model's own greedy completion was"
        + " judged not refused (" + escaped + " of " + judged + "); the probes test on every variant and on that"
        + " jailbroken subset");

  }

  /**
   * Each step's record: status, wall seconds, process CPU-seconds and the process's peak RSS (VmHWM, bytes) when the
   * step ended (0 where not measured: a step not computed, or a marker from before these were recorded).
   */
  /** The report's provenance section as both reports write it (what ran, on what, with which code and steps). */
  private static ObjectNode provenance(ObjectNode root, StudyOptions options, Map<String, Study.StepRun> runs,
      Path modelDir, List<String> saeSpecs, String modelHash) {
    ObjectNode pv = root.putObject("provenance");
    pv.put("model", modelDir.toString());
    pv.put("model_and_sae_hash", modelHash);
    pv.set("sae_specs", JSON.valueToTree(saeSpecs));
    pv.put("data", options.data());
    pv.put("seed", options.seed());
    pv.put("quick", options.quick());
    pv.put("weights", options.residency().name().toLowerCase(Locale.ROOT));
    pv.set("versions", JSON.valueToTree(Study.versions()));
    pv.put("command_line", options.commandLine());
    steps(pv, runs);
    return pv;
  }

  private static void steps(ObjectNode pv, Map<String, Study.StepRun> runs) {
    ArrayNode steps = pv.putArray("steps");
    for (Study.StepRun r : runs.values()) {
      ObjectNode s = steps.addObject();
      s.put("step", r.step());
      s.put("status", r.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      s.put("seconds", r.seconds());
      s.put("cpu_seconds", r.cpuSeconds());
      s.put("peak_rss_bytes", r.peakRssBytes());
      if (r.reason() != null) {
        s.put("reason", r.reason());
      }
    }
  }

  /**
   * The report of a study whose model does not refuse and whose void steps were skipped: the datasets, the
   * activations, the refusal check, and each skipped step's section with status "not run" and why it is void.
   */
  static StudyReport buildWithoutRefusal(Path out, StudyOptions options, Map<String, Study.StepRun> runs, Path modelDir,
      List<String> saeSpecs, String modelHash, RefusalCheck check) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", SCHEMA_VERSION);
    root.put("kind", KIND);
    ObjectNode summary = root.putObject("summary");
    ObjectNode sections = root.putObject("sections");
    datasetsAndExtraction(sections, runs, out, Study.bundleDir(out, options));
    List<String> skipped = new ArrayList<>();
    for (Study.StepRun r : runs.values()) {
      if (r.status() == Study.Status.VOID_SKIPPED) {
        ObjectNode x = sections.putObject(r.step());
        x.put("status", "not run");
        x.put("reason", r.reason());
        x.put("void", check.voidSteps().stream().filter(v -> v.step().equals(r.step())).map(RefusalCheck.VoidStep::why)
            .findFirst().orElse("it shows the F* of the void features step"));
        skipped.add(r.step());
      }
    }
    summary.put("harmful_refusal_rate", check.harmfulRefusalRate());
    summary.put("harmless_refusal_rate", check.harmlessRefusalRate());
    summary.set("not_run", JSON.valueToTree(skipped));
    summary.put("model_refuses", check.refuses());
    summary.set("refusal_check", JSON.valueToTree(check));
    summary.set("void_steps", JSON.valueToTree(check.voidSteps().stream().map(RefusalCheck.VoidStep::step).toList()));
    summary.set("void_steps_skipped", JSON.valueToTree(skipped));

    ObjectNode pv = provenance(root, options, runs, modelDir, saeSpecs, modelHash);

    HtmlReport h = new HtmlReport("Refusal study");
    h.heading("Summary (one minute)");
    h.finding("The model does not refuse: " + check.reason() + ". There is no refusal behaviour to explain, so the"
        + " steps whose findings would be void were not computed: " + String.join(", ", skipped) + " (why each is void"
        + " is in its section; --run-void-steps computes them anyway). Only the datasets and the activations stand.");
    h.finding(String.format(Locale.ROOT,
        "Without intervention the model refuses %d of %d held-out harmful requests and %d of %d harmless ones.",
        check.harmfulRefused(), check.nHarmful(), check.harmlessRefused(), check.nHarmless()));
    htmlDatasetsAndActivations(h, sections);
    h.heading("Not computed: void because the model does not refuse");
    List<List<String>> rows = new ArrayList<>();
    for (String step : skipped) {
      rows.add(List.of(step, sections.get(step).get("void").asText()));
    }
    h.table(List.of("step", "why void"), rows);
    htmlProvenance(h, pv, out);
    return new StudyReport(root, h.toHtml());
  }

  private static ObjectNode section(ObjectNode sections, String name, Map<String, Study.StepRun> runs) {
    return section(sections, name, runs.get(name));
  }

  private static ObjectNode section(ObjectNode sections, String name, Study.StepRun run) {
    ObjectNode s = sections.putObject(name);
    s.put("status", run == null ? "computed" : run.status() == Study.Status.REUSED ? "reused"
        : run.status() == Study.Status.COMPUTED ? "computed" : "given");
    if (run != null && run.reason() != null) {
      s.put("note", run.reason());
    }
    return s;
  }

  private static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** "refused / complied / degenerate" shares of an outcomes node ("-" when absent). */
  static String outcomes(JsonNode o) {
    if (o == null || o.isMissingNode() || o.isNull()) {
      return "-";
    }
    return pct(o.path("refused").asDouble(Double.NaN)) + " / " + pct(o.path("complied").asDouble(Double.NaN)) + " / "
        + pct(o.path("degenerate").asDouble(Double.NaN)) + " (n=" + o.path("n").asText() + ")";
  }

  /** The jailbreak score of a method of the comparison table (NaN when absent). */
  static double method(JsonNode clamp, String name) {
    for (JsonNode c : clamp.path("methods")) {
      if (name.equals(c.path("method").asText())) {
        return c.path("jailbreakScore").asDouble(Double.NaN);
      }
    }
    return Double.NaN;
  }

  /** Mean over views and sets of each one's mean AUROC over seeds ({@code auroc_over_seeds}); NaN when none. */
  private static double meanOverSeeds(List<JsonNode> views, List<String> sets) {
    double sum = 0;
    int n = 0;
    for (JsonNode v : views) {
      for (String set : sets) {
        JsonNode a = v.path("auroc_over_seeds").path(set).path("mean");
        if (a.isNumber() && Double.isFinite(a.asDouble())) {
          sum += a.asDouble();
          n++;
        }
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  // ---- HTML

  static String pct(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : "n/a";
  }

  /** "mean +/- sd" of a seed-stats node, or n/a. */
  static String meanSd(JsonNode stats) {
    JsonNode m = stats.path("mean");
    if (!m.isNumber() || !Double.isFinite(m.asDouble())) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.3f +/- %.3f", m.asDouble(), stats.path("sd").asDouble());
  }

  /** An attribution: two significant figures (they span orders of magnitude; 3 decimals print most as 0.000). */
  public static String sig2(double v) {
    if (!Double.isFinite(v)) return "n/a";
    if (v == 0) return "0";
    java.math.BigDecimal b = new java.math.BigDecimal(v).round(new java.math.MathContext(2));
    double a = Math.abs(v);
    return a >= 1e-4 && a < 1e6 ? b.toPlainString() : String.format(Locale.ROOT, "%.1e", v);
  }

  /** A forest row from a seed-stats node: mean, and min..max over the seeds' values (no interval for one seed). */
  private static void seedRow(ForestChart c, String label, JsonNode stats) {
    double[] v = new double[stats.path("values").size()];
    for (int i = 0; i < v.length; i++) v[i] = stats.path("values").get(i).asDouble(Double.NaN);
    double[] finite = java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
    double[] range = finite.length < 2 ? null
        : new double[] {java.util.Arrays.stream(finite).min().getAsDouble(), java.util.Arrays.stream(finite).max().getAsDouble()};
    c.row(label, stats.path("mean").asDouble(Double.NaN), range);
  }

  /** " - VOID" for a section the refusal check voids, else "". */
  private static String voidHeading(JsonNode section) {
    return section.has("void") ? " - VOID: the model does not refuse" : "";
  }

  /** The reason a void section is void, as a paragraph. */
  private static void voidNote(HtmlReport h, JsonNode section) {
    if (section.has("void")) {
      h.paragraph("Void: " + section.get("void").asText() + ".");
    }
  }

  static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "n/a";
  }

  private static List<FeatureCard> readCards(Path file) {
    try {
      return List.of(JSON.readValue(file.toFile(), FeatureCard[].class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the feature cards " + file, e);
    }
  }

  static String html(ObjectNode root, FeaturesFile f, List<FeatureCard> cards, Path out) {
    JsonNode s = root.get("summary");
    JsonNode sec = root.get("sections");
    HtmlReport h = new HtmlReport("Refusal study");
    h.heading("Summary (one minute)");
    boolean refuses = s.path("model_refuses").asBoolean(true);
    if (!refuses) {
      List<String> steps = new ArrayList<>();
      s.path("void_steps").forEach(x -> steps.add(x.asText()));
      h.finding("The model does not refuse: " + s.path("refusal_check").path("reason").asText() + ". There is no refusal"
          + " behaviour to explain, so the findings of these steps are void (computed, but they measure noise): "
          + String.join(", ", steps) + ". Why each is void is in its section; only the datasets, the activations and the"
          + " raw probes stand.");
    }
    String voidMark = refuses ? "" : "VOID (the model does not refuse): ";
    h.finding(String.format(Locale.ROOT,
        "Without intervention the model refuses %s of held-out harmful requests and %s of harmless ones.",
        pct(s.get("harmful_refusal_rate").asDouble()), pct(s.get("harmless_refusal_rate").asDouble())));
    h.finding(voidMark + String.format(Locale.ROOT,
        "Clamping the %d refusal features F* (found from layer %d's refusal direction) makes the model comply with %s of"
            + " harmful requests: answers on topic, not merely text without a refusal phrase (%s without intervention;"
            + " projecting out the refusal direction: %s; as many activation-matched random features: %s; the most"
            + " active non-F* features: %s). On the discovery prompts that have their own F* (the paper's per-prompt"
            + " sets), each prompt's own F* jailbreaks %s, the global F* %s.",
        s.get("f_star_count").asInt(), s.get("refusal_direction_layer").asInt(), pct(s.get("jailbreak_rate_f_star_clamp").asDouble()),
        pct(sec.get("clamp").path("base_jailbreak_score").asDouble(Double.NaN)),
        pct(s.get("jailbreak_rate_direction_ablation").asDouble()), pct(s.get("jailbreak_rate_random_clamp").asDouble()),
        pct(s.path("jailbreak_rate_generic_clamp").asDouble(Double.NaN)),
        pct(s.path("jailbreak_rate_per_prompt_f_star_clamp").asDouble(Double.NaN)),
        pct(s.path("jailbreak_rate_per_prompt_prompts_global_f_star").asDouble(Double.NaN))));
    if (s.get("ce_increase").asDouble() > 0.5) {
      h.paragraph(String.format(Locale.ROOT, "Caution: the clamp raises the cross-entropy of ordinary answers by %s nats;"
          + " see the methods at matched coherence (CE increase <= %s nats) and the degenerate share of the outcomes.",
          num(s.get("ce_increase").asDouble()), num(MethodComparison.MAX_CE_INCREASE)));
    }
    if (!(s.get("harmful_refusal_rate").asDouble() >= 0.5)) {
      h.paragraph("Caution: this model refuses few harmful requests to begin with, so the jailbreak numbers carry little"
          + " information (a model trained with a tiny budget checks the pipeline, not the behaviour).");
    }
    h.finding(voidMark + String.format(Locale.ROOT, "Switching F* on (%s) makes the model refuse %s of harmless requests; the jailbreak"
        + " clamp raises the cross-entropy of ordinary answers by %s nats and of plain text by %s nats (0 = coherence kept).",
        root.get("sections").get("clamp").get("induce").asText(), pct(s.get("induced_refusal_rate").asDouble()),
        num(s.get("ce_increase").asDouble()), num(s.path("ce_text_increase").asDouble(Double.NaN))));
    h.finding(String.format(Locale.ROOT,
        "A linear probe detects harmful prompts with AUROC %s on raw activations (mean over layers and seeds) and %s on the"
            + " disentangled features in distribution; on the adversarial (OOD) sets large enough for the verdict the mean"
            + " AUROC is %s vs %s (section 6 has the paired tests and how many seeds agree).",
        num(s.get("probe_id_auroc_raw").asDouble()), num(s.get("probe_id_auroc_disentangled").asDouble()),
        num(s.get("probe_mean_ood_auroc_raw").asDouble()), num(s.get("probe_mean_ood_auroc_disentangled").asDouble())));
    h.paragraph("What it means: a small set of SAE features carries the model's decision to refuse; if clamping them"
        + " jailbreaks far more often than random features, those features are a lever an attacker (or a monitor)"
        + " can use. Probe AUROCs near 1 mean the harmful/harmless distinction is linearly readable; the OOD columns"
        + " say whether that reading survives jailbreak-style rewording. Small samples (see n in each table) make"
        + " every rate coarse.");
    if (s.path("refusal_direction_fallback").asBoolean(false)) {
      h.paragraph("Warning: the refusal direction was not selected by Arditi et al.'s rule ("
          + s.path("refusal_direction_fallback_reason").asText() + "); every number that uses V*_R (F0, F*, the"
          + " direction baselines) rests on that fallback choice.");
    }
    if (s.get("not_run").size() > 0) {
      h.paragraph("Not run in this study: " + s.get("not_run").toString() + " (reasons in their sections).");
    }

    htmlDatasetsAndActivations(h, sec);

    JsonNode fe = sec.get("features");
    h.heading("3. Refusal direction and features (" + fe.get("status").asText() + ")" + voidHeading(fe));
    voidNote(h, fe);
    h.paragraph(String.format(Locale.ROOT, "V*_R: layer %d, norm %.4g (%s). F0: %d features; F*: %d (FH %d, FR %d).",
        fe.get("refusal_direction_layer").asInt(), fe.get("refusal_direction_norm").asDouble(), fe.get("selected_by").asText(),
        fe.get("f0_count").asInt(), fe.get("f_star_count").asInt(), fe.get("fh_count").asInt(), fe.get("fr_count").asInt()));
    List<List<String>> frows = new ArrayList<>();
    for (JsonNode x : fe.get("f_star")) {
      frows.add(List.of(x.get("layer").asText(), x.get("index").asText(), x.get("role").asText(),
          sig2(x.get("attribution").asDouble()), num(x.get("cosine").asDouble()), num(x.get("mean_act_harmful").asDouble()),
          num(x.get("mean_act_harmless").asDouble())));
    }
    h.table(List.of("layer", "index", "role", "attribution", "cosine", "mean act harmful", "mean act harmless"), frows);
    FeaturesFile.Effects eff = f.effects();
    if (eff != null) {
      h.paragraph(String.format(Locale.ROOT, "First-token refusal score on %d prompts: baseline %s, V*_R ablated %s, F* clamped %s.",
          eff.prompts(), num(eff.baseline()), num(eff.directionAblated()), eff.fStarClamped() == null ? "n/a" : num(eff.fStarClamped())));
    }
    if (f.layerAttribution().size() > 1) {
      double[] x = f.layerAttribution().stream().mapToDouble(FeaturesFile.LayerAttribution::layer).toArray();
      double[] y = f.layerAttribution().stream().mapToDouble(FeaturesFile.LayerAttribution::features).toArray();
      double[] e = f.layerAttribution().stream().mapToDouble(FeaturesFile.LayerAttribution::error).toArray();
      h.png(new LineChart("Attribution by layer", "layer", "attribution").series("SAE features", x, y)
          .series("SAE error", x, e).png(640, 320), "attribution by layer");
    }

    JsonNode db = sec.get("dashboards");
    h.heading("Feature dashboards: one card per F* feature (" + db.get("status").asText() + ")");
    h.paragraph(FeatureDashboardPage.explanation(Study.dashboardSource(db.get("harmful_prompts").asInt(),
        db.get("harmless_prompts").asInt())) + " Histograms: each prompt's maximum activation, harmful vs harmless.");
    h.link("The same cards on their own page: ", db.get("page").asText(), db.get("page").asText());
    FeatureDashboardPage.appendCards(h, cards);

    JsonNode cl = sec.get("clamp");
    h.heading("4. Clamping (" + cl.get("status").asText() + ")" + voidHeading(cl));
    voidNote(h, cl);
    h.table(List.of("measure", "base", "F* clamped", "n"), List.of(
        List.of("jailbreak score (harmful complied, c=" + cl.get("scale").asText() + ")", pct(cl.get("base_jailbreak_score").asDouble()),
            pct(cl.get("jailbreak_score").asDouble()), cl.get("n_harmful").asText()),
        List.of("outcomes refused / complied / degenerate (harmful)", outcomes(cl.path("base_outcomes")),
            outcomes(cl.path("outcomes")), cl.get("n_harmful").asText()),
        List.of("jailbreak score on the " + cl.path("per_prompt").path("n").asText("0") + " discovery prompts with a"
            + " per-prompt F*: global F* (base column) vs each prompt's own F*",
            pct(cl.path("per_prompt").path("global_jailbreak_score").asDouble(Double.NaN)),
            pct(cl.path("per_prompt").path("jailbreak_score").asDouble(Double.NaN)), cl.path("per_prompt").path("n").asText("0")),
        List.of("refusal score (harmless refused, " + cl.get("induce").asText() + ")", pct(cl.get("base_refusal_score").asDouble()),
            pct(cl.get("refusal_score").asDouble()), cl.get("n_harmless").asText()),
        List.of("CE on own harmless completions (nats)", num(cl.get("ce_base").asDouble()), num(cl.get("ce_clamped").asDouble()),
            cl.get("n_harmless").asText()),
        List.of("CE on plain text (nats; reference answers, no chat template)", num(cl.path("ce_text_base").asDouble(Double.NaN)),
            num(cl.path("ce_text_clamped").asDouble(Double.NaN)), cl.path("n_text").asText("-"))));
    h.paragraph("Judge: " + cl.get("judge").asText() + "; greedy, " + cl.get("max_new_tokens").asText() + " new tokens.");
    List<List<String>> mrows = new ArrayList<>();
    for (String part : List.of("methods", "k_sweep", "c_sweep")) {
      for (JsonNode m : cl.path(part)) {
        mrows.add(List.of(part, m.path("method").asText(), m.path("k").asText(), num(m.path("c").asDouble(Double.NaN)),
            pct(m.path("jailbreakScore").asDouble(Double.NaN)), pct(m.path("refusalScore").asDouble(Double.NaN)),
            num(m.path("ceIncrease").asDouble(Double.NaN)), num(m.path("ceTextIncrease").asDouble(Double.NaN)),
            outcomes(m.path("outcomes"))));
      }
    }
    h.paragraph("Method comparison (same prompts): feature selections clamped with the same c, V*_R directional"
        + " ablation (every layer and position) and activation addition (at its layer), and two controls drawn from"
        + " features active on the same prompts: random (activation-matched to F*) and generic (the most active non-F*"
        + " features).");
    h.table(List.of("table", "method", "K", "c", "jailbreak score", "refusal score", "CE increase", "CE increase (text)",
        "refused / complied / degenerate"), mrows);
    List<List<String>> matchedRows = new ArrayList<>();
    for (JsonNode m : cl.path("matched")) {
      JsonNode b = m.path("best");
      matchedRows.add(List.of(m.path("method").asText(), pct(m.path("fixed").path("jailbreakScore").asDouble(Double.NaN)),
          num(m.path("fixed").path("ceIncrease").asDouble(Double.NaN)),
          b.isMissingNode() || b.isNull() ? "none" : pct(b.path("jailbreakScore").asDouble(Double.NaN)),
          b.isMissingNode() || b.isNull() ? "-" : num(b.path("c").asDouble(Double.NaN)),
          b.isMissingNode() || b.isNull() ? "-" : num(b.path("ceIncrease").asDouble(Double.NaN))));
    }
    h.paragraph("At matched coherence: each method's best jailbreak score over the c sweep with CE increase at most "
        + cl.path("max_ce_increase").asText("0.5") + " nats, beside its row at the table's c.");
    h.table(List.of("method", "jailbreak (table c)", "CE increase", "best jailbreak at matched CE", "c", "CE increase"),
        matchedRows);
    List<List<String>> erows = new ArrayList<>();
    for (JsonNode e : cl.get("examples")) {
      erows.add(List.of(e.get("set").asText(), e.get("prompt").asText(),
          e.get("before").asText() + " [" + e.get("before_verdict").asText() + "]",
          e.get("after").asText() + " [" + e.get("after_verdict").asText() + "]"));
    }
    h.paragraph("Example completions before and after the intervention:");
    h.table(List.of("set", "prompt", "before", "after"), erows);

    JsonNode sup = sec.get("suppression");
    h.heading("5. Suppression (" + sup.get("status").asText() + ") and suffixes (" + sec.get("suffix").get("status").asText() + ")" + voidHeading(sup));
    voidNote(h, sup);
    voidNote(h, sec.get("suffix"));
    if (sup.hasNonNull("reason")) {
      h.paragraph("Suppression: not run: " + sup.get("reason").asText() + ".");
    } else {
      JsonNode r = sup.get("result");
      List<List<String>> srows = new ArrayList<>();
      for (String k : List.of("harm", "random", "generic")) {
        JsonNode x = r.path(k);
        if (x.isMissingNode() || x.isNull()) {
          continue;
        }
        srows.add(List.of(x.path("set").asText(), x.path("features").asText(), num(x.path("suppression_rate").asDouble(Double.NaN)),
            num(x.path("fraction_dropped").asDouble(Double.NaN)), num(x.path("refusal_prob_drop").asDouble(Double.NaN))));
      }
      h.paragraph("Clamping the harm features FH (c=" + sup.get("scale").asText() + ") and measuring the refusal features FR"
          + " over the last " + sup.get("last_positions").asText() + " prompt positions; FH clamped at layers "
          + r.path("fh_layers") + " from its first active instruction position, FR read at layers " + r.path("fr_layers")
          + " (strictly after); controls: as many activation-matched random features and the most active non-F* features"
          + " of FH's layers (mean activations " + r.path("control_activations") + ").");
      h.table(List.of("clamped set", "features", "suppression rate", "FR features that drop", "refusal prob drop"), srows);
    }
    JsonNode suf = sec.get("suffix");
    if (suf.hasNonNull("reason")) {
      h.paragraph("Suffix: not run: " + suf.get("reason").asText() + ".");
    } else {
      List<List<String>> xrows = new ArrayList<>();
      for (JsonNode src : suf.get("sources")) {
        xrows.add(List.of(src.path("source").asText(), num(src.path("suffix_suppression_rate").asDouble(Double.NaN)),
            num(src.path("suffix_plus_fh_suppression_rate").asDouble(Double.NaN)), num(src.path("extra_suppression").asDouble(Double.NaN))));
      }
      h.paragraph("Adversarial suffixes appended token by token to harmful prompts: how much they lower the refusal features"
          + " FR over the last " + suf.get("last_positions").asText() + " positions, alone and with FH clamped on top.");
      h.table(List.of("suffix", "suffix suppression rate", "suffix + FH clamp", "extra suppression"), xrows);
    }


    JsonNode pr = sec.get("probes");
    h.heading("6. Probes: raw vs disentangled, ID vs OOD (" + pr.get("status").asText() + ")" + voidHeading(pr));
    voidNote(h, pr);
    h.paragraph("Seeds " + pr.path("seeds") + ": each repeats the split (base prompts of attacked variants never train) and the"
        + " training; cells are mean +/- sd AUROC over seeds. Each OOD set pairs an attack's harmful prompts with the same"
        + " attack on harmless prompts; sets with fewer than 10 of either are shown but not counted in the verdict.");
    List<List<String>> srows = new ArrayList<>();
    List<String> sets = new ArrayList<>();
    for (JsonNode st : pr.path("ood_sets")) {
      sets.add(st.path("name").asText());
      srows.add(List.of(st.path("name").asText(), st.path("positives").asText(), st.path("negatives").asText(),
          st.path("negatives_from").asText(), st.path("in_verdict").asBoolean() ? "yes" : "no", st.path("reason").asText("")));
    }
    h.table(List.of("OOD set", "positives", "negatives", "negatives from", "in verdict", "why not"), srows);
    List<String> header = new ArrayList<>(List.of("view", "width", "ID AUROC"));
    sets.forEach(k -> header.add(k));
    List<List<String>> prows = new ArrayList<>();
    pr.get("views").fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      List<String> r = new ArrayList<>(List.of(e.getKey(), v.path("width").asText(), meanSd(v.path("auroc_over_seeds").path("id"))));
      sets.forEach(k -> r.add(meanSd(v.path("auroc_over_seeds").path(k))));
      prows.add(r);
    });
    h.table(header, prows);
    List<List<String>> vrows0 = new ArrayList<>();
    for (JsonNode x : pr.path("verdict").path("summaries")) {
      JsonNode d = x.path("mean_ood_difference");
      vrows0.add(List.of(x.path("against").asText(),
          d.isMissingNode() || d.isNull() ? "n/a" : String.format(Locale.ROOT, "%+.3f +/- %.3f", d.path("mean").asDouble(), d.path("sd").asDouble()),
          x.path("seeds_disentangled_higher").asText() + "/" + pr.path("seeds").size(),
          x.path("significant_sets_disentangled_higher").asText() + " / " + x.path("significant_sets_against_higher").asText(),
          x.path("outcome").asText()));
    }
    if (!vrows0.isEmpty()) {
      h.table(List.of(pr.path("verdict").path("disentangled").asText() + " against", "mean OOD AUROC difference",
          "seeds disentangled higher", "sets significantly higher / lower (paired bootstrap)", "outcome"), vrows0);
    }
    h.finding((pr.has("void") ? "VOID for the disentangled views (" + pr.get("void").asText() + "): " : "")
        + pr.get("finding").asText());
    if (!sets.isEmpty()) {
      List<byte[]> pngs = new ArrayList<>();
      List<String> alts = new ArrayList<>();
      pr.get("views").fields().forEachRemaining(e -> {
        ForestChart c = new ForestChart(e.getKey(), "AUROC over seeds: mean (dot), min..max (bar)").reference(0.5);
        seedRow(c, "id test", e.getValue().path("auroc_over_seeds").path("id"));
        for (JsonNode st : pr.path("ood_sets")) {
          seedRow(c, st.path("name").asText() + " (" + st.path("positives").asText() + "+/" + st.path("negatives").asText() + "-)",
              e.getValue().path("auroc_over_seeds").path(st.path("name").asText()));
        }
        pngs.add(c.png(540));
        alts.add("forest plot of AUROC over seeds per set: " + e.getKey() + "; sets: " + String.join(", ", sets));
      });
      h.heading("AUROC per set, one forest plot per view");
      h.pngRow(pngs, alts);
    }
    h.paragraph("Default probe (" + pr.get("disentangled_view").asText() + "): "
        + HtmlReport.relativePaths(pr.get("default_probe").asText(), out) + ".");
    h.link("Full comparison (per-seed CIs, ROC curves, raw probe per layer): ", "probes/report.html", "probes/report.html");

    htmlProvenance(h, root.get("provenance"), out);
    return h.toHtml();
  }

  private static void htmlDatasetsAndActivations(HtmlReport h, JsonNode sec) {
    JsonNode ds = sec.get("datasets");
    h.heading("1. Datasets (" + ds.get("status").asText() + ")");
    List<List<String>> rows = new ArrayList<>();
    ds.get("counts").fields().forEachRemaining(e -> rows.add(List.of(e.getKey(), e.getValue().asText())));
    h.table(List.of("file", "prompts"), rows);
    h.paragraph("Attacks: " + ds.get("attacks").toString());

    JsonNode ex = sec.get("extraction");
    h.heading("2. Activations (" + ex.get("status").asText() + ")");
    h.paragraph(String.format(Locale.ROOT, "%d rows (%d plain, %d adversarial) with %d tensors: resid_post at the last"
        + " token of layers %s and every SAE feature.", ex.get("rows").asInt(), ex.get("plain_rows").asInt(),
        ex.get("ood_rows").asInt(), ex.get("tensors").asInt(), ex.get("layers").toString()));
    h.paragraph("Jailbroken flags: " + ex.get("jailbroken_flags").asText());
  }

  private static void htmlProvenance(HtmlReport h, JsonNode pv, Path out) {
    h.heading("Provenance");
    List<List<String>> vrows = new ArrayList<>();
    vrows.add(List.of("model", pv.get("model").asText()));
    if (pv.has("model_sha256")) { // from features.json: absent when the features step was not computed
      vrows.add(List.of("model sha256", pv.get("model_sha256").asText()));
    } else {
      vrows.add(List.of("model and SAE hash", pv.get("model_and_sae_hash").asText()));
    }
    for (JsonNode sae : pv.path("saes")) {
      vrows.add(List.of("SAE " + sae.path("id").asText(), sae.path("sha256").asText()));
    }
    vrows.add(List.of("data", pv.get("data").asText()));
    vrows.add(List.of("seed", pv.get("seed").asText()));
    vrows.add(List.of("quick", pv.get("quick").asText()));
    pv.get("versions").fields().forEachRemaining(e -> vrows.add(List.of(e.getKey(), e.getValue().asText())));
    vrows.add(List.of("command line", pv.get("command_line").asText()));
    for (JsonNode st : pv.get("steps")) {
      vrows.add(List.of("step " + st.get("step").asText(), st.get("status").asText()
          + String.format(Locale.ROOT, " (%.1f s wall, %.1f CPU-s, peak RSS %.2f GiB)", st.get("seconds").asDouble(),
              st.path("cpu_seconds").asDouble(), st.path("peak_rss_bytes").asDouble() / (1L << 30)) + (st.has("reason") ? ": " + st.get("reason").asText() : "")));
    }
    h.table(List.of("item", "value"), vrows.stream().map(r -> List.of(r.get(0), HtmlReport.relativePaths(r.get(1), out))).toList());
    h.paragraph("Paths are relative to this report's folder.");
  }
}
