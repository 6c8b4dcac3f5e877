package refusallens.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quickstart block reader, and the README's three quickstart blocks are there in the shape the tests run. */
class ReadmeBlocksTest {
  @Test
  void readsWordsAsTheShellDoes() {
    String md = "x\n<!-- tested:a -->\n\n```\n./refusal-lens probes compare --views 'raw:1,random(fr)' \\\n"
        + "    --out \"q/a b\"\n# label: harmful\n# second\ncurl -s localhost:8080/v1/probe\n```\n";
    List<ReadmeBlocks.Command> b = ReadmeBlocks.block(md, "a");
    assertEquals(2, b.size());
    assertEquals(List.of("./refusal-lens", "probes", "compare", "--views", "raw:1,random(fr)", "--out", "q/a b"), b.get(0).words());
    assertEquals(List.of("label: harmful", "second"), b.get(0).comments());
    assertEquals(List.of("curl", "-s", "localhost:8080/v1/probe"), b.get(1).words());
    List<ReadmeBlocks.Command> c = ReadmeBlocks.block("<!-- tested:b -->\n```\ncurl -d '{\"a\": 1,\n  \"b\": 2}'\n"
        + "curl -s x/v1/model    # trailing comment\n```\n", "b");
    assertEquals(List.of("curl", "-d", "{\"a\": 1,\n  \"b\": 2}"), c.get(0).words(), "a quoted body over two lines");
    assertEquals(List.of("curl", "-s", "x/v1/model"), c.get(1).words(), "the trailing comment is not a word");
  }

  @Test
  void refusesShellSyntaxItCannotRunAndMissingBlocks() {
    assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.words("ls | head -1"));
    assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.words("echo $HOME"));
    assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.words("a --views raw:1,random(fr)"));
    assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.block("no marker here", "a"));
    assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.block("<!-- tested:a -->\n```\nx\n", "a"));
  }

  @Test
  void theReadmeHasTheThreeQuickstartBlocks() {
    for (String name : List.of("train", "compare")) {
      List<ReadmeBlocks.Command> b = ReadmeBlocks.block(name);
      assertTrue(b.stream().allMatch(c -> c.words().get(0).equals("./refusal-lens")), name + ": " + b);
    }
    assertTrue(ReadmeBlocks.block("train").stream().anyMatch(c -> c.words().get(1).equals("serve")), "train ends by serving");
    List<ReadmeBlocks.Command> classify = ReadmeBlocks.block("classify");
    assertTrue(classify.stream().allMatch(c -> c.words().get(0).equals("curl")), classify.toString());
  }
}
