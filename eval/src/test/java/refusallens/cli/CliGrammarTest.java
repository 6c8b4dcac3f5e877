package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import refusallens.files.Json;
import refusallens.organism.Organism;

/**
 * One grammar: --model is a checkpoint directory defaulting to the organism (the old positional form still
 * works), developer tools live under 'dev' (old names hidden aliases), probes take --classifier.
 */
class CliGrammarTest {
  @Test
  void modelIsAnOptionDefaultingToTheOrganismAndThePositionalFormStillWorks() throws Exception {
    Path organism = Organism.defaultModelDir();
    CliRun byDefault = CliRun.ok("inspect", "--prompt", "hello", "--json");
    CliRun byOption = CliRun.ok("inspect", "--model", organism.toString(), "--prompt", "hello", "--json");
    CliRun positional = CliRun.ok("inspect", organism.toString(), "--prompt", "hello", "--json");
    JsonNode ids = Json.MAPPER.readTree(byOption.out()).get("ids");
    assertTrue(ids.size() > 0, byOption.out());
    assertEquals(ids, Json.MAPPER.readTree(byDefault.out()).get("ids"));
    assertEquals(ids, Json.MAPPER.readTree(positional.out()).get("ids"));
    CliRun both = CliRun.of("inspect", "--model", organism.toString(), organism.resolve("saes").toString());
    assertEquals(1, both.code());
    assertTrue(both.err().contains("name different models"), both.err());
  }

  @Test
  void developerToolsLiveUnderDevAndTheOldNamesAreHiddenAliases() {
    CommandLine cl = RefusalLens.newCommandLine();
    Map<String, CommandLine> top = cl.getSubcommands();
    for (String dev : List.of("bench", "loadtest", "synth-model")) {
      assertTrue(top.get("dev").getSubcommands().containsKey(dev), "dev " + dev);
      assertTrue(top.containsKey(dev), dev + " still runs");
      assertTrue(top.get(dev).getCommandSpec().usageMessage().hidden(), dev + " is not listed");
    }
    String usage = cl.getUsageMessage();
    assertTrue(usage.contains("dev"), usage);
    assertFalse(usage.contains("synth-model") || usage.contains("loadtest"), usage);
    assertEquals(0, CliRun.of("dev", "bench", "--help").code());
    assertEquals(0, CliRun.of("bench", "--help").code());
  }

