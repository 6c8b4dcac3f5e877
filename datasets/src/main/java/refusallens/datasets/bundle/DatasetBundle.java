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
import refusallens.datasets.Seeds;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.InstructionGenerator;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.generate.RequestFrames;
import refusallens.datasets.load.PublicSets;
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
    return write(dir, "builtin", options.seed(), params, files, Attacks.all().stream().map(Attack::name).toList(), templates, 0);
  }

  /** Whether {@code dir} holds the public sets in the upstream layout ({@link PublicSets}), not a bundle. */
  public static boolean isPublicLayout(Path dir) {
    return PublicSets.named("harmful_train").presentIn(dir) && !Files.isRegularFile(dir.resolve(fileName(Label.HARMFUL, Split.TRAIN)));
  }

  /**
   * A bundle of real public prompts from {@code data} (upstream layout): train = the organism's TRAIN sets
   * ({@link PublicSets#training}: held-out and selection texts removed), val = refusal_direction harmful_val /
   * harmless_val, test = harmful_test / harmless_test, each label sampled (seeded) to at most 70 / 15 / 15 % of
   * {@code perLabel}. The OOD file holds the generator's attacks applied to the test prompts and, for each
   * JailbreakBench attack artifact set present (PAIR, GCG, JBC), its jailbreak prompts (harmful) against the
   * JailbreakBench benign behaviours (harmless), as attack {@code jbb_pair} etc.: real attacks next to the
   * generated ones; attack {@code jbb} is the plain JailbreakBench harmful vs benign behaviours (same topics).
   */
  public static BundleManifest fromPublic(Path data, long seed, int perLabel, Path dir) {
    int nTrain = (int) Math.round(perLabel * 0.7);
    int nHeld = Math.max(1, (int) Math.round(perLabel * 0.15));
    PublicSets.Training training = PublicSets.training(data);
    Map<String, List<Prompt>> files = new LinkedHashMap<>();
    for (Label label : Label.values()) {
      files.put(fileName(label, Split.TRAIN), sample(training.of(label), nTrain, seed, "train", label));
      files.put(fileName(label, Split.VAL),
          sample(PublicSets.named(label.wireName() + "_val").load(data), nHeld, seed, "val", label));
      files.put(fileName(label, Split.TEST),
          sample(PublicSets.named(label.wireName() + "_test").load(data), nHeld, seed, "test", label));
    }
    List<Prompt> test = new ArrayList<>(files.get(fileName(Label.HARMFUL, Split.TEST)));
    test.addAll(files.get(fileName(Label.HARMLESS, Split.TEST)));
    List<Prompt> ood = new ArrayList<>(Attacks.applyAll(Attacks.all(), test, seed));
    List<String> attacks = new ArrayList<>(Attacks.all().stream().map(Attack::name).toList());
    PublicSets.PublicSet benignSet = PublicSets.named("jbb_benign");
    PublicSets.PublicSet jbbHarmful = PublicSets.named("jbb_harmful");
    if (jbbHarmful.presentIn(data) && benignSet.presentIn(data)) {
      // the plain JailbreakBench behaviours: harmful vs benign requests on the same topics, no attack
      for (Prompt p : sample(jbbHarmful.load(data), nHeld, seed, "jbb", Label.HARMFUL)) {
        ood.add(p.variant("jbb", p.userText()));
      }
      for (Prompt p : sample(benignSet.load(data), nHeld, seed, "jbb", Label.HARMLESS)) {
        ood.add(p.variant("jbb", p.userText()));
      }
      attacks.add("jbb");
    }
    for (String method : List.of("pair", "gcg", "jbc")) {
      PublicSets.PublicSet set = PublicSets.named("jbb_" + method);
      if (!set.presentIn(data) || !benignSet.presentIn(data)) {
        continue;
      }
      String name = set.name();
      for (Prompt p : sample(set.load(data), nHeld, seed, name, Label.HARMFUL)) {
        ood.add(new Prompt(p.id(), p.text(), p.messages(), p.label(), p.category(), p.source(), name, p.baseId(), null));
      }
      for (Prompt p : sample(benignSet.load(data), nHeld, seed, name, Label.HARMLESS)) {
        ood.add(p.variant(name, p.userText()));
      }
      attacks.add(name);
    }
    files.put(OOD_FILE, ood);
    Map<String, Object> params = new TreeMap<>();
    params.put("data", data.toAbsolutePath().normalize().toString());
    params.put("perLabel", perLabel);
    params.put("heldOutOverlapsDropped", training.heldOutOverlaps());
    return write(dir, "public", seed, params, files, attacks, null, 0);
  }

  private static List<Prompt> sample(List<Prompt> prompts, int n, long seed, String what, Label label) {
    List<Prompt> copy = new ArrayList<>(prompts);
    java.util.Collections.shuffle(copy, Seeds.random(seed, "public-bundle", what, label.wireName()));
    return List.copyOf(copy.subList(0, Math.min(n, copy.size())));
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
    return write(dir, "split", options.seed(), params, files, attacks.stream().map(Attack::name).toList(), null, r.duplicatesRemoved());
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
      List<String> attacks,
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
            attacks,
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
