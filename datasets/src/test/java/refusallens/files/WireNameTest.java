package refusallens.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One lookup for wire names: JSON writes the lower-case name, parse reads it in any case and names the choices. */
class WireNameTest {
  enum Colour implements WireName {
    DARK_RED,
    BLUE,
    GREEN;

    @JsonCreator
    static Colour parse(String s) {
      return WireName.parse(Colour.class, "colour", s);
    }
  }

  @Test
  void jsonWritesAndReadsTheWireName() throws Exception {
    assertEquals("[ \"dark_red\", \"blue\" ]", Json.write(List.of(Colour.DARK_RED, Colour.BLUE)));
    assertEquals("{\n  \"blue\" : 1\n}", Json.write(Map.of(Colour.BLUE, 1)));
    assertEquals(Colour.DARK_RED, Json.MAPPER.readValue("\"dark_red\"", Colour.class));
  }

  @Test
  void parseIgnoresCaseAndSpacesAndNamesTheChoices() {
    assertEquals(Colour.DARK_RED, Colour.parse(" Dark_Red "));
    assertEquals(Colour.GREEN, Colour.parse("GREEN"));
    var e = assertThrows(IllegalArgumentException.class, () -> Colour.parse("dark-red"));
    assertEquals("colour 'dark-red' unknown: expected dark_red, blue or green", e.getMessage());
  }
}
