package refusallens.cli;

import refusallens.refusal.RefusalTokens;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.Controls;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.report.EvalReport;
import refusallens.eval.suppression.SuppressionEvaluation;
import refusallens.core.output.OutputDir;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureRole;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval suppression}: does clamping the harm features FH suppress the refusal features FR? */
@Command(name = "suppression",
    description = {
      "Clamp FH (a_i -> c a_i, c < 0) from the first prompt position where an FH feature is active onward and"
          + " measure FR over the last positions: the suppression rate (mean relative drop (orig - clamped) / orig"
          + " over the active FR activations), the share of active FR features that drop, and the drop of the"
          + " first-token refusal probability; the same number of random features of the same layers as control.",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalSuppressionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EvalCommand.Common common;

  @Mixin FhClampOptions clamp;

  @Override
  public Integer call() throws Exception {
    OutputDir outDir = common.output("suppression");
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    FeatureSet harm = keys("FH", ctx, FeatureRole.HARM);
    FeatureSet refusal = keys("FR", ctx, FeatureRole.REFUSAL);
    RefusalTokens tok = RefusalTokens.of(ctx.features(), ctx.tokenizer());
    SuppressionEvaluation.Result r = clamp.evaluation(ctx).run(harmful, harm, refusal,
        new HashSet<>(FeatureSet.fStar(ctx.features()).features()), tok);

    ObjectNode root = EvalReport.root("eval-suppression", ctx.provenance());
    root.put("judge", "none (activations and first-token probabilities)");
    root.put("suppression_rate", r.harm().suppressionRate());
    root.put("random_suppression_rate", r.random().suppressionRate());
    root.put("generic_suppression_rate", r.generic().suppressionRate());
    root.put("fraction_dropped", r.harm().fractionDropped());
    root.put("random_fraction_dropped", r.random().fractionDropped());
    root.put("generic_fraction_dropped", r.generic().fractionDropped());
    root.put("refusal_prob_drop", r.harm().refusalProbDrop());
    root.put("random_refusal_prob_drop", r.random().refusalProbDrop());
    root.put("generic_refusal_prob_drop", r.generic().refusalProbDrop());
    root.put("n", harmful.size());
    root.put("n_fh", r.harm().features());
    root.put("n_fr", r.frLayers().isEmpty() ? 0 : (int) refusal.features().stream().filter(k -> r.frLayers().contains(k.layer())).count());
    root.set("fh_layers", EvalReport.JSON.valueToTree(r.fhLayers()));
    root.set("fr_layers", EvalReport.JSON.valueToTree(r.frLayers()));
    root.set("control_activations", EvalReport.JSON.valueToTree(r.controlActivations()));
    clamp.describe(root);
    root.set("refusal_tokens", root.arrayNode().addAll(tok.tokens().stream().map(t -> (com.fasterxml.jackson.databind.JsonNode) root.textNode(t)).toList()));
    root.put("seed", common.seed);
    root.set("random_features", EvalReport.JSON.valueToTree(r.random().featureKeys()));
    root.set("generic_features", EvalReport.JSON.valueToTree(r.generic().featureKeys()));
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful));
    root.set("harm", EvalReport.JSON.valueToTree(r.harm()));
    root.set("random", EvalReport.JSON.valueToTree(r.random()));
    root.set("generic", EvalReport.JSON.valueToTree(r.generic()));

    HtmlReport html = new HtmlReport("Harm-to-refusal suppression");
    html.paragraph("Model " + ctx.provenance().model() + ", features " + ctx.provenance().features() + ": "
        + harm.features().size() + " FH, " + refusal.features().size() + " FR; FH clamped with c=" + clamp.scale
        + " at layers " + r.fhLayers() + " from its first active instruction position; FR read at layers " + r.frLayers()
        + " (strictly after) over the last " + clamp.last + " positions of " + harmful.size() + " held-out harmful prompts;"
        + " controls at FH's layers: random features active on these prompts with mean activation within a factor of "
        + Controls.MATCH_FACTOR + " of each FH feature's (seed " + common.seed + "), and the most active non-F* features."
        + " Mean activations: " + r.controlActivations() + ".");
    html.table(List.of("clamped set", "features", "suppression rate", "FR features that drop", "refusal prob drop"),
        List.of(row(r.harm()), row(r.random()), row(r.generic())));
    double[] x = new double[r.harm().prompts().size()];
    double[] yh = new double[x.length];
    double[] yr = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      yh[i] = nan0(r.harm().prompts().get(i).suppressionRate());
      yr[i] = nan0(r.random().prompts().get(i).suppressionRate());
    }
    html.png(new LineChart("Suppression rate per prompt", "prompt", "suppression rate")
        .series("FH clamped", x, yh).series("random clamped", x, yr).png(720, 400), "suppression rate per prompt");
    EvalCommand.Common.writeReport(outDir, root, html);

    if (common.jsonOption.json) {
      ObjectNode s = root.deepCopy();
      s.remove(List.of("harm", "random", "generic"));
      CliJson.print(spec.commandLine().getOut(), s);
    } else {
      spec.commandLine().getOut().printf("%-8s %9s %12s %10s %16s%n", "clamped", "features", "suppression", "FR drop", "refusal p drop");
      for (SuppressionEvaluation.Summary s : List.of(r.harm(), r.random(), r.generic())) {
        spec.commandLine().getOut().printf("%-8s %9d %12s %10s %16s%n", s.set(), s.features(), EvalReport.fmt(s.suppressionRate()),
            EvalReport.fmt(s.fractionDropped()), EvalReport.fmt(s.refusalProbDrop()));
      }
      spec.commandLine().getOut().println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }

  private static List<String> row(SuppressionEvaluation.Summary s) {
    return List.of(s.set(), Integer.toString(s.features()), EvalReport.fmt(s.suppressionRate()),
        EvalReport.fmt(s.fractionDropped()), EvalReport.fmt(s.refusalProbDrop()));
  }

  private static double nan0(double x) {
    return Double.isNaN(x) ? 0 : x;
  }

  private static FeatureSet keys(String name, EvalContext ctx, FeatureRole role) {
    List<FeatureKey> out = new ArrayList<>();
    ctx.features().withRole(role).forEach(f -> out.add(new FeatureKey(f.layer(), f.index())));
    return new FeatureSet(name, out);
  }
}
