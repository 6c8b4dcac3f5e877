package refusallens.core.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import refusallens.files.Json;

/**
 * Streams tokenizer.json: the large {@code model.vocab} and {@code model.merges} go straight into a map and
 * an array (a Llama-3 file has 128k tokens and 280k merges), everything else becomes a small JSON tree.
 */
final class TokenizerJsonReader {
  /** The file without vocab and merges, which come separately (null when absent or not the expected kind). */
  record Parsed(ObjectNode root, Map<String, Integer> vocab, String[][] merges) {}

  private static final ObjectMapper JSON = Json.MAPPER;

  private TokenizerJsonReader() {}

  static Parsed read(Path file) {
    try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
      p.setCodec(JSON);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new TokenizerFormatException(file + ": expected a JSON object");
      }
      ObjectNode root = JSON.createObjectNode();
      Map<String, Integer> vocab = null;
      String[][] merges = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (!name.equals("model") || p.currentToken() != JsonToken.START_OBJECT) {
          root.set(name, p.readValueAsTree());
          continue;
        }
        ObjectNode model = root.putObject("model");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          if (field.equals("vocab") && t == JsonToken.START_OBJECT) {
            vocab = readVocab(p, file);
          } else if (field.equals("merges") && t == JsonToken.START_ARRAY) {
            merges = readMerges(p, file);
          } else {
            model.set(field, p.readValueAsTree());
          }
        }
      }
      if (p.nextToken() != null) {
        throw new TokenizerFormatException(file + ": malformed JSON: trailing content after the top-level object");
      }
      return new Parsed(root, vocab, merges);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new TokenizerFormatException(file + ": file not found", e);
    } catch (JsonProcessingException e) {
      throw new TokenizerFormatException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new TokenizerFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static Map<String, Integer> readVocab(JsonParser p, Path file) throws IOException {
    Map<String, Integer> vocab = new HashMap<>(1 << 18);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String token = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw new TokenizerFormatException(file + ": model.vocab: id of '" + token + "' is not an integer");
      }
      vocab.put(token, p.getIntValue());
    }
    return vocab;
  }

  private static String[][] readMerges(JsonParser p, Path file) throws IOException {
    List<String[]> merges = new ArrayList<>(1 << 16);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      int i = merges.size();
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getText();
        int sp = s.indexOf(' ');
        if (sp < 0 || s.indexOf(' ', sp + 1) >= 0) {
          throw new TokenizerFormatException(
              file + ": model.merges[" + i + "]: expected \"left right\", got \"" + s + "\"");
        }
        merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
      } else if (t == JsonToken.START_ARRAY) {
        String a = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        String b = a != null && p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        if (b == null || p.nextToken() != JsonToken.END_ARRAY) {
          throw new TokenizerFormatException(
              file + ": model.merges[" + i + "]: expected [\"left\", \"right\"]");
        }
        merges.add(new String[] {a, b});
      } else {
        throw new TokenizerFormatException(
            file + ": model.merges[" + i + "]: expected \"left right\" or [\"left\", \"right\"]");
      }
    }
    return merges.toArray(new String[0][]);
  }
}
