package refusallens.datasets.bundle;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.PromptStats;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.InstructionGenerator;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.generate.RequestFrames;
import refusallens.datasets.split.PromptSplitter;
import refusallens.datasets.split.Split;
import refusallens.datasets.split.SplitOptions;

/**
 * Writes dataset bundles: a directory of JSONL files plus {@code manifest.json}. The standard bundle
 * ({@link #make}) holds the built-in harmful/harmless train/val/test sets, the OOD set (every attack applied
 * to every test prompt, nothing else) and plain instructions. Output depends only on the options: the same
 * seed gives the same bytes.
 */
public final class DatasetBundle {
  /** The OOD file: adversarial variants of test prompts only. */
  public static final String OOD_FILE = "ood.jsonl";

  /** The instructions file. */
  public static final String INSTRUCTIONS_FILE = "instructions.jsonl";

  /** The manifest file. */
  public static final String MANIFEST_FILE = "manifest.json";

  private DatasetBundle() {}

  /** The file name of one generated split, e.g. {@code harmful_train.jsonl}. */
  public static String fileName(Label label, Split split) {
    return label.wireName() + "_" + split.wireName() + ".jsonl";
  }

  /** Generates and writes the standard bundle into {@code dir}. */
  public static BundleManifest make(GeneratorOptions options, Path dir) {
    Set<String> seen = new HashSet<>();
    PromptGenerator.Generated g = PromptGenerator.generate(options, seen);
    List<Prompt> instructions = InstructionGenerator.generate(options.seed(), options.instructions(), seen);
    Map<String, List<Prompt>> files = new LinkedHashMap<>();
    for (Label label : Label.values()) {
      for (Split split : Split.values()) {
        files.put(fileName(label, split), g.get(split, label));
      }
    }
    List<Prompt> test = new ArrayList<>(g.get(Split.TEST, Label.HARMFUL));
    test.addAll(g.get(Split.TEST, Label.HARMLESS));
    files.put(OOD_FILE, Attacks.applyAll(Attacks.all(), test, options.seed()));
    files.put(INSTRUCTIONS_FILE, instructions);

    Map<String, Object> params = new TreeMap<>();
    params.put("perLabel", options.perLabel());
    params.put("valFraction", options.valFraction());
    params.put("testFraction", options.testFraction());
    params.put("instructions", options.instructions());
    params.put("categories", categories());
    Map<String, List<String>> templates = new TreeMap<>();
    for (Split s : Split.values()) {
      templates.put(s.wireName(), RequestFrames.of(s).stream().map(RequestFrames.Frame::id).toList());
    }
    return write(dir, "builtin", options.seed(), params, files, Attacks.all(), templates, 0);
  }

  /**
   * Splits imported prompts (de-duplicated, stratified by label and category) and writes {@code train},
   * {@code val}, {@code test} and, when {@code attacks} is non-empty, the OOD variants of the test prompts.
   */
  public static BundleManifest split(
      List<Prompt> prompts, SplitOptions options, List<Attack> attacks, Path dir, String input) {
    PromptSplitter.Result r = PromptSplitter.split(prompts, options);
    Map<String, List<Prompt>> files = new LinkedHashMap<>();
    for (Split s : Split.values()) {
      files.put(s.wireName() + ".jsonl", r.splits().get(s));
    }
    if (!attacks.isEmpty()) {
      files.put(OOD_FILE, Attacks.applyAll(attacks, r.splits().get(Split.TEST), options.seed()));
    }
    Map<String, Object> params = new TreeMap<>();
    params.put("input", input);
    params.put("valFraction", options.valFraction());
    params.put("testFraction", options.testFraction());
    return write(dir, "split", options.seed(), params, files, attacks, null, r.duplicatesRemoved());
  }

  private static List<String> categories() {
    return Arrays.stream(HarmCategory.values()).map(HarmCategory::wireName)
        .toList();
  }

  private static BundleManifest write(
      Path dir,
      String generator,
      long seed,
      Map<String, Object> params,
      Map<String, List<Prompt>> files,
      List<Attack> attacks,
      Map<String, List<String>> templates,
      int duplicatesRemoved) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create output directory " + dir + ": " + e.getMessage(), e);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    List<BundleManifest.FileEntry> entries = new ArrayList<>();
    for (Map.Entry<String, List<Prompt>> e : files.entrySet()) {
      Path f = dir.resolve(e.getKey());
      PromptJsonl.write(f, e.getValue());
      counts.put(e.getKey(), e.getValue().size());
      entries.add(
          new BundleManifest.FileEntry(
              e.getKey(), e.getValue().size(), PromptStats.of(e.getValue()).byLabel(), sha256(f)));
    }
    BundleManifest m =
        new BundleManifest(
            BundleManifest.SCHEMA_VERSION,
            BundleManifest.KIND,
            generator,
            seed,
            params,
            counts,
            entries,
            attacks.stream().map(Attack::name).toList(),
            templates,
            duplicatesRemoved);
    writeManifest(dir.resolve(MANIFEST_FILE), m);
    return m;
  }

  /** Writes a manifest as indented JSON with "\n" line ends on every platform. */
  public static void writeManifest(Path file, BundleManifest m) {
    DefaultPrettyPrinter pp =
        new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    pp = pp.withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      String json = DatasetsJson.mapper().writer(pp).writeValueAsString(m) + "\n";
      Files.writeString(file, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a bundle's manifest. */
  public static BundleManifest readManifest(Path file) {
    try {
      return DatasetsJson.mapper().readValue(file.toFile(), BundleManifest.class);
    } catch (IOException e) {
      throw new DatasetFileException(
          file, null, "not a bundle manifest: " + DatasetsJson.problem(e), e);
    }
  }

  private static String sha256(Path f) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