  @Test
  void commandsPrintThroughPicocliWritersNotSystemOut() throws Exception {
    Path cli = Path.of(System.getProperty("refusallens.repo"), "eval/src/main/java/refusallens/cli");
    List<String> found = new java.util.ArrayList<>();
    try (var files = java.nio.file.Files.list(cli)) {
      for (Path f : files.toList()) {
        List<String> lines = java.nio.file.Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String l = lines.get(i).trim();
          boolean theWriterItself = f.getFileName().toString().equals("RefusalLens.java") && l.contains("cl.setOut(");
          if (l.contains("System.out") && !l.startsWith("*") && !l.startsWith("/") && !theWriterItself) {
            found.add(f.getFileName() + ":" + (i + 1) + " " + l);
          }
        }
      }
    }
    assertEquals(List.of(), found, "print with spec.commandLine().getOut()");
  }

  @Test
  void probesTakeClassifierAndModelIsItsHiddenOldName() {
    CommandLine train = RefusalLens.newCommandLine().getSubcommands().get("probes").getSubcommands().get("train");
    assertTrue(train.getCommandSpec().findOption("--classifier") != null);
    assertTrue(train.getCommandSpec().findOption("--model").hidden());
    CommandLine.ParseResult r = RefusalLens.newCommandLine().parseArgs("probes", "train", "--model", "svm",
        "--extract", "store", "--view", "raw:1", "--out", "probe.json");
    Object parsed = r.subcommand().subcommand().commandSpec().userObject();
    assertEquals("svm", ((ProbesCommand.Train) parsed).classifier);
  }

  /** Issue 23: every command's --model reads a directory or a Hub id alike (features show once took only DIR). */
  @Test
  void everyModelOptionIsTheSharedOne() {
    List<String> odd = new java.util.ArrayList<>();
    collectModelOptions(RefusalLens.newCommandLine(), odd);
    assertEquals(List.of(), odd, "--model options without ModelDirConverter");
  }

  /** The model benches share --batch/--seq/--seed with their own defaults; generate's old --prompt-len still parses. */
  @Test
  void benchSizesAreOneOptionSetWithPerCommandDefaults() {
    BenchModelOptions extract = benchOptions("extract");
    BenchModelOptions attribution = benchOptions("attribution");
    BenchModelOptions generate = benchOptions("generate");
    assertEquals(List.of(4, 64), List.of(extract.batch, extract.seq));
    assertEquals(List.of(1, 64), List.of(attribution.batch, attribution.seq));
    assertEquals(List.of(4, 32), List.of(generate.batch, generate.seq));
    assertEquals(7, benchOptions("generate", "--prompt-len", "7").seq);
    assertEquals(9, benchOptions("generate", "--seq", "9").seq);
  }

  /** Split shares are one option pair: probes keep their 0.2 defaults and their old --val-frac/--test-frac names. */
  @Test
  void splitSharesAreOneOptionPair() {
    SplitSharesOptions probes = probeShares();
    assertEquals(List.of(0.2, 0.2), List.of(probes.val, probes.test));
    SplitSharesOptions old = probeShares("--val-frac", "0.3", "--test-frac", "0.1");
    assertEquals(List.of(0.3, 0.1), List.of(old.val, old.test));
    SplitSharesOptions now = probeShares("--val", "0.25", "--test", "0.05");
    assertEquals(List.of(0.25, 0.05), List.of(now.val, now.test));
    CommandLine.ParseResult split = RefusalLens.newCommandLine().parseArgs("datasets", "make", "--out", "x");
    DatasetsMakeCommand make = (DatasetsMakeCommand) split.subcommand().subcommand().commandSpec().userObject();
    assertEquals(List.of(0.15, 0.15), List.of(make.shares.val, make.shares.test));
  }

  private static SplitSharesOptions probeShares(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("probes", "train", "--extract", "s", "--view", "raw:1",
        "--out", "p.json"));
    all.addAll(List.of(args));
    CommandLine.ParseResult r = RefusalLens.newCommandLine().parseArgs(all.toArray(String[]::new));
    return ((ProbesCommand.Train) r.subcommand().subcommand().commandSpec().userObject()).opts.shares;
  }

  private static BenchModelOptions benchOptions(String bench, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("dev", "bench", bench));
    all.addAll(List.of(args));
    CommandLine.ParseResult r = RefusalLens.newCommandLine().parseArgs(all.toArray(String[]::new));
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    Object command = r.commandSpec().userObject();
    return switch (bench) {
      case "extract" -> ((BenchExtractCommand) command).bench;
      case "attribution" -> ((BenchAttributionCommand) command).bench;
      default -> ((BenchGenerateCommand) command).bench;
    };
  }

  private static final String MODEL_LABEL = "DIR|OWNER/NAME[@REV]";

  /**
   * One declaration per shared option: every command takes --help and --version (inherited from the root), and
   * every --json and --judge reads the same (a command declaring its own copy shows up here as a second text).
   */
  @Test
  void sharedOptionsHaveOneDeclaration() {
    Map<String, java.util.Set<String>> texts = new java.util.TreeMap<>();
    List<String> noHelp = new java.util.ArrayList<>();
    collectShared(RefusalLens.newCommandLine(), texts, noHelp);
    assertEquals(List.of(), noHelp, "commands without --help/--version");
    for (String name : List.of("--json", "--judge", "--max-new-tokens", "--batch")) {
      assertTrue(texts.containsKey(name), name + " is used");
    }
    texts.forEach((name, t) -> assertEquals(1, t.size(), name + " is declared with different texts: " + t));
  }

  private static void collectShared(CommandLine cl, Map<String, java.util.Set<String>> texts, List<String> noHelp) {
    CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
    boolean picocliHelp = spec.userObject() instanceof CommandLine.HelpCommand;
    if (!picocliHelp && (spec.findOption("--help") == null || spec.findOption("--version") == null)) {
      noHelp.add(spec.qualifiedName());
    }
    for (String name : List.of("--json", "--judge", "--max-new-tokens")) {
      CommandLine.Model.OptionSpec o = spec.findOption(name);
      if (o != null) {
        texts.computeIfAbsent(name, k -> new java.util.TreeSet<>()).add(text(o));
      }
    }
    boolean modelBench = spec.qualifiedName().matches(".*bench (extract|attribution|generate)");
    if (modelBench) {
      texts.computeIfAbsent("--batch", k -> new java.util.TreeSet<>()).add(text(spec.findOption("--batch")));
    }
    cl.getSubcommands().values().forEach(sub -> collectShared(sub, texts, noHelp));
  }

  /** An option's help text with its default value (interpolated per command) left out. */
  private static String text(CommandLine.Model.OptionSpec o) {
    return String.join(" ", o.description()).replaceAll("\\(default [^)]*\\)", "(default)");
  }

  private static void collectModelOptions(CommandLine cl, List<String> odd) {
    CommandLine.Model.OptionSpec model = cl.getCommandSpec().findOption("--model");
    if (model != null && !model.hidden()) {
      boolean shared = model.converters().length == 1 && model.converters()[0] instanceof ModelDirConverter
          && model.paramLabel().equals(MODEL_LABEL);
      if (!shared) {
        odd.add(cl.getCommandSpec().qualifiedName());
      }
    }
    cl.getSubcommands().values().forEach(sub -> collectModelOptions(sub, odd));
  }
}
