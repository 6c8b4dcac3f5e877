package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.Induction;
import refusallens.eval.clamp.Controls;
import refusallens.eval.compare.MethodComparison;
import refusallens.eval.judge.Outcomes;
import refusallens.eval.report.EvalReport;
import refusallens.core.output.OutputDir;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval compare}: the paper's methods at equal budget, and K* / c trade-off sweeps. */
@Command(name = "compare",
    description = {
      "Methods at equal budget (K* = |F*| features): steering along V*_R (direction ablated at every layer for the"
          + " jailbreak; alpha x unit V*_R added to resid_post at every layer and position for the induction),"
          + " CosSim only, AP only, CosSim+AP (ours = F*), ActDiff, random; columns jailbreak score, refusal score"
          + " (induction), CE increase on own harmless completions and on plain text. Then a K* sweep (ours vs CosSim only) and a c sweep (ours) plotted as"
          + " jailbreak vs CE increase.",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalCompareCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EvalCommand.Common common;

  @Mixin ClampScaleOption scaleOption;

  @Mixin InductionOption induceOption;

  @Option(names = "--steer-alpha", paramLabel = "ALPHA",
      description = "alpha of the V*_R addition (induction side of steering). Default: the mean projection of harmful"
          + " prompts' resid_post on the unit V*_R at its layer, as features.json records it (else measured on the"
          + " harmful sample).")
  Double steerAlpha;

  @Mixin EvalCommand.TextOption textOption;

  @Option(names = "--k-sweep", split = ",", defaultValue = "5,10,20,50", description = "K* values (default ${DEFAULT-VALUE}; capped at the list lengths).")
  List<Integer> ks;

  @Option(names = "--c-sweep", split = ",", defaultValue = "-1,-2,-3,-5", description = "c values (default ${DEFAULT-VALUE}).")
  List<Double> cs;

  @Override
  public Integer call() throws Exception {
    OutputDir outDir = common.output("compare");
    Induction induction = induceOption.induction();
    MethodComparison.Options options = new MethodComparison.Options(scaleOption.scale, induction, ks, cs,
        steerAlpha == null ? OptionalDouble.empty() : OptionalDouble.of(steerAlpha));
    List<String> texts = textOption.texts(common.seed, common.harmless);
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    List<Prompt> harmless = common.prompts(ctx, Label.HARMLESS, common.harmless);
    ClampEvaluation eval = new ClampEvaluation(ctx, harmful, harmless, texts);
    MethodComparison.Result r = new MethodComparison(ctx, eval).run(options);

    ObjectNode root = EvalReport.root("eval-compare", ctx.provenance());
    root.put("judge", ctx.judge().name());
    root.put("base_jailbreak_score", eval.base().jailbreakScore());
    root.set("base_outcomes", EvalReport.outcomes(eval.base().harmful()));
    root.put("base_refusal_score", eval.base().refusalScore());
    root.put("ce_base", r.ceBase());
    root.put("ce_text_base", r.ceTextBase());
    root.put("n_harmful", harmful.size());
    root.put("n_harmless", harmless.size());
    root.put("scale", scaleOption.scale);
    root.put("induce", induction.toString());
    root.put("induce_means_measured", eval.harmfulMeans().measuredFeatures().size());
    if (r.steering() != null) {
      root.set("steering", EvalReport.JSON.valueToTree(r.steering()));
    }
    root.put("seed", common.seed);
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful, "harmless", harmless));
    EvalCommand.TextOption.describe(root, textOption.source(common.seed, common.harmless), texts);
    root.set("methods", EvalReport.JSON.valueToTree(r.methods()));
    root.put("max_ce_increase", MethodComparison.MAX_CE_INCREASE);
    root.set("matched", EvalReport.JSON.valueToTree(r.matched()));
    root.set("control_activations", EvalReport.JSON.valueToTree(r.controls()));
    root.set("k_sweep", EvalReport.JSON.valueToTree(r.kSweep()));
    root.set("c_sweep", EvalReport.JSON.valueToTree(r.cSweep()));
    ObjectNode v = root.putObject("verdicts");
    v.set("base_harmful", EvalReport.verdicts(eval.base().harmful()));
    v.set("base_harmless", EvalReport.verdicts(eval.base().harmless()));

    HtmlReport html = new HtmlReport("Method comparison at equal budget");
    html.paragraph("Model " + ctx.provenance().model() + ", judge " + ctx.judge().name() + ", c=" + scaleOption.scale
        + ", induction " + induction + ", " + harmful.size() + " harmful and " + harmless.size()
        + " harmless held-out prompts; base jailbreak score " + EvalReport.fmt(eval.base().jailbreakScore())
        + ", base refusal score " + EvalReport.fmt(eval.base().refusalScore()) + ", base CE " + EvalReport.fmt(r.ceBase())
        + " (own completions) and " + EvalReport.fmt(r.ceTextBase()) + " (plain text: "
        + textOption.source(common.seed, common.harmless) + ")"
        + (r.steering() == null ? "" : "; V*_R directional ablation projects the direction out at every layer and"
            + " position; activation addition subtracts (jailbreak) or adds (induction) alpha = "
            + EvalReport.fmt(r.steering().alpha()) + " x unit V*_R at its layer (" + r.steering().source() + ")") + ".");
    html.table(List.of("method", "K", "jailbreak score", "refusal score", "CE increase", "CE increase (text)",
        "refused / complied / degenerate"), rows(r.methods()));
    html.heading("At matched coherence (CE increase <= " + MethodComparison.MAX_CE_INCREASE + " nats)");
    html.paragraph("Each method's best jailbreak score over c in the sweep with CE increase at most "
        + MethodComparison.MAX_CE_INCREASE + " nats, beside its row at the table's c. Controls: random features are"
        + " drawn among those active on the harmful prompts with mean activation within a factor of "
        + Controls.MATCH_FACTOR + " of each F* feature's (mean activation F* " + EvalReport.fmt(r.controls().fStar())
        + ", random " + EvalReport.fmt(r.controls().random()) + ", generic " + EvalReport.fmt(r.controls().generic())
        + "); generic = the most active non-F* features of F*'s layers.");
    html.table(List.of("method", "jailbreak at c=" + scaleOption.scale, "CE increase", "best jailbreak (CE <= "
        + MethodComparison.MAX_CE_INCREASE + ")", "at c", "CE increase"), matchedRows(r.matched()));
    html.heading("K* sweep");
    html.table(List.of("method", "K", "jailbreak score", "refusal score", "CE increase", "CE increase (text)"), rows(r.kSweep()));
    html.png(curves("K* sweep: jailbreak vs CE increase", r.kSweep()), "K* sweep trade-off");
    html.heading("c sweep");
    html.table(List.of("method", "K", "jailbreak score", "refusal score", "CE increase", "CE increase (text)"), rows(r.cSweep()));
    html.png(curves("c sweep: jailbreak vs CE increase", r.cSweep()), "c sweep trade-off");
    EvalCommand.Common.writeReport(outDir, root, html);

    if (common.jsonOption.json) {
      CliJson.print(spec.commandLine().getOut(), root.deepCopy().without("verdicts"));
    } else {
      spec.commandLine().getOut().printf("%-20s %4s %10s %10s %12s %12s   (judge %s)%n", "method", "K", "jailbreak", "refusal", "CE increase",
          "CE incr text", ctx.judge().name());
      spec.commandLine().getOut().printf("%-20s %4s %10s %10s %12s %12s%n", "base", "-", EvalReport.fmt(eval.base().jailbreakScore()),
          EvalReport.fmt(eval.base().refusalScore()), "0", "0");
      for (MethodComparison.Row row : r.methods()) {
        spec.commandLine().getOut().printf("%-26s %4d %10s %10s %12s %12s   %s%n", row.method(), row.k(), EvalReport.fmt(row.jailbreakScore()),
            EvalReport.fmt(row.refusalScore()), EvalReport.fmt(row.ceIncrease()), EvalReport.fmt(row.ceTextIncrease()),
            outcomes(row.outcomes()));
      }
      spec.commandLine().getOut().printf("at matched coherence (CE increase <= %s):%n", MethodComparison.MAX_CE_INCREASE);
      for (List<String> m : matchedRows(r.matched())) {
        spec.commandLine().getOut().printf("%-26s %10s %10s   best %s at c=%s (CE increase %s)%n", m.get(0), m.get(1), m.get(2), m.get(3),
            m.get(4), m.get(5));
      }
      spec.commandLine().getOut().println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }

  private static List<List<String>> rows(List<MethodComparison.Row> rows) {
    List<List<String>> out = new ArrayList<>();
    for (MethodComparison.Row r : rows) {
      out.add(List.of(r.method() + (Double.isNaN(r.c()) ? "" : " (c=" + r.c() + ")"), Integer.toString(r.k()),
          EvalReport.fmt(r.jailbreakScore()), EvalReport.fmt(r.refusalScore()), EvalReport.fmt(r.ceIncrease()),
          EvalReport.fmt(r.ceTextIncrease()), outcomes(r.outcomes())));
    }
    return out;
  }

  private static List<List<String>> matchedRows(List<MethodComparison.Matched> matched) {
    List<List<String>> out = new ArrayList<>();
    for (MethodComparison.Matched m : matched) {
      MethodComparison.Row b = m.best();
      out.add(List.of(m.method(), EvalReport.fmt(m.fixed().jailbreakScore()), EvalReport.fmt(m.fixed().ceIncrease()),
          b == null ? "none" : EvalReport.fmt(b.jailbreakScore()), b == null ? "-" : EvalReport.fmt(b.c()),
          b == null ? "-" : EvalReport.fmt(b.ceIncrease())));
    }
    return out;
  }

  private static String outcomes(Outcomes o) {
    return o == null ? "-" : EvalReport.fmt(o.refused()) + " / " + EvalReport.fmt(o.complied()) + " / "
        + EvalReport.fmt(o.degenerate()) + " (n=" + o.n() + ")";
  }

  /** One curve per method: points (CE increase, jailbreak score) in sweep order. */
  private static byte[] curves(String title, List<MethodComparison.Row> rows) {
    Map<String, List<MethodComparison.Row>> by = new LinkedHashMap<>();
    rows.forEach(r -> by.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r));
    LineChart chart = new LineChart(title, "CE increase (nats)", "jailbreak score");
    by.forEach((m, rs) -> chart.series(m, rs.stream().mapToDouble(x -> nan0(x.ceIncrease())).toArray(),
        rs.stream().mapToDouble(x -> nan0(x.jailbreakScore())).toArray()));
    return chart.png(720, 420);
  }

  private static double nan0(double x) {
    return Double.isNaN(x) ? 0 : x;
  }
}
