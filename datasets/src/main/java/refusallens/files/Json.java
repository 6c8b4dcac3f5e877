package refusallens.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON every command prints and every file we write uses: one mapper, pretty-printed (two-space indent),
 * map keys as given. Keys are snake_case by the writers' records and maps ({@code @JsonProperty} where a Java
 * name differs).
 */
public final class Json {
  /** The shared mapper (thread-safe once configured; do not reconfigure). */
  public static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private Json() {}

  /** {@code value} as pretty JSON text (no trailing newline). */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }
}
