package refusallens.datasets.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/** Loaders on small files written here: quoted multi-line fields, header case, and each bad-input case. */
class SmallFilesTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path f = tmp.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static LoadOptions textLabel(String text, String label) {
    return new LoadOptions(text, label, null, null, false, null, null);
  }

  private static DatasetFileException fails(DatasetFormat f, Path file, LoadOptions o) {
    return assertThrows(DatasetFileException.class, () -> f.load(file, o));
  }

  @Test
  void quotedFieldsWithCommasQuotesAndNewlines() throws IOException {
    Path f =
        write(
            "mixed.csv",
            "text,label\n"
                + "\"first line\nsecond, with comma\nthird \"\"quoted\"\"\",harmful\n"
                + "plain request,harmless\r\n"
                + "\"\",harmless\n");
    LoadOptions o = textLabel("text", "label");
    // The third record has an empty text: malformed, and its line is the one after the 3-line record.
    DatasetFileException e = fails(DatasetFormat.CSV, f, o);
    assertTrue(e.getMessage().contains("record 3 (line 6)"), e.getMessage());
    assertTrue(e.getMessage().contains("empty field 'text'"), e.getMessage());
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());

    LoadResult r = DatasetFormat.CSV.load(f, o.skippingBadRows());
    assertEquals(2, r.prompts().size());
    assertEquals(1, r.badRows());
    assertEquals("first line\nsecond, with comma\nthird \"quoted\"", r.prompts().get(0).text());
    assertEquals(Label.HARMFUL, r.prompts().get(0).label());
    assertEquals("plain request", r.prompts().get(1).text());
    assertTrue(r.notes().get(0).contains("skipped 1 malformed"), r.notes().toString());
  }

  @Test
  void headerMatchesCaseInsensitively() throws IOException {
    Path f = write("harmful-behaviors.csv", "INDEX,GOAL,TARGET,BEHAVIOR,CATEGORY,SOURCE\n7,Do x,\"Sure, x\",B,Cat,Orig\n");
    Prompt p = DatasetFormat.JBB_BEHAVIORS.load(f, LoadOptions.defaults()).prompts().get(0);
    assertEquals("jbb-harmful/7", p.id());
    assertEquals("Cat", p.category());
  }

  @Test
  void missingColumnNamesFileAndColumn() throws IOException {
    Path f = write("harmful_behaviors.csv", "goals,target\nx,y\n");
    DatasetFileException e = fails(DatasetFormat.ADVBENCH, f, LoadOptions.defaults());
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("missing column 'goal'"), e.getMessage());
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }

  @Test
  void emptyFilesAreErrors() throws IOException {
    Path csv = write("empty.csv", "");
    assertTrue(fails(DatasetFormat.ADVBENCH, csv, LoadOptions.defaults()).getMessage().contains("empty file"));
    Path headerOnly = write("header.csv", "goal,target\n");
    assertTrue(
        fails(DatasetFormat.ADVBENCH, headerOnly, LoadOptions.defaults()).getMessage().contains("no records"));
    Path json = write("empty.json", "  \n");
    assertTrue(fails(DatasetFormat.ALPACA, json, LoadOptions.defaults()).getMessage().contains("empty file"));
    Path emptyList = write("list.json", "[]");
    assertTrue(
        fails(DatasetFormat.ALPACA, emptyList, LoadOptions.defaults()).getMessage().contains("no records"));
    Path jsonl = write("empty.jsonl", "\n\n");
    assertTrue(
        fails(DatasetFormat.JSONL, jsonl, LoadOptions.defaults().withLabel(Label.HARMFUL))
            .getMessage()
            .contains("empty file"));
  }

  @Test
  void wrongFieldCountIsAMalformedRowWithItsLine() throws IOException {
    Path f = write("harmful_behaviors.csv", "goal,target\na,b\nc,d,e\nf,g\n");
    DatasetFileException e = fails(DatasetFormat.ADVBENCH, f, LoadOptions.defaults());
    assertTrue(e.getMessage().contains("record 2 (line 3)"), e.getMessage());
    assertTrue(e.getMessage().contains("has 3 fields, the header has 2"), e.getMessage());
    LoadResult r = DatasetFormat.ADVBENCH.load(f, LoadOptions.defaults().skippingBadRows());
    assertEquals(List.of("a", "f"), r.prompts().stream().map(Prompt::text).toList());
    assertEquals(1, r.badRows());
  }

  @Test
  void brokenQuoteIsFatalEvenWhenSkipping() throws IOException {
    Path f = write("bad.csv", "goal,target\nok,fine\n\"never closed,x\n");
    DatasetFileException e = fails(DatasetFormat.ADVBENCH, f, LoadOptions.defaults().skippingBadRows());
    assertTrue(e.getMessage().contains("malformed CSV"), e.getMessage());
    assertTrue(e.getMessage().contains("line"), e.getMessage());
  }

  @Test
  void allRowsBadIsAnErrorEvenWhenSkipping() throws IOException {
    Path f = write("harmful_behaviors.csv", "goal,target\n,b\n,d\n");
    DatasetFileException e = fails(DatasetFormat.ADVBENCH, f, LoadOptions.defaults().skippingBadRows());
    assertTrue(e.getMessage().contains("all 2 record(s) are malformed"), e.getMessage());
  }

  @Test
  void jsonElementMissingAFieldNamesElementAndLine() throws IOException {
    Path f =
        write(
            "harmful_train.json",
            "[\n  {\"instruction\": \"a\", \"category\": null},\n  {\"category\": \"x\"},\n"
                + "  {\"instruction\": \"b\"}\n]\n");
    DatasetFileException e = fails(DatasetFormat.REFUSAL_DIRECTION, f, LoadOptions.defaults());
    assertTrue(e.getMessage().contains("element 2 (line 3)"), e.getMessage());
    assertTrue(e.getMessage().contains("missing field 'instruction'"), e.getMessage());
    LoadResult r = DatasetFormat.REFUSAL_DIRECTION.load(f, LoadOptions.defaults().skippingBadRows());
    assertEquals(2, r.prompts().size());
    assertEquals(1, r.badRows());
    assertTrue(r.prompts().stream().allMatch(p -> p.label() == Label.HARMFUL));
  }

  @Test
  void malformedJsonIsAnErrorNamingTheFile() throws IOException {
    Path f = write("alpaca_data.json", "[{\"instruction\": \"a\"},\n {\"instruction\": ]");
    DatasetFileException e = fails(DatasetFormat.ALPACA, f, LoadOptions.defaults());
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    Path notList = write("obj.json", "{\"instruction\": \"a\"}");
    assertTrue(
        fails(DatasetFormat.ALPACA, notList, LoadOptions.defaults()).getMessage().contains("expected a JSON list"));
  }

  @Test
  void alpacaFullLayoutKeepsInputAndOutput() throws IOException {
    Path f =
        write(
            "alpaca_data.json",
            "[{\"instruction\": \"Translate.\", \"input\": \"Bonjour\", \"output\": \"Hello\"},"
                + "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi!\"}]");
    List<Prompt> ps = DatasetFormat.ALPACA.load(f, LoadOptions.defaults()).prompts();
    assertEquals("Translate.\n\nBonjour", ps.get(0).text());
    assertEquals("Hello", ps.get(0).response());
    assertEquals("Say hi.", ps.get(1).text());
    assertTrue(ps.stream().allMatch(p -> p.label() == Label.HARMLESS));
  }

  @Test
  void jsonlWithALabelColumnAndABadLine() throws IOException {
    Path f =
        write(
            "mine.jsonl",
            "{\"prompt\": \"a\", \"y\": \"unsafe\", \"id\": \"q1\"}\n"
                + "not json\n"
                + "\n"
                + "{\"prompt\": \"b\", \"y\": 0}\n"
                + "{\"prompt\": \"c\", \"y\": \"maybe\"}\n");
    LoadOptions o = textLabel("prompt", "y");
    DatasetFileException e = fails(DatasetFormat.JSONL, f, o);
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    LoadResult r = DatasetFormat.JSONL.load(f, o.skippingBadRows());
    assertEquals(2, r.badRows(), "the non-JSON line and the unknown label");
    assertEquals("q1", r.prompts().get(0).id());
    assertEquals(Label.HARMFUL, r.prompts().get(0).label());
    assertEquals(Label.HARMLESS, r.prompts().get(1).label());
    assertEquals("mine/2", r.prompts().get(1).id(), "ids count records, blank lines aside");
  }

  @Test
  void genericFormatsNeedALabel() throws IOException {
    Path f = write("x.csv", "text\nhello\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DatasetFormat.CSV.load(f, LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("--label"), e.getMessage());
    Path g = write("y.csv", "text,label\nhello,harmless\n");
    DatasetFileException missing =
        fails(DatasetFormat.CSV, g, new LoadOptions("prompt", "label", null, null, false, null, null));
    assertTrue(missing.getMessage().contains("missing column 'prompt'"), missing.getMessage());
  }

  @Test
  void jsonListOfStringsReadsAsText() throws IOException {
    Path f = write("behaviors.json", "[\"do a\", \"do b\"]");
    List<Prompt> ps = DatasetFormat.JSON.load(f, LoadOptions.defaults().withLabel(Label.HARMFUL)).prompts();
    assertEquals(List.of("do a", "do b"), ps.stream().map(Prompt::text).toList());
  }

  @Test
  void jbbArtifactNullPromptsAreCountedNotDropped() throws IOException {
    Path f =
        write(
            "model.json",
            "{\"parameters\": {\"method\": \"PAIR\", \"model\": \"m\"},\n \"jailbreaks\": [\n"
                + "  {\"index\": 0, \"goal\": \"g0\", \"category\": \"c\", \"prompt\": \"attack text\"},\n"
                + "  {\"index\": 1, \"goal\": \"g1\", \"category\": \"c\", \"prompt\": null},\n"
                + "  {\"index\": 2, \"goal\": \"g2\", \"category\": \"c\", \"prompt\": null}\n]}");
    LoadResult r = DatasetFormat.JBB_ARTIFACTS.load(f, LoadOptions.defaults());
    assertEquals(1, r.prompts().size());
    Prompt p = r.prompts().get(0);
    assertEquals("PAIR", p.attack());
    assertEquals("jbb-harmful/0", p.baseId());
    assertEquals(List.of(f + ": skipped 2 jailbreak(s) with prompt null (attacks that submitted no prompt)"),
        r.notes());
    Path noParams = write("np.json", "{\"jailbreaks\": []}");
    assertTrue(
        fails(DatasetFormat.JBB_ARTIFACTS, noParams, LoadOptions.defaults()).getMessage().contains("parameters"));
    Path noList = write("nl.json", "{\"parameters\": {}}");
    assertTrue(
        fails(DatasetFormat.JBB_ARTIFACTS, noList, LoadOptions.defaults())
            .getMessage()
            .contains("missing field 'jailbreaks'"));
  }

  @Test
  void harmbenchContextualLayout() throws IOException {
    Path f =
        write(
            "hb.csv",
            "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
                + "Do x,standard,cyber,,,id_x\n"
                + "Summarise,contextual,misinfo,context,\"Some context,\nover lines\",id_y\n");
    LoadResult std = DatasetFormat.HARMBENCH.load(f, LoadOptions.defaults());
    assertEquals(List.of("id_x"), std.prompts().stream().map(Prompt::id).toList());
    assertTrue(std.notes().get(0).contains("{contextual=1}"), std.notes().toString());
    LoadResult ctx =
        DatasetFormat.HARMBENCH.load(
            f, new LoadOptions(null, null, null, null, false, java.util.Set.of("contextual"), null));
    assertEquals("Some context,\nover lines\n\n---\n\nSummarise", ctx.prompts().get(0).text());
    assertNull(ctx.prompts().get(0).attack());
  }

  @Test
  void missingFileNamesIt() {
    Path f = tmp.resolve("nope.csv");
    assertTrue(fails(DatasetFormat.ADVBENCH, f, LoadOptions.defaults()).getMessage().contains("no such file"));
  }

  @Test
  void unknownFormatListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DatasetFormat.byName("parquet"));
    assertTrue(e.getMessage().contains("jbb-artifacts"), e.getMessage());
  }
}
