package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The file layouts {@code datasets import} reads, by command-line name. */
public enum DatasetFormat {
  ADVBENCH("advbench", "AdvBench harmful_behaviors.csv (goal,target)", new AdvBenchLoader()),
  HARMBENCH(
      "harmbench",
      "HarmBench behaviours CSV (Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,"
          + "BehaviorID); standard only unless --harmbench-category",
      new HarmBenchLoader()),
  JBB_BEHAVIORS(
      "jbb-behaviors",
      "JailbreakBench JBB-Behaviors harmful-behaviors.csv / benign-behaviors.csv (Index,Goal,Target,"
          + "Behavior,Category,Source)",
      new JbbBehaviorsLoader()),
  JBB_ARTIFACTS(
      "jbb-artifacts",
      "JailbreakBench attack artifacts JSON (parameters, jailbreaks[]) or a directory of them; null "
          + "prompts skipped with a count",
      new JbbArtifactsLoader()),
  ALPACA(
      "alpaca",
      "Alpaca alpaca_data.json (instruction,input,output) or instructions-only processed/alpaca.json",
      new AlpacaLoader()),
  REFUSAL_DIRECTION(
      "refusal-direction",
      "refusal_direction splits/*.json and processed/*.json (lists of {instruction, category})",
      new RefusalDirectionLoader()),
  JAILBREAK_PROMPTS(
      "jailbreak-prompts",
      "jailbreak prompt collections (jailbreak_llms, Self-Reminder): CSV or JSON with a prompt column",
      new JailbreakPromptsLoader()),
  CSV(
      "csv",
      "any CSV with --text-column and --label-column or --label",
      new GenericLoader(GenericLoader.Container.CSV)),
  JSON(
      "json",
      "any JSON list of objects (or strings) with --text-column and --label-column or --label",
      new GenericLoader(GenericLoader.Container.JSON)),
  JSONL(
      "jsonl",
      "any JSONL file with --text-column and --label-column or --label",
      new GenericLoader(GenericLoader.Container.JSONL));

  private final String cliName;
  private final String description;
  private final PromptLoader loader;

  DatasetFormat(String cliName, String description, PromptLoader loader) {
    this.cliName = cliName;
    this.description = description;
    this.loader = loader;
  }

  /** The name on the command line. */
  public String cliName() {
    return cliName;
  }

  /** One line on the layout. */
  public String description() {
    return description;
  }

  /** Reads {@code file} in this format. */
  public LoadResult load(Path file, LoadOptions options) {
    return loader.load(file, options);
  }

  /** The format called {@code name} on the command line. */
  public static DatasetFormat byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (DatasetFormat f : values()) {
      if (f.cliName.equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown dataset format '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(DatasetFormat::cliName).collect(Collectors.joining(", ")));
  }
}
