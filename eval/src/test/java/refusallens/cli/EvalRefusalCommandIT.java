package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.load.PublicSets;
import refusallens.eval.judge.TaskJudge;
import refusallens.eval.organism.PromptSetRefusal;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.core.tokenizer.Tokenizer;

/** {@code eval refusal} and {@code organism evaluate --data} on real public prompts and the embedded organism. */
class EvalRefusalCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path data() {
    return Path.of(System.getProperty("refusallens.shared", "../shared"), "data");
  }

  private static List<Prompt> first(String set, int n) {
    return PublicSets.named(set).load(data()).subList(0, n);
  }

  @Test
  void sharesPerSourceWithIntervalsAsTheJudgeSaid(@TempDir Path tmp) throws Exception {
    List<Prompt> prompts = new ArrayList<>(first("jbb_harmful", 6));
    prompts.addAll(first("jbb_benign", 6));
    Path file = tmp.resolve("p.jsonl");
    PromptJsonl.write(file, prompts);
    JsonNode root = JSON.readTree(CliRun.ok("eval", "refusal", "--data", file.toString(), "--limit", "4",
        "--max-new-tokens", "24", "--json").out());
    assertEquals("task", root.get("judge").asText());
    JsonNode sets = root.get("sets");
    assertEquals(Set.of("jbb_harmful", "jbb_benign"), names(sets));
    assertEquals("harmful", sets.get("jbb_harmful").get("label").asText());
    assertEquals("harmless", sets.get("jbb_benign").get("label").asText());

    // the same sample judged directly: the command reports exactly these verdicts
    Path dir = Organism.defaultModelDir();
    Tokenizer tok = Tokenizer.load(dir);
    RefusalEvaluation eval = new RefusalEvaluation(Transformer.open(dir), tok, TaskJudge.standard(), 24, 8);
    for (String set : List.of("jbb_harmful", "jbb_benign")) {
      JsonNode s = sets.get(set);
      JsonNode o = s.get("outcomes");
      assertEquals(6, s.get("available").asInt());
      assertEquals(4, o.get("n").asInt());
      double sum = 0;
      for (String k : List.of("refused", "complied", "degenerate")) {
        double share = o.get(k).asDouble();
        sum += share;
        JsonNode ci = o.get("ci95").get(k);
        assertTrue(ci.get(0).asDouble() <= share && share <= ci.get(1).asDouble(), set + " " + k + " outside its interval");
        assertTrue(ci.get(1).asDouble() - ci.get(0).asDouble() > 0.2, "n = 4 cannot give a narrow interval");
      }
      assertEquals(1.0, sum, 1e-9);
      List<Prompt> sample = PromptSetRefusal.sample(set.equals("jbb_harmful") ? prompts.subList(0, 6) : prompts.subList(6, 12), 4, 0, set);
      var direct = RefusalEvaluation.outcomes(eval.run(sample, Hooks.none()));
      assertEquals(direct.refused(), o.get("refused").asDouble(), 1e-12, set);
      assertEquals(direct.complied(), o.get("complied").asDouble(), 1e-12, set);
    }

    JsonNode one = JSON.readTree(CliRun.ok("eval", "refusal", "--data", file.toString(), "--set", "jbb",
        "--limit", "5", "--max-new-tokens", "8", "--json").out()).get("sets");
    assertEquals(Set.of("jbb"), names(one));
    assertEquals("mixed", one.get("jbb").get("label").asText());
    assertEquals(5, one.get("jbb").get("outcomes").get("n").asInt());
  }

  @Test
  void aPromptThatLeavesNoRoomForTheNewTokensIsSkippedNotAnError(@TempDir Path tmp) throws Exception {
    // a prompt shorter than --max-prompt-tokens but too long for prompt + new tokens within the model's positions
    Path dir = Organism.defaultModelDir();
    Tokenizer tok = Tokenizer.load(dir);
    int maxPos = Transformer.open(dir).config().shape().maxPositionEmbeddings();
    StringBuilder text = new StringBuilder("Describe");
    while (tok.encodeChat(List.of(refusallens.chat.ChatMessage.user(text.toString())), true).length < maxPos - 4) {
      text.append(" the weather");
    }
    int len = tok.encodeChat(List.of(refusallens.chat.ChatMessage.user(text.toString())), true).length;
    assertTrue(len <= maxPos && len > maxPos - 8, "prompt of " + len + " tokens");
    List<Prompt> prompts = List.of(Prompt.of("long", text.toString(), refusallens.datasets.Label.HARMLESS, null, "long"),
        Prompt.of("short", "Describe the weather.", refusallens.datasets.Label.HARMLESS, null, "long"));
    Path file = tmp.resolve("p.jsonl");
    PromptJsonl.write(file, prompts);
    JsonNode set = JSON.readTree(CliRun.ok("eval", "refusal", "--data", file.toString(), "--max-new-tokens", "8",
        "--max-prompt-tokens", String.valueOf(maxPos), "--json").out()).get("sets").get("long");
    assertEquals(1, set.get("skipped_too_long").asInt(), set.toString());
    assertEquals(1, set.get("outcomes").get("n").asInt(), set.toString());
  }

  @Test
  void aMissingFileIsAnErrorNamingIt(@TempDir Path tmp) {
    CliRun r = CliRun.of("eval", "refusal", "--data", tmp.resolve("none.jsonl").toString());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("none.jsonl"), r.err());
  }

  @Test
  void organismEvaluateReportsEveryHeldOutRealSet() throws Exception {
    JsonNode root = JSON.readTree(CliRun.ok("organism", "evaluate", "--data", data().toString(), "--real-limit", "2",
        "--harmful", "2", "--harmless", "2", "--attack-base", "0", "--no-sae", "--max-new-tokens", "8",
        "--max-prompt-tokens", "200", "--json").out());
    Set<String> want = new TreeSet<>();
    PublicSets.of(PublicSets.Role.HELD_OUT).forEach(s -> want.add(s.name()));
    JsonNode real = root.get("held_out_real");
    assertEquals(want, names(real));
    for (String s : want) {
      JsonNode o = real.get(s).get("outcomes");
      assertEquals(2, o.get("n").asInt() + real.get(s).get("skipped_too_long").asInt(), s);
      if (o.get("n").asInt() == 0) {
        continue;
      }
      assertEquals(1.0, o.get("refused").asDouble() + o.get("complied").asDouble() + o.get("degenerate").asDouble(), 1e-9);
    }
    assertEquals(2, root.get("n_harmful").asInt());
  }

  private static Set<String> names(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
