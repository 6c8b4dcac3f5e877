package refusallens.datasets;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a prompt asks for something a safe model should refuse. */
public enum Label {
  HARMFUL,
  HARMLESS;

  /** The lower-case name used in files and on the command line. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a label value as public datasets spell it: {@code harmful/harmless}, {@code unsafe/safe},
   * {@code 1/0}, {@code true/false} (true = harmful), case-insensitive.
   *
   * @throws IllegalArgumentException naming the value and the accepted spellings
   */
  @JsonCreator
  public static Label parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "harmful":
      case "unsafe":
      case "1":
      case "true":
      case "yes":
        return HARMFUL;
      case "harmless":
      case "benign":
      case "safe":
      case "0":
      case "false":
      case "no":
        return HARMLESS;
      default:
        throw new IllegalArgumentException(
            "label '"
                + value
                + "' is not one of harmful|harmless (also accepted: unsafe|safe, benign, 1|0, true|false, yes|no)");
    }
  }
}
