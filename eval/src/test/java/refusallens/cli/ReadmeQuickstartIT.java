package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import refusallens.refusal.extract.Extraction;
import refusallens.organism.Organism;
import refusallens.probes.Probe;
import refusallens.readme.ReadmeBlocks;
import refusallens.core.sae.SaeSet;

/**
 * The README's CLI quickstart blocks ({@code tested:train}, {@code tested:compare}) run as written on the
 * shipped organism: every {@code ./refusal-lens} line in-process in a temporary folder (the blocks write under
 * {@code quickstart/}), each exiting 0 and printing what the README says it prints; the {@code serve} line is
 * parsed as the CLI parses it and its probe is checked against the served model and SAEs as the service checks
 * it on start. (The {@code curl} block is ReadmeQuickstartServiceTest's, in classifier-service.) An IT: the
 * quick study alone takes most of a minute.
 */
class ReadmeQuickstartIT {
  private static final String ROOT = "quickstart/";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void theQuickstartBlocksRunOnTheShippedModel() throws Exception {
    Map<String, CliRun> train = run("train");
    CliRun trained = train.get("probes train");
    assertTrue(trained.err().contains("wrote " + tmp.resolve("quickstart/fr-probe.json") + " ("), trained.err());
    assertTrue(trained.out().contains("AUROC") && trained.out().contains("TPR@1%FPR"), "train prints the metrics table:\n" + trained.out());
    for (String set : List.of("validation", "id")) {
      assertTrue(trained.out().lines().anyMatch(l -> l.startsWith(set + " ")), "a row for " + set + ":\n" + trained.out());
    }
    CliRun shown = train.get("probes show");
    for (String field : List.of("probe ", "view ", "model ", "classifier ", "threshold ", "trained on ")) {
      assertTrue(shown.out().contains(field), "show prints " + field + ":\n" + shown.out());
    }
    CliRun evaluated = train.get("probes evaluate");
    assertTrue(evaluated.err().contains("training store: evaluating its held-out split"), evaluated.err());
    assertTrue(evaluated.out().lines().anyMatch(l -> l.startsWith("id ")), evaluated.out());
    assertFalse(evaluated.out().lines().anyMatch(l -> l.startsWith("validation ")), "held-out split only:\n" + evaluated.out());

    Map<String, CliRun> compare = run("compare");
    for (String r : List.of("compare-a", "compare-b")) {
      JsonNode report = JSON.readTree(tmp.resolve("quickstart").resolve(r).resolve("report.json").toFile());
      assertTrue(report.get("ood_sets").size() > 0, r + " has OOD sets");
      assertTrue(Files.isRegularFile(tmp.resolve("quickstart").resolve(r).resolve("report.html")));
    }
    CliRun diff = compare.get("probes diff");
    assertTrue(diff.err().contains("warning: ") && diff.err().contains("has seeds [2, 3]"),
        "diff warns that B's seeds differ from A's:\n" + diff.err());
    assertTrue(diff.out().contains("AUROC [A]") && diff.out().contains("AUROC [B]") && diff.out().contains("diff vs A"), diff.out());
    assertTrue(Files.isRegularFile(tmp.resolve("quickstart/diff.html")), "--html wrote the diff page");
  }

  /** Runs block {@code name}; returns each command's run by its first two words ("probes train"). */
  private Map<String, CliRun> run(String name) throws Exception {
    List<ReadmeBlocks.Command> block = ReadmeBlocks.block(name);
    assertFalse(block.isEmpty(), "block " + name + " is empty");
    Map<String, CliRun> runs = new LinkedHashMap<>();
    for (ReadmeBlocks.Command c : block) {
      assertEquals("./refusal-lens", c.words().get(0), "block " + name + " runs refusal-lens only: " + c.line());
      String[] args = inTmp(c.words().subList(1, c.words().size()));
      String key = args.length > 1 && !args[1].startsWith("-") ? args[0] + " " + args[1] : args[0];
      if (args[0].equals("serve")) {
        checkServe(args, c);
        continue;
      }
      CliRun r = CliRun.of(args);
      assertEquals(0, r.code(), "README block " + name + ": `" + c.line() + "` exited " + r.code() + ":\n" + r.err());
      runs.put(key, r);
    }
    return runs;
  }

  /** The words with every path under quickstart/ moved into the temporary folder (a relative path elsewhere is an error). */
  private String[] inTmp(List<String> words) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      if (w.startsWith(ROOT)) {
        out.add(tmp.resolve(w).toString());
      } else {
        assertFalse(w.contains("/") && !w.contains("("), "the quickstart writes under " + ROOT + " only: " + w);
        out.add(w);
      }
    }
    return out.toArray(String[]::new);
  }

  /**
   * {@code serve}: parsed by the CLI's own parser (the options exist and convert), and the probe passes the check
   * the service makes when it loads it (ModelEngine.load: recorded model and SAE hashes against the served ones).
   */
  private static void checkServe(String[] args, ReadmeBlocks.Command c) throws Exception {
    CommandLine.ParseResult parsed = RefusalLens.newCommandLine().parseArgs(args);
    assertNotNull(parsed.subcommand(), c.line());
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    assertNotNull(serve.probe, "the quickstart serves the probe it trained: " + c.line());
    assertTrue(Files.isRegularFile(serve.probe), serve.probe + " was written by the block");
    assertEquals(null, serve.modelOption.model, "served on the shipped model");
    Path saeDir = Organism.defaultSaeDir();
    Probe.load(serve.probe).view().checkCompatible(Extraction.modelIdentity(Organism.defaultModelDir()),
        Extraction.saeIdentity(List.of(new SaeSet.Source(saeDir, OptionalInt.empty()))),
        "probe " + serve.probe + " against the shipped organism");
  }
}
