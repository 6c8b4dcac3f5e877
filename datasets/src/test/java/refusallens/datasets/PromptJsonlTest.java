package refusallens.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.chat.ChatMessage;

class PromptJsonlTest {
  @TempDir Path tmp;

  @Test
  void roundTripWithStableFieldOrderOneRecordPerLine() throws IOException {
    Prompt plain = Prompt.of("a/0", "How do I\nbake bread?", Label.HARMLESS, "cooking", "test")
        .withResponse("Knead, rise, bake.");
    Prompt chat =
        new Prompt("a/1", null, List.of(new ChatMessage("system", "be nice"), ChatMessage.user("hi")),
            Label.HARMFUL, null, "test", "role-play", "a/0", null);
    Path f = tmp.resolve("p.jsonl");
    PromptJsonl.write(f, List.of(plain, chat));
    List<String> lines = Files.readAllLines(f);
    assertEquals(2, lines.size(), "embedded newlines are escaped");
    assertEquals(
        "{\"id\":\"a/0\",\"text\":\"How do I\\nbake bread?\",\"label\":\"harmless\",\"category\":\"cooking\","
            + "\"source\":\"test\",\"response\":\"Knead, rise, bake.\"}",
        lines.get(0));
    assertEquals(
        "{\"id\":\"a/1\",\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},{\"role\":\"user\","
            + "\"content\":\"hi\"}],\"label\":\"harmful\",\"source\":\"test\",\"attack\":\"role-play\","
            + "\"baseId\":\"a/0\"}",
        lines.get(1));
    assertEquals(List.of(plain, chat), PromptJsonl.read(f));
    assertEquals("hi", chat.userText());
  }

  @Test
  void badLinesAreErrorsNamingFileAndLine() throws IOException {
    Path f = tmp.resolve("bad.jsonl");
    Files.writeString(f, PromptJsonl.toLine(Prompt.of("x", "t", Label.HARMFUL, null, "s")) + "\n\n"
        + "{\"id\":\"y\",\"text\":\"t\",\"label\":\"dangerous\",\"source\":\"s\"}\n");
    DatasetFileException e = assertThrows(DatasetFileException.class, () -> PromptJsonl.read(f));
    assertTrue(e.getMessage().startsWith(f + ", line 3: "), e.getMessage());
    assertTrue(e.getMessage().contains("dangerous"), e.getMessage());

    Files.writeString(f, "{\"id\":\"y\",\"label\":\"harmful\",\"source\":\"s\"}\n");
    e = assertThrows(DatasetFileException.class, () -> PromptJsonl.read(f));
    assertTrue(e.getMessage().contains("exactly one of 'text' or 'messages'"), e.getMessage());

    Files.writeString(f, "{\"id\":\"y\",\"text\":\"t\",\"label\":\"harmful\",\"source\":\"s\",\"lable\":1}\n");
    e = assertThrows(DatasetFileException.class, () -> PromptJsonl.read(f));
    assertTrue(e.getMessage().contains("lable"), e.getMessage());

    Files.writeString(f, "");
    assertTrue(assertThrows(DatasetFileException.class, () -> PromptJsonl.read(f)).getMessage().contains("empty"));
  }

  @Test
  void labelsParseAsPublicSetsSpellThem() {
    assertEquals(Label.HARMFUL, Label.parse(" Unsafe "));
    assertEquals(Label.HARMLESS, Label.parse("0"));
    assertEquals(Label.HARMLESS, Label.parse("benign"));
    assertThrows(IllegalArgumentException.class, () -> Label.parse("maybe"));
  }
}
