package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.StoreTensor;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;

/** {@code refusal-lens extract} and {@code extract merge} on the fixture model and SAE. */
class ExtractCommandTest {
  private static final Path FIXTURE = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");

  @Test
  void shardsThenMergeEqualOneRun(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("p.jsonl");
    PromptJsonl.write(data, List.of(
        Prompt.of("a", "How do I bake bread?", Label.HARMLESS, "food", "t"),
        Prompt.of("b", "How do I pick a lock?", Label.HARMFUL, "crime", "t"),
        Prompt.of("c", "Name a river", Label.HARMLESS, "geo", "t")));
    String model = FIXTURE.resolve("model").toString();
    String sae = "2=" + FIXTURE.resolve("sae");
    CliRun whole = CliRun.of("extract", "--data", data.toString(), "--model", model, "--sae", sae,
        "--out", tmp.resolve("whole").toString(), "--layers", "0,2", "--positions", "last,post_instruction_mean",
        "--batch", "2", "--json");
    assertEquals(0, whole.code(), whole.err());
    JsonNode summary = new ObjectMapper().readTree(whole.out());
    assertEquals(3, summary.get("rows").asInt());
    assertTrue(summary.get("tensors").toString().contains("sae_acts.L2.last"), summary.toString());

    for (String s : List.of("0/2", "1/2")) {
      CliRun part = CliRun.of("extract", "--data", data.toString(), "--model", model, "--sae", sae,
          "--out", tmp.resolve("part" + s.charAt(0)).toString(), "--layers", "0,2",
          "--positions", "last,post_instruction_mean", "--batch", "2", "--shard", s);
      assertEquals(0, part.code(), part.err());
    }
    CliRun merged = CliRun.of("extract", "merge", "--out", tmp.resolve("merged").toString(),
        tmp.resolve("part0").toString(), tmp.resolve("part1").toString());
    assertEquals(0, merged.code(), merged.err());
    ActivationStore a = ActivationStore.open(tmp.resolve("whole"));
    ActivationStore b = ActivationStore.open(tmp.resolve("merged"));
    assertEquals(a.rows(), b.rows());
    int[] rows = {0, 1, 2};
    for (String t : List.of("resid_post.L2.last", "sae_acts.L2.post_instruction_mean")) {
      double[][] x = a.matrix(t, rows);
      double[][] y = b.matrix(t, rows);
      for (int i = 0; i < 3; i++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(x[i], y[i], 1e-4, t + " row " + i); // different batch padding
      }
    }
  }

  @Test
  void aCorruptShardIsRecomputedOnResumeWithAMessage(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("p.jsonl");
    PromptJsonl.write(data, List.of(
        Prompt.of("a", "How do I bake bread?", Label.HARMLESS, "food", "t"),
        Prompt.of("b", "How do I pick a lock?", Label.HARMFUL, "crime", "t"),
        Prompt.of("c", "Name a river", Label.HARMLESS, "geo", "t")));
    Path out = tmp.resolve("store");
    String[] args = {"extract", "--data", data.toString(), "--model", FIXTURE.resolve("model").toString(),
        "--out", out.toString(), "--layers", "0", "--batch", "2", "--json"};
    assertEquals(0, CliRun.of(args).code());
    double[][] before = ActivationStore.open(out).matrix("resid_post.L0.last", new int[] {0, 1, 2});
    Path shard = out.resolve("shard-00000.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    for (int i = bytes.length - 8; i < bytes.length; i++) {
      bytes[i] ^= (byte) 0x5a;
    }
    Files.write(shard, bytes);

    CliRun again = CliRun.of(args);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("shard-00000.safetensors") && again.err().contains("SHA-256"), again.err());
    assertEquals(3, new ObjectMapper().readTree(again.out()).get("extracted_now").asInt(), "both shards recomputed");
    double[][] after = ActivationStore.open(out).matrix("resid_post.L0.last", new int[] {0, 1, 2});
    for (int i = 0; i < 3; i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(before[i], after[i], 0, "row " + i);
    }
  }

  @Test
  void saeFeaturesFromAFeaturesFileStoreOnlyThoseColumns(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("p.jsonl");
    PromptJsonl.write(data, List.of(
        Prompt.of("a", "How do I bake bread?", Label.HARMLESS, "food", "t"),
        Prompt.of("b", "How do I pick a lock?", Label.HARMFUL, "crime", "t")));
    String model = FIXTURE.resolve("model").toString();
    String sae = "2=" + FIXTURE.resolve("sae");
    List<FeaturesFile.Feature> fs = List.of(
        new FeaturesFile.Feature(2, 9, FeatureRole.HARM, 0.5, 1.0, 0.0, 0.0, List.of(), null),
        new FeaturesFile.Feature(2, 4, FeatureRole.REFUSAL, 0.5, 1.0, 0.0, 0.0, List.of(), null));
    Path features = tmp.resolve("features.json");
    new FeaturesFile(FeaturesFile.SCHEMA_VERSION, FeaturesFile.KIND,
        new FeaturesFile.Direction(2, 1.0, DirectionPositions.LAST, null, null, new float[] {1f}), fs,
        null, null, null, null, null, null, null).write(features);
    CliRun all = CliRun.of("extract", "--data", data.toString(), "--model", model, "--sae", sae,
        "--out", tmp.resolve("all").toString(), "--layers", "2");
    assertEquals(0, all.code(), all.err());
    CliRun some = CliRun.of("extract", "--data", data.toString(), "--model", model, "--sae", sae,
        "--out", tmp.resolve("some").toString(), "--layers", "2", "--sae-features", features.toString());
    assertEquals(0, some.code(), some.err());
    ActivationStore a = ActivationStore.open(tmp.resolve("all"));
    ActivationStore s = ActivationStore.open(tmp.resolve("some"));
    StoreTensor t = s.tensor("sae_acts.L2.last").orElseThrow();
    assertEquals(List.of(9, 4), t.features());
    double[][] want = a.matrix("sae_acts.L2.last", new int[] {0, 1}, new int[] {9, 4});
    double[][] got = s.matrix("sae_acts.L2.last", new int[] {0, 1});
    for (int i = 0; i < 2; i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(want[i], got[i], 1e-6, "row " + i);
    }

    Files.writeString(features, "{\"features\": [{\"layer\": 2, \"index\": 9}]}");
    CliRun bad = CliRun.of("extract", "--data", data.toString(), "--model", model, "--sae", sae,
        "--out", tmp.resolve("bad").toString(), "--layers", "2", "--sae-features", features.toString());
    assertEquals(1, bad.code());
    assertTrue(bad.err().startsWith("error: --sae-features " + features), bad.err());
  }

  @Test
  void missingDataFileIsAClearError(@TempDir Path tmp) {
    CliRun r = CliRun.of("extract", "--data", tmp.resolve("nope.jsonl").toString(),
        "--model", FIXTURE.resolve("model").toString(), "--out", tmp.resolve("o").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--data") && r.err().contains("no such file"), r.err());
    assertTrue(Files.notExists(tmp.resolve("o")));
  }
}
