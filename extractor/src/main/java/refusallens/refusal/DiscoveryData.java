package refusallens.refusal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.split.Split;
import refusallens.core.io.ContentHash;

/**
 * The prompts of feature discovery: harmful and harmless train prompts (direction, attribution, statistics)
 * and validation prompts (layer choice), from the built-in generator or a dataset directory, with an id
 * and a content hash for provenance.
 */
public record DiscoveryData(
    List<Prompt> harmfulTrain, List<Prompt> harmlessTrain, List<Prompt> harmfulVal, List<Prompt> harmlessVal,
    String id, String sha256) {
  public DiscoveryData {
    harmfulTrain = List.copyOf(harmfulTrain);
    harmlessTrain = List.copyOf(harmlessTrain);
    harmfulVal = List.copyOf(harmfulVal);
    harmlessVal = List.copyOf(harmlessVal);
    for (List<Prompt> l : List.of(harmfulTrain, harmlessTrain, harmfulVal, harmlessVal)) {
      if (l.isEmpty()) {
        throw new IllegalArgumentException(id + ": feature discovery needs harmful and harmless train and val prompts");
      }
    }
  }

  /** The built-in generator's prompts (enough for {@code n} per label and split). */
  public static DiscoveryData builtin(long seed, int n) {
    int perLabel = Math.max(24, (int) Math.ceil(n / 0.3)); // train is 70%, val + test 30%
    GeneratorOptions o = new GeneratorOptions(seed, perLabel, 0.15, 0.15, 0);
    PromptGenerator.Generated g = PromptGenerator.generate(o);
    // the val split is 15%: widen it to n by borrowing the test split's prompts if needed
    List<Prompt> hv = new ArrayList<>(g.get(Split.VAL, Label.HARMFUL));
    hv.addAll(g.get(Split.TEST, Label.HARMFUL));
    List<Prompt> bv = new ArrayList<>(g.get(Split.VAL, Label.HARMLESS));
    bv.addAll(g.get(Split.TEST, Label.HARMLESS));
    String id = "builtin(seed=" + seed + ", perLabel=" + perLabel + ")";
    return new DiscoveryData(
        g.get(Split.TRAIN, Label.HARMFUL), g.get(Split.TRAIN, Label.HARMLESS), hv, bv, id,
        ContentHash.ofText(id));
  }

  /**
   * A dataset directory: {@code harmful_train.jsonl}, {@code harmless_train.jsonl}, {@code harmful_val.jsonl},
   * {@code harmless_val.jsonl} (as {@code datasets make} writes), or {@code train.jsonl} and {@code val.jsonl}
   * with labels (as {@code datasets split} writes).
   */
  public static DiscoveryData directory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--data " + dir + ": not a directory (expected builtin or a dataset directory)");
    }
    Path ht = dir.resolve("harmful_train.jsonl");
    if (Files.isRegularFile(ht)) {
      List<Path> files = List.of(ht, dir.resolve("harmless_train.jsonl"), dir.resolve("harmful_val.jsonl"),
          dir.resolve("harmless_val.jsonl"));
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          throw new IllegalArgumentException("--data " + dir + ": missing " + f.getFileName());
        }
      }
      return new DiscoveryData(PromptJsonl.read(files.get(0)), PromptJsonl.read(files.get(1)),
          PromptJsonl.read(files.get(2)), PromptJsonl.read(files.get(3)), dir.toString(), ContentHash.ofFiles(files));
    }
    Path train = dir.resolve("train.jsonl");
    Path val = dir.resolve("val.jsonl");
    if (!Files.isRegularFile(train) || !Files.isRegularFile(val)) {
      throw new IllegalArgumentException("--data " + dir
          + ": expected harmful_train.jsonl, harmless_train.jsonl, harmful_val.jsonl, harmless_val.jsonl, or train.jsonl and val.jsonl");
    }
    List<Prompt> tr = PromptJsonl.read(train);
    List<Prompt> va = PromptJsonl.read(val);
    return new DiscoveryData(only(tr, Label.HARMFUL), only(tr, Label.HARMLESS), only(va, Label.HARMFUL),
        only(va, Label.HARMLESS), dir.toString(), ContentHash.ofFiles(List.of(train, val)));
  }

  private static List<Prompt> only(List<Prompt> ps, Label label) {
    return ps.stream().filter(p -> p.label() == label).toList();
  }

  /** The first {@code n} of a list (all when shorter). */
  static <T> List<T> first(List<T> xs, int n) {
    return xs.subList(0, Math.min(n, xs.size()));
  }
}
