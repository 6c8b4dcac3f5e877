package refusallens.datasets.generate;

import java.util.Locale;

/** The harm categories of the built-in generator; each has harmful requests and matched harmless topics. */
public enum HarmCategory {
  WEAPONS,
  CYBERCRIME,
  FRAUD,
  DRUGS,
  VIOLENCE,
  HARASSMENT,
  SELF_HARM,
  PRIVACY;

  /** The name written in the {@code category} field, e.g. {@code self-harm}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
