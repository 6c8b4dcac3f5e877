package refusallens.core.sae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import refusallens.files.Json;

/** Typed access to an SAE's JSON config, with errors that name the file and the key. */
final class ConfigJson {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path file;
  private final JsonNode root;

  private ConfigJson(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  static ConfigJson read(Path file) {
    try {
      JsonNode root = JSON.readTree(Files.readString(file));
      if (root == null || !root.isObject()) {
        throw new SaeException(file + ": expected a JSON object");
      }
      return new ConfigJson(file, root);
    } catch (JsonProcessingException e) {
      throw new SaeException(file + ": bad JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SaeException(file + ": cannot read: " + e, e);
    }
  }

  Path file() {
    return file;
  }

  private Optional<JsonNode> node(String key) {
    JsonNode n = root.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
  }

  boolean has(String key) {
    return node(key).isPresent();
  }

  int requiredInt(String key) {
    return optionalInt(key).orElseThrow(() -> missing(key, "an integer"));
  }

  Optional<Integer> optionalInt(String key) {
    return node(key)
        .map(
            n -> {
              if (!n.canConvertToInt() || !(n.isIntegralNumber() || (n.isNumber() && n.asDouble() == Math.rint(n.asDouble())))) {
                throw bad(key, "an integer", n);
              }
              return n.asInt();
            });
  }

  double requiredDouble(String key) {
    return node(key)
        .map(
            n -> {
              if (!n.isNumber()) {
                throw bad(key, "a number", n);
              }
              return n.asDouble();
            })
        .orElseThrow(() -> missing(key, "a number"));
  }

  String requiredText(String key) {
    return optionalText(key).orElseThrow(() -> missing(key, "a string"));
  }

  Optional<String> optionalText(String key) {
    return node(key)
        .map(
            n -> {
              if (!n.isTextual()) {
                throw bad(key, "a string", n);
              }
              return n.asText();
            });
  }

  Optional<Boolean> optionalBoolean(String key) {
    return node(key)
        .map(
            n -> {
              if (!n.isBoolean()) {
                throw bad(key, "true or false", n);
              }
              return n.asBoolean();
            });
  }

  /** A nested object, e.g. {@code activation_fn_kwargs}. */
  Optional<ConfigJson> optionalObject(String key) {
    return node(key)
        .map(
            n -> {
              if (!n.isObject()) {
                throw bad(key, "an object", n);
              }
              return new ConfigJson(file, n);
            });
  }

  SaeException missing(String key, String what) {
    return new SaeException(file + ": missing '" + key + "' (" + what + ")");
  }

  SaeException bad(String key, String what, JsonNode got) {
    return new SaeException(file + ": '" + key + "' must be " + what + ", got " + got);
  }
}
