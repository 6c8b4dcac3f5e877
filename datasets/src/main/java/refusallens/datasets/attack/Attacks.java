package refusallens.datasets.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import refusallens.datasets.Prompt;

/** The named adversarial transforms, in a fixed order. */
public final class Attacks {
  private static final List<Attack> ALL =
      List.of(
          new FictionalFraming(),
          new RolePlayFraming(),
          new HypotheticalFraming(),
          new RefusalSuppression(),
          new PrefixInjection(),
          new BenignSuffix(),
          new RandomTokenSuffix(),
          new ParaphraseTemplate(),
          new PayloadSplitting(),
          new Base64Obfuscation(),
          new LeetspeakObfuscation());

  private Attacks() {}

  /** Every transform. */
  public static List<Attack> all() {
    return ALL;
  }

  /** The transform called {@code name}. */
  public static Attack byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Attack a : ALL) {
      if (a.name().equals(n)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown attack '"
            + name
            + "'; expected one of "
            + ALL.stream().map(Attack::name).collect(Collectors.joining(", ")));
  }

  /** Every attack applied to every prompt (prompt-major order), seeded by {@code seed}. */
  public static List<Prompt> applyAll(List<Attack> attacks, List<Prompt> prompts, long seed) {
    List<Prompt> out = new ArrayList<>(attacks.size() * prompts.size());
    for (Prompt p : prompts) {
      for (Attack a : attacks) {
        out.add(a.apply(p, seed));
      }
    }
    return out;
  }
}
