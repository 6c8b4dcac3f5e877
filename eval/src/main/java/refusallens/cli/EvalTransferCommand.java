package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.report.EvalReport;
import refusallens.eval.transfer.CategoryTransfer;
import refusallens.core.output.OutputDir;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval transfer}: do features found on one harm category jailbreak the others? */
@Command(name = "transfer",
    description = {
      "For each harm category of the features file's per-prompt sets, clamp that category's features (union of its"
          + " prompts' sets, top |F*| by summed attribution) on held-out harmful prompts of every category:"
          + " jailbreak score per (source, target), base score per target.",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalTransferCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EvalCommand.Common common;

  @Option(names = "--scale", defaultValue = "-3", description = "c of the clamp (default ${DEFAULT-VALUE}).")
  double scale;

  @Override
  public Integer call() throws Exception {
    OutputDir outDir = common.output("transfer");
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    int k = Math.max(1, ctx.features().features().size());
    Map<String, FeatureSet> sources = CategoryTransfer.byCategory(ctx.features(), k);
    CategoryTransfer.Result r = CategoryTransfer.run(ctx, sources, harmful, scale);

    ObjectNode root = EvalReport.root("eval-transfer", ctx.provenance());
    root.put("judge", ctx.judge().name());
    root.put("n", harmful.size());
    root.put("scale", scale);
    root.put("seed", common.seed);
    root.put("same_category_jailbreak", r.sameCategory());
    root.put("other_category_jailbreak", r.otherCategory());
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful));
    root.set("features_per_source", EvalReport.JSON.valueToTree(r.featuresPerSource()));
    root.set("cells", EvalReport.JSON.valueToTree(r.cells()));

    HtmlReport html = new HtmlReport("Transfer of refusal features across harm categories");
    html.paragraph("Model " + ctx.provenance().model() + ", judge " + ctx.judge().name() + ", c=" + scale + ", "
        + harmful.size() + " held-out harmful prompts. Same-category mean jailbreak " + EvalReport.fmt(r.sameCategory())
        + ", other categories " + EvalReport.fmt(r.otherCategory()) + ".");
    List<List<String>> rows = new ArrayList<>();
    double[] x = new double[r.cells().size()];
    double[] y = new double[x.length];
    double[] yb = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      CategoryTransfer.Cell c = r.cells().get(i);
      rows.add(List.of(c.source(), c.target(), Integer.toString(c.n()), EvalReport.fmt(c.baseJailbreakScore()),
          EvalReport.fmt(c.jailbreakScore())));
      x[i] = i;
      y[i] = Double.isNaN(c.jailbreakScore()) ? 0 : c.jailbreakScore();
      yb[i] = Double.isNaN(c.baseJailbreakScore()) ? 0 : c.baseJailbreakScore();
    }
    html.table(List.of("features of", "clamped on", "n", "base jailbreak", "jailbreak"), rows);
    html.png(new LineChart("Jailbreak score per (source, target) pair", "pair (table order)", "jailbreak score")
        .series("clamped", x, y).series("base", x, yb).png(720, 400), "transfer jailbreak scores");
    EvalCommand.Common.writeReport(outDir, root, html);

    if (common.jsonOption.json) {
      CliJson.print(spec.commandLine().getOut(), root);
    } else {
      spec.commandLine().getOut().printf("%-22s %-22s %4s %8s %10s   (judge %s)%n", "features of", "clamped on", "n", "base", "jailbreak", ctx.judge().name());
      for (List<String> row : rows) {
        spec.commandLine().getOut().printf("%-22s %-22s %4s %8s %10s%n", row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
      }
      spec.commandLine().getOut().println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }
}
