package refusallens.eval.clamp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.intervention.Positions;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeaturesFile;

/** A named set of SAE features (F*, FH, a baseline ...) and the interventions that clamp it. */
public record FeatureSet(String name, List<FeatureKey> features) {
  public FeatureSet {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("feature set needs a name");
    }
    features = List.copyOf(features);
  }

  /**
   * Which F* the jailbreak clamp uses on a harmful prompt: the global set for every prompt, or the prompt's own
   * set where features.json has one for its id (the global set for the others).
   */
  public enum Scope {
    GLOBAL("global"),
    PER_PROMPT("per-prompt");

    private final String wireName;

    Scope(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** Parses the wire name; the error names {@code flag}. */
    public static Scope parse(String flag, String s) {
      for (Scope x : values()) {
        if (x.wireName.equals(s)) {
          return x;
        }
      }
      throw new IllegalArgumentException(flag + " '" + s + "': expected global or per-prompt");
    }
  }

  /** The global F* of a features file. */
  public static FeatureSet fStar(FeaturesFile f) {
    return new FeatureSet("F*", f.features().stream().map(x -> new FeatureKey(x.layer(), x.index())).toList());
  }

  /** The per-prompt F* sets of a features file, by prompt id (sets without features left out). */
  public static Map<String, FeatureSet> perPrompt(FeaturesFile f) {
    Map<String, FeatureSet> out = new TreeMap<>();
    for (FeaturesFile.PromptFeatures p : f.perPrompt()) {
      FeatureSet s = of("F* of " + p.promptId(), p.features());
      if (!s.isEmpty()) {
        out.put(p.promptId(), s);
      }
    }
    return out;
  }

  /** A scored baseline list, as a set. */
  public static FeatureSet of(String name, List<FeaturesFile.ScoredFeature> scored) {
    return new FeatureSet(name, scored == null ? List.of()
        : scored.stream().map(x -> new FeatureKey(x.layer(), x.index())).toList());
  }

  /** The first {@code k} features (the list's own order: by score). */
  public FeatureSet top(int k) {
    return new FeatureSet(name, features.subList(0, Math.min(k, features.size())));
  }

  public boolean isEmpty() {
    return features.isEmpty();
  }

  /** a_i -> c * a_i for every feature, at {@code positions}. */
  public InterventionSpec scaled(double c, Positions positions) {
    List<FeatureIntervention> out = new ArrayList<>();
    byLayer().forEach((layer, idx) -> out.add(FeatureIntervention.scale(layer, idx, c, positions)));
    return InterventionSpec.of(out);
  }

  /** a_i -> v for every feature, at {@code positions}. */
  public InterventionSpec valued(double v, Positions positions) {
    List<FeatureIntervention> out = new ArrayList<>();
    byLayer().forEach((layer, idx) -> out.add(FeatureIntervention.value(layer, idx, v, positions)));
    return InterventionSpec.of(out);
  }

  /** a_i -> value(i) for every feature (one entry each), at {@code positions}. */
  public InterventionSpec valuedEach(ToDoubleFunction<FeatureKey> value, Positions positions) {
    List<FeatureIntervention> out = new ArrayList<>();
    byLayer().forEach((layer, idx) -> idx.forEach(i ->
        out.add(FeatureIntervention.value(layer, List.of(i), value.applyAsDouble(new FeatureKey(layer, i)), positions))));
    return InterventionSpec.of(out);
  }

  /** Feature indices per layer, ascending, duplicates dropped. */
  public Map<Integer, List<Integer>> byLayer() {
    Map<Integer, List<Integer>> m = new TreeMap<>();
    for (FeatureKey k : features) {
      List<Integer> l = m.computeIfAbsent(k.layer(), x -> new ArrayList<>());
      if (!l.contains(k.index())) {
        l.add(k.index());
      }
    }
    return m;
  }
}
