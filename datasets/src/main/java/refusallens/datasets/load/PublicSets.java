package refusallens.datasets.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.split.TextNormalizer;

/**
 * The public prompt sets of a data directory in the upstream repositories' layouts (as {@code shared/data}
 * and the README's download commands leave them), each with the role it plays for the organism: trained on,
 * used for model selection only, or held out (never trained or selected on). Every prompt's {@code source} is
 * its set's name, so reports group by it.
 */
public final class PublicSets {
  private PublicSets() {}

  /** What a set is used for. */
  public enum Role {
    TRAIN,
    SELECTION,
    HELD_OUT
  }

  /**
   * One set: its name (the prompts' {@code source}), role, file or folder relative to the data directory, format
   * and, for HarmBench, the functional categories read.
   */
  public record PublicSet(String name, Role role, String path, DatasetFormat format, Set<String> harmbenchCategories) {
    /** The set's prompts, {@code source} = its name; an error naming the file when it is missing. */
    public List<Prompt> load(Path dir) {
      Path f = dir.resolve(path);
      if (!Files.exists(f)) {
        throw new DatasetFileException(f, null, "missing public set '" + name + "' (--data " + dir
            + " must hold the upstream layout: see README, 'Public datasets')");
      }
      LoadOptions o = new LoadOptions(null, null, null, null, false, harmbenchCategories, name);
      return format.load(f, o).prompts();
    }

    /** Whether the set's file or folder is in {@code dir}. */
    public boolean presentIn(Path dir) {
      return Files.exists(dir.resolve(path));
    }
  }

  private static final String RD = "refusal_direction/";

  /** Every set, in report order. */
  public static final List<PublicSet> ALL = List.of(
      rd("harmful_train", Role.TRAIN, "splits/harmful_train.json"),
      rd("harmless_train", Role.TRAIN, "splits/harmless_train.json"),
      new PublicSet("advbench", Role.TRAIN, "advbench/harmful_behaviors.csv", DatasetFormat.ADVBENCH, null),
      rd("malicious_instruct", Role.TRAIN, "processed/malicious_instruct.json"),
      rd("tdc2023", Role.TRAIN, "processed/tdc2023.json"),
      rd("harmful_val", Role.SELECTION, "splits/harmful_val.json"),
      rd("harmless_val", Role.SELECTION, "splits/harmless_val.json"),
      new PublicSet("jbb_harmful", Role.HELD_OUT, "jailbreakbench/harmful-behaviors.csv", DatasetFormat.JBB_BEHAVIORS, null),
      new PublicSet("jbb_benign", Role.HELD_OUT, "jailbreakbench/benign-behaviors.csv", DatasetFormat.JBB_BEHAVIORS, null),
      new PublicSet("harmbench_standard", Role.HELD_OUT, "harmbench/harmbench_behaviors_text_all.csv",
          DatasetFormat.HARMBENCH, Set.of("standard")),
      new PublicSet("harmbench_contextual_copyright", Role.HELD_OUT, "harmbench/harmbench_behaviors_text_all.csv",
          DatasetFormat.HARMBENCH, Set.of("contextual", "copyright")),
      rd("strongreject", Role.HELD_OUT, "processed/strongreject.json"),
      rd("harmful_test", Role.HELD_OUT, "splits/harmful_test.json"),
      rd("harmless_test", Role.HELD_OUT, "splits/harmless_test.json"),
      artifacts("PAIR"),
      artifacts("GCG"),
      artifacts("JBC"));

  private static PublicSet rd(String name, Role role, String file) {
    return new PublicSet(name, role, RD + file, DatasetFormat.REFUSAL_DIRECTION, null);
  }

  private static PublicSet artifacts(String method) {
    return new PublicSet("jbb_" + method.toLowerCase(java.util.Locale.ROOT), Role.HELD_OUT,
        "jailbreakbench/attack-artifacts/" + method, DatasetFormat.JBB_ARTIFACTS, null);
  }

