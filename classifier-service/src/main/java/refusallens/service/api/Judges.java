package refusallens.service.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import refusallens.eval.judge.Judge;
import refusallens.eval.judge.JudgeSpec;
import refusallens.service.config.ServiceConfig;

/**
 * The judges a request may name, by their names: eval's task judge (the default), its refusal-phrase matcher and
 * the judges configured under {@code refusallens.service.judges}, specs as {@code eval --judge} takes them.
 */
@ApplicationScoped
public class Judges {

  static final String CONFIG_KEY = "refusallens.service.judges";

  private final Judge standard = JudgeSpec.parse(JudgeSpec.TASK, CONFIG_KEY).open();
  private final Map<String, Judge> byName = new TreeMap<>();

  @Inject
  public Judges(ServiceConfig config) {
    byName.put(standard.name(), standard);
    Judge phrases = JudgeSpec.parse(JudgeSpec.PHRASES, CONFIG_KEY).open();
    byName.put(phrases.name(), phrases);
    for (String spec : config.judges().orElse(List.of())) {
      Judge j = JudgeSpec.parse(spec.trim(), CONFIG_KEY).open();
      byName.put(j.name(), j);
    }
  }

  /** The default judge (the task judge). */
  public Judge standard() {
    return standard;
  }

  /** The judge called {@code name} (null: the default), or a 400 listing the known names. */
  public Judge named(String name) {
    if (name == null) {
      return standard;
    }
    Judge j = byName.get(name);
    if (j == null) {
      throw new InvalidRequestException(
          "\"judge\" is \"" + name + "\"; known judges: " + String.join(", ", byName.keySet()));
    }
    return j;
  }
}
