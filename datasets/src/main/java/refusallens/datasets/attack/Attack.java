package refusallens.datasets.attack;

import java.util.Random;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;

/**
 * A named adversarial transform that turns a request into a jailbreak attempt. Every random choice comes
 * from the {@link Random} it is given, so a variant is fixed by (seed, attack, base prompt id).
 */
public interface Attack {
  /** The name recorded in {@link Prompt#attack()}, e.g. {@code prefix-injection}. */
  String name();

  /** One line on what the transform does. */
  String description();

  /** The jailbreak version of {@code request}. */
  String transform(String request, Random random);

  /** The adversarial variant of {@code base}: same label and category, the attack and base id recorded. */
  default Prompt apply(Prompt base, long seed) {
    Random r = Seeds.random(seed, "attack", name(), base.id());
    return base.variant(name(), transform(base.userText(), r));
  }

  /** {@code request} without trailing sentence punctuation and with a lower-case first letter. */
  static String inline(String request) {
    String s = request.strip().replaceAll("[.?!]+$", "");
    boolean pronounI = s.startsWith("I ") || s.startsWith("I'");
    if (s.length() > 1
        && !pronounI
        && Character.isUpperCase(s.charAt(0))
        && !Character.isUpperCase(s.charAt(1))) {
      s = Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
    return s;
  }

  /** One of {@code options}, chosen by {@code random}. */
  static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }
}
