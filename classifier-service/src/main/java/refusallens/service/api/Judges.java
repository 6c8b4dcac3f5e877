package refusallens.service.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import refusallens.eval.judge.Judge;
import refusallens.eval.judge.RefusalPhraseJudge;

/** The judges a request may name (eval's implementations), by their names; the default is the first. */
@ApplicationScoped
public class Judges {

  private final Judge standard = RefusalPhraseJudge.standard();
  private final Map<String, Judge> byName = new TreeMap<>(Map.of(standard.name(), standard));

  /** The default judge (the standard refusal-phrase matcher). */
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
