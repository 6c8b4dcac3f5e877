package refusallens.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import refusallens.files.Json;

/**
 * The one {@code --json} format of every command: one document, pretty-printed as {@link Json} writes files,
 * snake_case keys (record components and map keys alike: {@code hookName} prints as {@code hook_name}) and enum
 * constants in lower case where the enum names no wire form of its own ({@code LOGISTIC} prints as {@code
 * logistic}).
 */
final class CliJson {
  /** A camelCase identifier: a key written from a Java name, not data (data keys hold no such pattern). */
  private static final Pattern CAMEL = Pattern.compile("[a-z][a-z0-9]*([A-Z][a-z0-9]*)+");

  static final ObjectMapper MAPPER = Json.MAPPER.copy()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .registerModule(new SimpleModule("lower-case-enums").setSerializerModifier(new BeanSerializerModifier() {
        @Override
        public JsonSerializer<?> modifyEnumSerializer(SerializationConfig config,
            com.fasterxml.jackson.databind.JavaType valueType, BeanDescription beanDesc, JsonSerializer<?> serializer) {
          if (beanDesc.findJsonValueAccessor() != null) {
            return serializer; // the enum writes its own wire name
          }
          return new JsonSerializer<Enum<?>>() {
            @Override
            public void serialize(Enum<?> value, JsonGenerator gen, SerializerProvider p) throws IOException {
              gen.writeString(value.name().toLowerCase(Locale.ROOT));
            }
          };
        }
      }));

  private CliJson() {}

  /** {@code doc} as the JSON tree commands print. */
  static JsonNode tree(Object doc) {
    return snakeKeys(MAPPER.valueToTree(doc));
  }

  /** {@code doc} as the text commands print (no trailing newline). */
  static String text(Object doc) {
    return Json.write(tree(doc));
  }

  /** Prints {@code doc} as one JSON document on {@code out}. */
  static void print(PrintWriter out, Object doc) {
    out.println(text(doc));
    out.flush();
  }

  /** Prints {@code doc} as one JSON document on {@code out}. */
  static void print(PrintStream out, Object doc) {
    out.println(text(doc));
    out.flush();
  }

  /** {@code fooBar} -> {@code foo_bar}; other keys unchanged. */
  static String snake(String key) {
    if (!CAMEL.matcher(key).matches()) {
      return key;
    }
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static JsonNode snakeKeys(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      o.fields().forEachRemaining(fields::add);
      ObjectNode out = MAPPER.createObjectNode();
      for (Map.Entry<String, JsonNode> e : fields) {
        out.set(snake(e.getKey()), snakeKeys(e.getValue()));
      }
      return out;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = MAPPER.createArrayNode();
      a.forEach(x -> out.add(snakeKeys(x)));
      return out;
    }
    return node;
  }
}
