package refusallens.core.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 decoding, strict (null on invalid bytes) or lossy (U+FFFD, as Rust's from_utf8_lossy). */
final class Utf8 {
  private Utf8() {}

  static String decodeStrict(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static String decodeLossy(byte[] bytes) {
    // Java's replacement follows the same maximal-subpart rule as Rust's from_utf8_lossy.
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
