package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code refusal-lens datasets ...} run in-process on the shared public files and on generated bundles. */
class DatasetsCommandTest {
  @TempDir Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path data(String rel) {
    return Path.of(System.getProperty("refusallens.shared", "../shared"), "data", rel);
  }

  private static int readmeRows(String firstCell) throws IOException {
    for (String line : Files.readAllLines(data("README.md"))) {
      if (line.startsWith("| " + firstCell + " |")) {
        String[] cells = line.split("\\|");
        for (int i = cells.length - 1; i > 1; i--) {
          String c = cells[i].trim();
          if (c.matches("\\d+.*")) {
            return Integer.parseInt(c.replaceAll("^(\\d+).*", "$1"));
          }
        }
      }
    }
    throw new AssertionError("README has no row " + firstCell);
  }

  @Test
  void listNamesFormatsAndAttacks() throws IOException {
    CliRun r = CliRun.of("datasets", "list", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode doc = JSON.readTree(r.out());
    for (String f : List.of("advbench", "harmbench", "jbb-behaviors", "jbb-artifacts", "alpaca",
        "refusal-direction", "csv", "json", "jsonl")) {
      assertTrue(doc.get("formats").has(f), f);
    }
    assertTrue(doc.get("attacks").has("prefix-injection"));
    assertTrue(doc.get("categories").size() >= 8);
    assertTrue(CliRun.of("datasets", "list").out().contains("jbb-artifacts"));
  }

  @Test
  void importThenShowPublicFiles() throws IOException {
    Path out = tmp.resolve("adv.jsonl");
    CliRun imp = CliRun.of("datasets", "import", "advbench", data("advbench/harmful_behaviors.csv").toString(),
        "--out", out.toString(), "--json");
    assertEquals(0, imp.code(), imp.err());
    int rows = readmeRows("harmful_behaviors.csv");
    assertEquals(rows, JSON.readTree(imp.out()).get("total").asInt());
    assertEquals(rows, Files.readAllLines(out).size());

    CliRun show = CliRun.of("datasets", "show", out.toString(), "--json");
    assertEquals(0, show.code(), show.err());
    JsonNode doc = JSON.readTree(show.out());
    assertEquals(rows, doc.get("total").asInt());
    assertEquals(rows, doc.get("by_label").get("harmful").asInt());
    assertTrue(doc.has("by_category"));

    Path benign = tmp.resolve("benign.jsonl");
    assertEquals(0, CliRun.of("datasets", "import", "jbb-behaviors",
        data("jailbreakbench/benign-behaviors.csv").toString(), "--out", benign.toString()).code());
    JsonNode b = JSON.readTree(CliRun.of("datasets", "show", benign.toString(), "--json").out());
    assertEquals(readmeRows("benign-behaviors.csv"), b.get("by_label").get("harmless").asInt());
    assertTrue(b.get("by_category").size() > 1);
  }

  @Test
  void importArtifactsReportsSkippedNullPromptsOnStderr() throws IOException {
    Path dir = data("jailbreakbench/attack-artifacts/PAIR");
    Path out = tmp.resolve("pair.jsonl");
    CliRun r = CliRun.of("datasets", "import", "jbb-artifacts", dir.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    int nulls = 0;
    int all = 0;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".json") && !p.endsWith("attack-info.json")).toList()) {
        for (JsonNode j : JSON.readTree(f.toFile()).get("jailbreaks")) {
          all++;
          nulls += j.get("prompt").isNull() ? 1 : 0;
        }
      }
    }
    assertTrue(nulls > 0);
    assertEquals(all - nulls, Files.readAllLines(out).size());
    int reported = 0;
    for (String line : r.err().split("\n")) {
      if (line.startsWith("warning: ") && line.contains("with prompt null")) {
        reported += Integer.parseInt(line.replaceAll(".*skipped (\\d+) .*", "$1"));
      }
    }
    assertEquals(nulls, reported, r.err());
    JsonNode shown = JSON.readTree(CliRun.of("datasets", "show", out.toString(), "--json").out());
    assertEquals(all - nulls, shown.get("by_attack").get("PAIR").asInt());
  }

  @Test
  void showReadsPublicFormatsDirectly() throws IOException {
    CliRun r = CliRun.of("datasets", "show", data("refusal_direction/splits/harmful_val.json").toString(),
        "--format", "refusal-direction", "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(JSON.readTree(data("refusal_direction/splits/harmful_val.json").toFile()).size(),
        JSON.readTree(r.out()).get("by_label").get("harmful").asInt());
  }

  @Test
  void makeIsReproducibleByteForByte() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    CliRun ra = CliRun.of("datasets", "make", "--out", a.toString(), "--seed", "9", "--n", "400", "--instructions", "50");
    assertEquals(0, ra.code(), ra.err());
    assertEquals(0, CliRun.of("datasets", "make", "--out", b.toString(), "--seed", "9", "--n", "400",
        "--instructions", "50", "--json").code());
    List<String> files;
    try (Stream<Path> s = Files.list(a)) {
      files = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertTrue(files.contains("manifest.json") && files.contains("ood.jsonl"), files.toString());
    for (String f : files) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
    JsonNode m = JSON.readTree(a.resolve("manifest.json").toFile());
    assertEquals(9, m.get("seed").asInt());
    assertEquals(1, m.get("schemaVersion").asInt());
    int harmful = 0;
    for (String split : List.of("train", "val", "test")) {
      harmful += m.get("counts").get("harmful_" + split + ".jsonl").asInt();
    }
    assertEquals(400, harmful);
  }

  @Test
  void badInputIsOneErrorLineNamingTheFile() throws IOException {
    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "text,label\nok,harmful\nbroken,harmful,extra\n");
    CliRun r = CliRun.of("datasets", "import", "csv", bad.toString(), "--label-column", "label", "--out",
        tmp.resolve("o.jsonl").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: " + bad + ", record 2 (line 3)"), r.err());
    CliRun skip = CliRun.of("datasets", "import", "csv", bad.toString(), "--label-column", "label", "--skip-bad-rows",
        "--out", tmp.resolve("o.jsonl").toString());
    assertEquals(0, skip.code(), skip.err());
    assertTrue(skip.err().contains("skipped 1 malformed"), skip.err());
    CliRun fmt = CliRun.of("datasets", "import", "parquet", bad.toString(), "--out", tmp.resolve("o.jsonl").toString());
    assertEquals(1, fmt.code());
    assertTrue(fmt.err().contains("unknown dataset format 'parquet'"), fmt.err());
    CliRun label = CliRun.of("datasets", "import", "csv", bad.toString(), "--label", "evil", "--out",
        tmp.resolve("o.jsonl").toString());
    assertTrue(label.err().contains("--label"), label.err());
  }

  @Test
  void splitImportedPrompts() throws IOException {
    Path jsonl = tmp.resolve("hb.jsonl");
    assertEquals(0, CliRun.of("datasets", "import", "refusal-direction",
        data("refusal_direction/processed/strongreject.json").toString(), "--out", jsonl.toString()).code());
    Path dir = tmp.resolve("split");
    CliRun r = CliRun.of("datasets", "split", jsonl.toString(), "--out", dir.toString(), "--attacks", "base64,leetspeak",
        "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode m = JSON.readTree(r.out());
    int n = Files.readAllLines(jsonl).size();
    int sum = m.get("counts").get("train.jsonl").asInt() + m.get("counts").get("val.jsonl").asInt()
        + m.get("counts").get("test.jsonl").asInt() + m.get("duplicates_removed").asInt();
    assertEquals(n, sum);
    assertEquals(2 * m.get("counts").get("test.jsonl").asInt(), m.get("counts").get("ood.jsonl").asInt());
  }
}
