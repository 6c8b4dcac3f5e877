package refusallens.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written Llama-3 split matcher finds exactly the matches java.util.regex finds. */
class Cl100kSplitterTest {
  private static final String[] ALPHABET = {
    "a", "Z", "é", "ſ", "S", "K", "'", "s", "t", "r", "e", "v", "m", "l", "d", "R", "E", "V", "L", "D",
    "1", "٣", "½", "Ⅻ", "²", " ", " ", " ", "\t", "\n", "\r", "\u000B", "\f", "\u00A0", "\u2003", "\u0085",
    "\u2028", "\u3000", ".", ",", "!", "-", "_", "(", "😀", "𝐀", "中", "\u200D", "\uFE0F", "\u0308", "\u00AD"
  };

  private static int[] spans(MatchFinder f, String s) {
    IntList out = new IntList(16);
    f.find(s, out);
    return out.toArray();
  }

  @Test
  void agreesWithTheRegexOnRandomText() {
    MatchFinder regex = MatchFinder.of(HfRegex.compile(Cl100kSplitter.PATTERN, "test"));
    MatchFinder fast = new Cl100kSplitter();
    Random rnd = new Random(42);
    for (int trial = 0; trial < 20_000; trial++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(24);
      for (int k = 0; k < len; k++) {
        sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
      }
      String s = sb.toString();
      assertArrayEquals(spans(regex, s), spans(fast, s), () -> "text: " + new StringBuilder(s).toString().codePoints()
          .mapToObj(cp -> String.format("U+%04X", cp)).toList());
    }
  }

  @Test
  void theLlama31FileUsesThisPattern() throws Exception {
    String regex =
        new ObjectMapper()
            .readTree(TokenizerConformanceTest.SHARED.resolve("fixtures/llama3/model/tokenizer.json").toFile())
            .get("pre_tokenizer").get("pretokenizers").get(0).get("pattern").get("Regex").asText();
    assertEquals(Cl100kSplitter.PATTERN, regex);
  }
}
