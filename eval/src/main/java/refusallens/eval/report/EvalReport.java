package refusallens.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import refusallens.datasets.Prompt;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.files.Json;
import refusallens.core.io.ContentHash;
import refusallens.report.HtmlReport;

/**
 * The two files every {@code eval} command writes into its --out folder: {@code report.json} (all numbers plus
 * provenance: model, SAEs, features, dataset hashes, seed, judge, versions) and the self-contained
 * {@code report.html}.
 */
public final class EvalReport {
  /** The schema version of report.json. */
  public static final int SCHEMA_VERSION = 1;

  public static final ObjectMapper JSON = Json.MAPPER;

  private EvalReport() {}

  /** Where the numbers come from. */
  public record RunProvenance(
      String model, String modelSha256, List<String> saes, String saesSha256, String features, String featuresSha256,
      String seed, String judge, String tool, String java) {}

  /** Provenance of a run: hashes of the model folder, the SAE folders and the features file. */
  public static RunProvenance provenance(Path model, List<Path> saes, Path features, long seed, String judge) {
    String v = EvalReport.class.getPackage().getImplementationVersion();
    return new RunProvenance(model.toString(), ContentHash.ofDirectory(model),
        saes.stream().map(Path::toString).toList(),
        ContentHash.ofText(saes.stream().map(ContentHash::ofDirectory).collect(Collectors.joining(","))),
        features.toString(), ContentHash.ofFiles(List.of(features)), Long.toString(seed), judge,
        "refusal-lens " + (v == null ? "dev" : v), System.getProperty("java.version"));
  }

  /** SHA-256 of a prompt list (ids, labels, texts): the dataset hash a report cites. */
  public static String datasetHash(List<Prompt> prompts) {
    return ContentHash.ofText(prompts.stream()
        .map(p -> p.id() + "\t" + p.label().wireName() + "\t" + p.userText())
        .collect(Collectors.joining("\n")));
  }

  /** A new report.json root with kind, schemaVersion and provenance. */
  public static ObjectNode root(String kind, RunProvenance provenance) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schemaVersion", SCHEMA_VERSION);
    n.put("kind", kind);
    n.set("provenance", JSON.valueToTree(provenance));
    return n;
  }

  /** The outcome shares of {@code judged} (n, refused / complied / degenerate, Wilson intervals) as JSON. */
  public static ObjectNode outcomes(List<RefusalEvaluation.Judged> judged) {
    return JSON.valueToTree(RefusalEvaluation.outcomes(judged));
  }

  /** Per-prompt verdicts as JSON rows (id, refused, outcome, reason, completion): the data base rates are recomputed from. */
  public static com.fasterxml.jackson.databind.node.ArrayNode verdicts(List<RefusalEvaluation.Judged> judged) {
    var arr = JSON.createArrayNode();
    for (RefusalEvaluation.Judged j : judged) {
      ObjectNode o = arr.addObject();
      o.put("id", j.prompt().id());
      o.put("category", String.valueOf(j.prompt().category()));
      o.put("refused", j.verdict().refused());
      o.put("outcome", j.verdict().outcome().wireName());
      o.put("reason", j.verdict().reason());
      o.put("completion", j.completion());
    }
    return arr;
  }

  /** An HTML table of example completions before and after an intervention (at most {@code n} rows). */
  public static void examples(HtmlReport html, String title, List<RefusalEvaluation.Judged> before,
      List<RefusalEvaluation.Judged> after, int n) {
    html.heading(title);
    List<List<String>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < Math.min(n, Math.min(before.size(), after.size())); i++) {
      RefusalEvaluation.Judged b = before.get(i);
      RefusalEvaluation.Judged a = after.get(i);
      rows.add(List.of(b.prompt().userText(), b.completion(), b.verdict().outcome().wireName(),
          a.completion(), a.verdict().outcome().wireName()));
    }
    html.table(List.of("prompt", "before", "verdict", "after", "verdict"), rows);
  }

  /** Formats a number for tables (NaN as "-"). */
  public static String fmt(double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
  }

  /** Writes report.json and report.html into {@code out}. */
  public static void write(Path out, ObjectNode json, HtmlReport html) {
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("report.json"), JSON.writeValueAsString(json) + "\n");
      html.write(out.resolve("report.html"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + out, e);
    }
  }
}