  /** The sets of {@code role}, by name. */
  public static List<PublicSet> of(Role role) {
    return ALL.stream().filter(s -> s.role() == role).toList();
  }

  /** The set called {@code name}. */
  public static PublicSet named(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no public set '" + name + "'"));
  }

  /** Loads the sets of {@code role} from {@code dir}, by name in {@link #ALL}'s order (missing files fail). */
  public static Map<String, List<Prompt>> load(Path dir, Role role) {
    Map<String, List<Prompt>> out = new LinkedHashMap<>();
    for (PublicSet s : of(role)) {
      out.put(s.name(), s.load(dir));
    }
    return out;
  }

  /** The normalised texts of every prompt in {@code sets} ({@link TextNormalizer}). */
  public static Set<String> normalisedTexts(Map<String, List<Prompt>> sets) {
    Set<String> out = new HashSet<>();
    sets.values().forEach(ps -> ps.forEach(p -> out.add(TextNormalizer.normalise(p.userText()))));
    return out;
  }

  /**
   * The training prompts of {@code dir}: every TRAIN set, duplicates (normalised text) dropped after their first
   * occurrence and every prompt whose normalised text is in a SELECTION or HELD_OUT set dropped (the public sets
   * overlap: AdvBench, HarmBench and JBB share behaviours), in set order.
   */
  public static Training training(Path dir) {
    Set<String> reserved = new HashSet<>(normalisedTexts(load(dir, Role.SELECTION)));
    reserved.addAll(normalisedTexts(load(dir, Role.HELD_OUT)));
    Set<String> seen = new HashSet<>();
    List<Prompt> kept = new ArrayList<>();
    Map<String, Integer> overlaps = new LinkedHashMap<>();
    Map<String, Integer> duplicates = new LinkedHashMap<>();
    for (Map.Entry<String, List<Prompt>> e : load(dir, Role.TRAIN).entrySet()) {
      int overlap = 0;
      int dup = 0;
      for (Prompt p : e.getValue()) {
        String key = TextNormalizer.normalise(p.userText());
        if (reserved.contains(key)) {
          overlap++;
        } else if (!seen.add(key)) {
          dup++;
        } else {
          kept.add(p);
        }
      }
      overlaps.put(e.getKey(), overlap);
      duplicates.put(e.getKey(), dup);
    }
    return new Training(kept, overlaps, duplicates, advBenchTargets(dir));
  }

  /**
   * The training prompts and what was dropped.
   *
   * @param prompts kept, in set order
   * @param heldOutOverlaps per set, prompts dropped because a held-out or selection set has their text
   * @param duplicates per set, prompts dropped as repeats of an earlier training prompt
   * @param targets AdvBench's compliance openers by normalised goal
   */
  public record Training(
      List<Prompt> prompts, Map<String, Integer> heldOutOverlaps, Map<String, Integer> duplicates,
      Map<String, String> targets) {
    /** The kept prompts of {@code label}. */
    public List<Prompt> of(Label label) {
      return prompts.stream().filter(p -> p.label() == label).toList();
    }

    /** AdvBench's {@code target} for {@code prompt} (its compliance opener), or null. */
    public String target(Prompt prompt) {
      return targets.get(TextNormalizer.normalise(prompt.userText()));
    }
  }

  /** AdvBench's {@code target} column (e.g. "Sure, here is a script that ...") by normalised {@code goal}. */
  public static Map<String, String> advBenchTargets(Path dir) {
    PublicSet s = named("advbench");
    Path f = dir.resolve(s.path());
    RowTable t = CsvRows.read(f);
    t.requireColumns("goal", "target");
    Map<String, String> out = new HashMap<>();
    for (Row r : t.rows()) {
      out.put(TextNormalizer.normalise(r.require("goal")), r.require("target"));
    }
    return out;
  }
}
