package refusallens.core.model.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.files.Json;

/** Typed, error-reporting access to the keys of a Hugging Face {@code config.json}. */
public final class HfConfigJson {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path file;
  private final JsonNode root;

  private HfConfigJson(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  /** Reads {@code file}; bad JSON or a non-object is an error naming the file. */
  public static HfConfigJson read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such file (expected a Hugging Face config.json)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    return new HfConfigJson(file, root);
  }

  /** Wraps an already-parsed object (used for nested objects such as {@code rope_scaling}). */
  public static HfConfigJson of(Path file, JsonNode node) {
    return new HfConfigJson(file, node);
  }

  public Path file() {
    return file;
  }

  public boolean has(String key) {
    JsonNode n = root.get(key);
    return n != null && !n.isNull();
  }

  public JsonNode node(String key) {
    return root.get(key);
  }

  public String requireString(String key) {
    JsonNode n = require(key);
    if (!n.isTextual()) {
      throw bad(key, "a string", n);
    }
    return n.asText();
  }

  public String string(String key, String fallback) {
    return has(key) ? requireString(key) : fallback;
  }

  public int requireInt(String key) {
    JsonNode n = require(key);
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw bad(key, "an integer", n);
    }
    return n.asInt();
  }

  public int integer(String key, int fallback) {
    return has(key) ? requireInt(key) : fallback;
  }

  public OptionalInt optionalInt(String key) {
    return has(key) ? OptionalInt.of(requireInt(key)) : OptionalInt.empty();
  }

  public double requireDouble(String key) {
    JsonNode n = require(key);
    if (!n.isNumber()) {
      throw bad(key, "a number", n);
    }
    return n.asDouble();
  }

  public double number(String key, double fallback) {
    return has(key) ? requireDouble(key) : fallback;
  }

  public OptionalDouble optionalDouble(String key) {
    return has(key) ? OptionalDouble.of(requireDouble(key)) : OptionalDouble.empty();
  }

  public boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode n = root.get(key);
    if (!n.isBoolean()) {
      throw bad(key, "true or false", n);
    }
    return n.asBoolean();
  }

  /** An int or a list of ints (e.g. {@code eos_token_id}); absent gives an empty list. */
  public List<Integer> intOrIntList(String key) {
    List<Integer> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    JsonNode n = root.get(key);
    if (n.isIntegralNumber()) {
      out.add(n.asInt());
    } else if (n.isArray()) {
      for (JsonNode e : n) {
        if (!e.isIntegralNumber()) {
          throw bad(key, "an integer or a list of integers", n);
        }
        out.add(e.asInt());
      }
    } else {
      throw bad(key, "an integer or a list of integers", n);
    }
    return out;
  }

  private JsonNode require(String key) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException(file + ": missing required key '" + key + "'");
    }
    return n;
  }

  private IllegalArgumentException bad(String key, String expected, JsonNode got) {
    return new IllegalArgumentException(
        file + ": key '" + key + "' must be " + expected + ", got " + got);
  }
}
