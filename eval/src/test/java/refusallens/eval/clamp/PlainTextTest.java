package refusallens.eval.clamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.split.Split;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;

/**
 * Plain-text coherence: the CE over every token after the first reproduces the reference stack's mean
 * next-token loss on the fixture prompts; the text comes from the generator's held-out reference answers or a
 * file (lines or JSONL), with clear errors for bad files.
 */
class PlainTextTest {
  @TempDir Path tmp;

  @Test
  void textCrossEntropyReproducesTheReferenceNextTokenLoss() throws Exception {
    Path dir = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");
    Transformer model = Transformer.open(dir.resolve("model"));
    var ref = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("reference.json").toFile());
    List<int[]> texts = new ArrayList<>();
    double sum = 0;
    try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      for (var p : ref.get("prompts")) {
        INDArray ids = st.get("p" + p.get("index").asInt() + ".input_ids");
        long[] l = ids.castTo(DataType.LONG).data().asLong();
        int[] t = new int[l.length];
        for (int i = 0; i < l.length; i++) {
          t[i] = Math.toIntExact(l[i]);
        }
        double want = p.get("ce_loss_next_token_mean").asDouble();
        assertEquals(want, Coherence.textCrossEntropy(model, List.of(t), Hooks.none()), 1e-4 * want, "prompt " + p.get("index"));
        texts.add(t);
        sum += want;
      }
    }
    assertEquals(sum / texts.size(), Coherence.textCrossEntropy(model, texts, Hooks.none()), 1e-4 * sum / texts.size(),
        "the mean over texts");
    assertTrue(Double.isNaN(Coherence.textCrossEntropy(model, List.of(new int[] {2}), Hooks.none())), "nothing to score");
  }

  @Test
  void referenceAnswersAreADeterministicHeldOutSample() {
    List<String> a = PlainText.referenceAnswers(3, 10);
    assertEquals(10, a.size());
    assertEquals(a, PlainText.referenceAnswers(3, 10), "deterministic");
    assertNotEquals(a, PlainText.referenceAnswers(4, 10), "another seed, another sample");
    assertEquals(50, PlainText.referenceAnswers(3, 50).size());
    // each is a reference answer of a test-split harmless prompt of the generator for that seed
    int perLabel = (int) Math.ceil(10 / 0.15) + 1;
    Set<String> test = PromptGenerator.generate(new GeneratorOptions(3, perLabel, 0.15, 0.15, 0)).get(Split.TEST, Label.HARMLESS)
        .stream().map(Prompt::response).collect(Collectors.toSet());
    assertTrue(test.containsAll(a), "test-split answers");
    assertThrows(IllegalArgumentException.class, () -> PlainText.referenceAnswers(3, 0));
  }

  @Test
  void readsLinesAndJsonlAndNamesBadFiles() throws Exception {
    Path lines = tmp.resolve("t.txt");
    Files.writeString(lines, "The cat sat on the mat.\n\n  Water boils at 100 degrees.  \n");
    assertEquals(List.of("The cat sat on the mat.", "Water boils at 100 degrees."), PlainText.read("--text", lines));
    Path jsonl = tmp.resolve("t.jsonl");
    Files.writeString(jsonl, "{\"text\": \"One.\", \"id\": 1}\n\n{\"text\": \"Two.\"}\n");
    assertEquals(List.of("One.", "Two."), PlainText.read("--text", jsonl));

    Path noField = tmp.resolve("bad.jsonl");
    Files.writeString(noField, "{\"text\": \"One.\"}\n{\"body\": \"Two.\"}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlainText.read("--text", noField));
    assertTrue(e.getMessage().contains("--text") && e.getMessage().contains(noField.toString())
        && e.getMessage().contains("line 2") && e.getMessage().contains("\"text\""), e.getMessage());
    Path broken = tmp.resolve("broken.jsonl");
    Files.writeString(broken, "{\"text\": \"One.\"}\n{\"text\": \n");
    e = assertThrows(IllegalArgumentException.class, () -> PlainText.read("--text", broken));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("bad JSON"), e.getMessage());
    Path empty = tmp.resolve("empty.txt");
    Files.writeString(empty, "\n  \n");
    e = assertThrows(IllegalArgumentException.class, () -> PlainText.read("--text", empty));
    assertTrue(e.getMessage().contains("no texts") && e.getMessage().contains(empty.toString()), e.getMessage());
    Path missing = tmp.resolve("missing.txt");
    e = assertThrows(IllegalArgumentException.class, () -> PlainText.read("--text", missing));
    assertTrue(e.getMessage().contains("--text") && e.getMessage().contains("cannot read"), e.getMessage());
  }
}
