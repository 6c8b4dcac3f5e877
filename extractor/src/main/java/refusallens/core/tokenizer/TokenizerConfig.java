package refusallens.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import refusallens.files.Json;

/**
 * What tokenizer_config.json (and an optional chat_template.jinja beside it) says: the special-token strings
 * and the chat template source (null when there is none).
 */
public record TokenizerConfig(SpecialTokens specialTokens, String chatTemplate, Path templateFile) {
  static final ObjectMapper JSON = Json.MAPPER;

  public TokenizerConfig {
    if (specialTokens == null) {
      throw new IllegalArgumentException("specialTokens must not be null (use SpecialTokens.NONE)");
    }
  }

  /** Reads {@code tokenizer_config.json} and {@code chat_template.jinja} of a directory; both are optional. */
  public static TokenizerConfig readDir(Path dir) {
    Path configFile = dir.resolve("tokenizer_config.json");
    TokenizerConfig cfg =
        Files.exists(configFile) ? read(configFile) : new TokenizerConfig(SpecialTokens.NONE, null, null);
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.exists(jinja)) {
      try {
        return new TokenizerConfig(cfg.specialTokens(), Files.readString(jinja), jinja);
      } catch (IOException e) {
        throw new TokenizerFormatException(jinja + ": cannot read: " + e.getMessage(), e);
      }
    }
    return cfg;
  }

  /** Reads one tokenizer_config.json file. */
  public static TokenizerConfig read(Path configFile) {
    JsonNode cfg = readJson(configFile);
    if (!cfg.isObject()) {
      throw new TokenizerFormatException(configFile + ": expected a JSON object");
    }
    SpecialTokens specials =
        new SpecialTokens(
            tokenString(cfg, "bos_token"),
            tokenString(cfg, "eos_token"),
            tokenString(cfg, "pad_token"),
            tokenString(cfg, "unk_token"));
    return new TokenizerConfig(specials, templateFrom(cfg.get("chat_template"), configFile), configFile);
  }

  /** The chat template, or an error naming the file when there is none. */
  public ChatTemplate requireChatTemplate(Path where) {
    if (chatTemplate == null) {
      throw new TokenizerFormatException(
          where + ": no chat template (expected \"chat_template\" in tokenizer_config.json or a chat_template.jinja file)");
    }
    return new ChatTemplate(chatTemplate, specialTokens.templateVariables(), String.valueOf(templateFile));
  }

  static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new TokenizerFormatException(file + ": file not found", e);
    } catch (JsonProcessingException e) {
      throw new TokenizerFormatException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new TokenizerFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String tokenString(JsonNode cfg, String key) {
    JsonNode v = cfg.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isObject() && v.has("content")) {
      return v.get("content").asText();
    }
    return null;
  }

  private static String templateFrom(JsonNode t, Path file) {
    if (t == null || t.isNull()) {
      return null;
    }
    if (t.isTextual()) {
      return t.asText();
    }
    if (t.isArray()) {
      // Named templates: [{"name": "default", "template": ...}, ...]; the default one is the chat template.
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          return named.path("template").asText();
        }
      }
      if (t.size() > 0) {
        return t.get(0).path("template").asText();
      }
    }
    throw new TokenizerFormatException(file + ": chat_template: expected a string or a list of named templates");
  }
}
