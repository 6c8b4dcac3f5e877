package refusallens.files;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An enum whose constants are written in files, JSON and flags by their name in lower case, and the one lookup
 * that reads such a name back.
 */
public interface WireName {
  /** The constant's enum name: {@link Enum#name()} implements it. */
  String name();

  /** The name written in files, JSON and flags. */
  @JsonValue
  default String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} whose wire name is {@code s}, in any case and with surrounding spaces ignored.
   *
   * @param what what the value names, for the error (e.g. {@code "feature role"})
   * @throws IllegalArgumentException naming {@code what}, the value and the accepted names
   */
  static <E extends Enum<E> & WireName> E parse(Class<E> type, String what, String s) {
    String v = s == null ? "" : s.trim();
    E[] constants = type.getEnumConstants();
    for (E e : constants) {
      if (e.wireName().equalsIgnoreCase(v)) {
        return e;
      }
    }
    List<String> names = Arrays.stream(constants).map(WireName::wireName).toList();
    String expected = names.size() == 1 ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    throw new IllegalArgumentException(what + " '" + s + "' unknown: expected " + expected);
  }
}
