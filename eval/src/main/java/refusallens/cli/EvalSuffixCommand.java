package refusallens.cli;

import refusallens.refusal.RefusalTokens;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.report.EvalReport;
import refusallens.eval.suffix.SuffixEvaluation;
import refusallens.eval.suppression.SuppressionEvaluation;
import refusallens.core.output.OutputDir;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureRole;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval suffix}: how adversarial suffixes move the refusal features. */
@Command(name = "suffix",
    description = {
      "Append adversarial suffixes (the datasets' random-suffix and benign-suffix transforms, or one suffix per"
          + " line of --suffix-file) to held-out harmful prompts token by token: mean FR activation over the last"
          + " positions after each token, the suffix suppression rate (full suffix vs none), and the suppression"
          + " with FH clamped on top (the extra suppression).",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalSuffixCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EvalCommand.Common common;

  @Option(names = "--attack", split = ",", defaultValue = "random-suffix,benign-suffix",
      description = "Suffix transforms of the datasets module (default ${DEFAULT-VALUE}).")
  List<String> attacks;

  @Option(names = "--suffix-file", paramLabel = "FILE", description = "Suffixes, one per line (used in turn), instead of --attack.")
  Path suffixFile;

  @Mixin FhClampOptions clamp;

  @Option(names = "--max-suffix-tokens", defaultValue = "24", description = "Suffix tokens on the curve (default ${DEFAULT-VALUE}).")
  int maxSuffixTokens;

  @Override
  public Integer call() throws Exception {
    OutputDir outDir = common.output("suffix");
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    FeatureSet harm = role("FH", ctx, FeatureRole.HARM);
    FeatureSet refusal = role("FR", ctx, FeatureRole.REFUSAL);
    if (harm.isEmpty() || refusal.isEmpty()) {
      throw new IllegalArgumentException("--features: suffix analysis needs harm and refusal features (file has "
          + harm.features().size() + " FH, " + refusal.features().size() + " FR)");
    }
    RefusalTokens tok = RefusalTokens.of(ctx.features(), ctx.tokenizer());
    SuppressionEvaluation sup = clamp.evaluation(ctx);
    SuffixEvaluation eval = new SuffixEvaluation(ctx, sup, maxSuffixTokens);
    Map<String, List<String>> sources = new TreeMap<>();
    if (suffixFile != null) {
      if (!Files.isRegularFile(suffixFile)) {
        throw new IllegalArgumentException("--suffix-file: " + suffixFile + " does not exist");
      }
      List<String> lines = Files.readAllLines(suffixFile).stream().filter(s -> !s.isBlank()).toList();
      if (lines.isEmpty()) {
        throw new IllegalArgumentException("--suffix-file: " + suffixFile + " has no suffix lines");
      }
      List<String> per = new ArrayList<>();
      for (int i = 0; i < harmful.size(); i++) {
        per.add(lines.get(i % lines.size()));
      }
      sources.put("file:" + suffixFile.getFileName(), per);
    } else {
      for (String name : attacks) {
        Attack a = Attacks.byName(name);
        List<String> per = new ArrayList<>();
        for (Prompt p : harmful) {
          String v = a.apply(p, common.seed).userText();
          String base = p.userText().strip();
          if (!v.startsWith(base)) {
            throw new IllegalArgumentException("--attack " + name + " is not a suffix transform (it rewrites the request)");
          }
          per.add(v.substring(base.length()));
        }
        sources.put(name, per);
      }
    }
    List<SuffixEvaluation.Summary> results = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : sources.entrySet()) {
      results.add(eval.run(e.getKey(), harmful, e.getValue(), harm, refusal, tok));
    }

    ObjectNode root = EvalReport.root("eval-suffix", ctx.provenance());
    root.put("judge", "none (activations)");
    root.put("n", harmful.size());
    clamp.describe(root);
    root.put("seed", common.seed);
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful));
    ArrayNode arr = root.putArray("suffixes");
    results.forEach(r -> arr.add(EvalReport.JSON.valueToTree(r)));

    HtmlReport html = new HtmlReport("Adversarial suffixes and the refusal features");
    html.paragraph("Model " + ctx.provenance().model() + ", " + harm.features().size() + " FH and " + refusal.features().size()
        + " FR features, FR measured over the last " + clamp.last + " positions of " + harmful.size() + " held-out harmful prompts.");
    List<List<String>> rows = new ArrayList<>();
    LineChart chart = new LineChart("Mean FR activation as the suffix is appended", "suffix tokens", "mean FR activation");
    for (SuffixEvaluation.Summary s : results) {
      rows.add(List.of(s.source(), EvalReport.fmt(s.suffixSuppressionRate()), EvalReport.fmt(s.suffixPlusFhSuppressionRate()),
          EvalReport.fmt(s.extraSuppression())));
      double[] x = new double[s.meanFrByTokens().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
      }
      chart.series(s.source(), x, s.meanFrByTokens());
    }
    html.table(List.of("suffix", "suffix suppression rate", "suffix + FH clamp", "extra suppression"), rows);
    html.png(chart.png(720, 420), "FR activation by suffix tokens");
    EvalCommand.Common.writeReport(outDir, root, html);

    if (common.jsonOption.json) {
      ObjectNode s = root.deepCopy();
      ArrayNode slim = s.putArray("suffixes");
      results.forEach(r -> slim.add(((ObjectNode) EvalReport.JSON.valueToTree(r)).without("prompts")));
      CliJson.print(spec.commandLine().getOut(), s);
    } else {
      spec.commandLine().getOut().printf("%-20s %12s %14s %10s%n", "suffix", "suppression", "+ FH clamp", "extra");
      for (List<String> r : rows) {
        spec.commandLine().getOut().printf("%-20s %12s %14s %10s%n", r.get(0), r.get(1), r.get(2), r.get(3));
      }
      spec.commandLine().getOut().println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }

  static FeatureSet role(String name, EvalContext ctx, FeatureRole role) {
    return new FeatureSet(name, ctx.features().withRole(role).stream().map(f -> new FeatureKey(f.layer(), f.index())).toList());
  }
}
