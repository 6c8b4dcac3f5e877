package refusallens.core.intervention;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.util.stream.IntStream;

/**
 * Which sequence positions an intervention edits: {@code "all"} (default), {@code "prompt"},
 * {@code "generated"}, or {@code {"last": k}} (the last k prompt tokens, e.g. the post-instruction template).
 */
@JsonSerialize(using = Positions.Writer.class)
@JsonDeserialize(using = Positions.Reader.class)
public sealed interface Positions {
  /** Every position, prompt and generated. */
  record All() implements Positions {}

  /** Prompt positions only. */
  record Prompt() implements Positions {}

  /** Generated positions only. */
  record Generated() implements Positions {}

  /** The last {@code k} prompt positions. */
  record Last(int k) implements Positions {
    public Last {
      if (k <= 0) {
        throw new IllegalArgumentException("positions {\"last\": k} needs k >= 1, got " + k);
      }
    }
  }

  Positions ALL = new All();
  Positions PROMPT = new Prompt();
  Positions GENERATED = new Generated();

  /** Whether absolute position {@code pos} is edited, for a prompt of {@code promptLength} tokens. */
  default boolean includes(long pos, int promptLength) {
    if (this instanceof All) {
      return true;
    } else if (this instanceof Prompt) {
      return pos < promptLength;
    } else if (this instanceof Generated) {
      return pos >= promptLength;
    }
    Last l = (Last) this;
    return pos < promptLength && pos >= promptLength - l.k();
  }

  /**
   * Rows of a chunk to edit: the chunk holds absolute positions {@code chunkStart ..
   * chunkStart + chunkLength - 1} (a whole prompt at prefill, one token per decode step).
   */
  default int[] rows(long chunkStart, int chunkLength, int promptLength) {
    if (chunkStart < 0 || chunkLength < 0 || promptLength < 0) {
      throw new IllegalArgumentException(
          "bad chunk: start " + chunkStart + ", length " + chunkLength + ", prompt length " + promptLength);
    }
    return IntStream.range(0, chunkLength).filter(i -> includes(chunkStart + i, promptLength)).toArray();
  }

  /** Parses the JSON form; a clear error for anything else. */
  static Positions fromJson(JsonNode n) {
    if (n == null || n.isNull()) {
      return ALL;
    }
    if (n.isTextual()) {
      return switch (n.asText()) {
        case "all" -> ALL;
        case "prompt" -> PROMPT;
        case "generated" -> GENERATED;
        default -> throw new IllegalArgumentException(
            "positions '" + n.asText() + "' unknown: expected \"all\", \"prompt\", \"generated\" or {\"last\": k}");
      };
    }
    if (n.isObject() && n.size() == 1 && n.has("last") && n.get("last").isIntegralNumber()) {
      // canConvertToInt: 4294967297 must not wrap to 1
      if (!n.get("last").canConvertToInt()) {
        throw new IllegalArgumentException(
            "positions {\"last\": k} needs k from 1 to " + Integer.MAX_VALUE + ", got " + n.get("last"));
      }
      return new Last(n.get("last").asInt());
    }
    throw new IllegalArgumentException(
        "positions " + n + " unknown: expected \"all\", \"prompt\", \"generated\" or {\"last\": k}");
  }

  /** Writes the JSON form. */
  final class Writer extends JsonSerializer<Positions> {
    @Override
    public void serialize(Positions p, JsonGenerator g, SerializerProvider s) throws IOException {
      if (p instanceof Last l) {
        g.writeStartObject();
        g.writeNumberField("last", l.k());
        g.writeEndObject();
      } else {
        g.writeString(p instanceof All ? "all" : p instanceof Prompt ? "prompt" : "generated");
      }
    }
  }

  /** Reads the JSON form. */
  final class Reader extends JsonDeserializer<Positions> {
    @Override
    public Positions deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      JsonNode n = ctx.readTree(p);
      try {
        return fromJson(n);
      } catch (IllegalArgumentException e) {
        throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(), n, Positions.class);
      }
    }

    @Override
    public Positions getNullValue(DeserializationContext ctx) {
      return ALL;
    }
  }
}
