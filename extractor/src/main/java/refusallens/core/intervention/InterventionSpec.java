package refusallens.core.intervention;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import refusallens.core.sae.SaeSet;

/**
 * An intervention description (a JSON file, also the service's request format):
 * {@code {"schemaVersion": 1, "interventions": [{"layer": 12, "features": [3, 17], "scale": -3.0,
 * "positions": "all"}]}}. Entries may span many layers; a (layer, feature) pair appears at most once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "interventions"})
public record InterventionSpec(Integer schemaVersion, List<FeatureIntervention> interventions) {
  /** The version this code writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public InterventionSpec {
    schemaVersion = schemaVersion == null ? SCHEMA_VERSION : schemaVersion;
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "schemaVersion " + schemaVersion + " is not supported (this version reads " + SCHEMA_VERSION + ")");
    }
    if (interventions == null) {
      throw new IllegalArgumentException("'interventions' is missing (a list of entries)");
    }
    interventions = List.copyOf(interventions);
    Set<String> seen = new HashSet<>();
    for (FeatureIntervention iv : interventions) {
      for (int f : iv.features()) {
        if (!seen.add(iv.layer() + ":" + f)) {
          throw new IllegalArgumentException(
              "feature " + f + " of layer " + iv.layer() + " appears in two interventions (give it once)");
        }
      }
    }
  }

  /** A spec of these entries at the current schema version. */
  public static InterventionSpec of(List<FeatureIntervention> interventions) {
    return new InterventionSpec(SCHEMA_VERSION, interventions);
  }

  /** Reads a spec file; errors name the file and the offending entry. */
  public static InterventionSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read intervention file: " + e, e);
    }
    return parse(text, file.toString());
  }

  /** Parses spec JSON; {@code source} names it in errors (a file, "request body"). */
  public static InterventionSpec parse(String json, String source) {
    try {
      JsonNode tree = JSON.readTree(json);
      checkShape(tree, source);
      InterventionSpec spec = JSON.treeToValue(tree, InterventionSpec.class);
      if (spec == null) {
        throw new IllegalArgumentException(source + ": empty intervention description");
      }
      return spec;
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(source + ": " + where(e) + rootMessage(e), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": bad JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static final Set<String> TOP_KEYS = Set.of("schemaVersion", "interventions");
  private static final Set<String> ENTRY_KEYS = Set.of("layer", "features", "scale", "value", "positions");

  /**
   * Unknown keys (a typo such as "scael") and values of the wrong JSON type are errors naming the field;
   * checked on the tree before binding, so nothing is coerced: {@code "layer": "2"}, {@code 2.7} or an integer
   * beyond int range is refused, not read as 2 or wrapped.
   */
  private static void checkShape(JsonNode tree, String source) {
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object {\"interventions\": [...]}");
    }
    tree.fieldNames()
        .forEachRemaining(
            k -> {
              if (!TOP_KEYS.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown key '" + k + "' (expected " + TOP_KEYS + ")");
              }
            });
    requireInt(tree.get("schemaVersion"), source + ": schemaVersion");
    JsonNode list = tree.get("interventions");
    if (list == null || list.isNull()) {
      return; // the constructor says it is missing
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException(source + ": interventions: expected a list of entries, got " + list);
    }
    for (int i = 0; i < list.size(); i++) {
      String at = source + ": interventions[" + i + "]";
      JsonNode entry = list.get(i);
      if (!entry.isObject()) {
        throw new IllegalArgumentException(at + ": expected an object {layer, features, scale | value, positions}, got " + entry);
      }
      entry.fieldNames()
          .forEachRemaining(
              k -> {
                if (!ENTRY_KEYS.contains(k)) {
                  throw new IllegalArgumentException(
                      at + ": unknown key '" + k + "' (expected layer, features, scale, value, positions)");
                }
              });
      requireInt(entry.get("layer"), at + ".layer");
      JsonNode features = entry.get("features");
      if (features != null && !features.isNull()) {
        if (!features.isArray()) {
          throw new IllegalArgumentException(at + ".features: expected a list of feature indices, got " + features);
        }
        for (int j = 0; j < features.size(); j++) {
          requireInt(features.get(j), at + ".features[" + j + "]");
        }
      }
      for (String key : List.of("scale", "value")) {
        JsonNode x = entry.get(key);
        if (x != null && !x.isNull() && !x.isNumber()) {
          throw new IllegalArgumentException(at + "." + key + ": expected a number, got " + x);
        }
      }
    }
  }

  /** An absent (or null) node, or an integer JSON number within int range. */
  private static void requireInt(JsonNode n, String field) {
    if (n == null || n.isNull()) {
      return;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(
          field + ": expected an integer" + (n.isIntegralNumber() ? " within int range" : "") + ", got " + n);
    }
  }

  private static String where(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "" : b + ": ";
  }

  private static String rootMessage(JsonMappingException e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t instanceof IllegalArgumentException ? t.getMessage() : e.getOriginalMessage();
  }

  /** The JSON text. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the JSON text to {@code file}. */
  public void write(Path file) {
    try {
      Files.writeString(file, toJson() + "\n");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot write intervention file: " + e, e);
    }
  }

  /** Layers with at least one entry, ascending. */
  public SortedSet<Integer> layers() {
    SortedSet<Integer> out = new TreeSet<>();
    interventions.forEach(iv -> out.add(iv.layer()));
    return out;
  }

  /** The entries at {@code layer}. */
  public List<FeatureIntervention> atLayer(int layer) {
    return interventions.stream().filter(iv -> iv.layer() == layer).toList();
  }

  /** Checks every entry against the SAEs: the layer has one, and each feature index is below its d_sae. */
  public void validateAgainst(SaeSet saes) {
    for (int i = 0; i < interventions.size(); i++) {
      FeatureIntervention iv = interventions.get(i);
      if (!saes.contains(iv.layer())) {
        throw new IllegalArgumentException(
            "interventions[" + i + "]: layer " + iv.layer() + " has no SAE (SAE layers: " + saes.layers() + ")");
      }
      int dSae = saes.config(iv.layer()).dSae();
      for (int f : iv.features()) {
        if (f >= dSae) {
          throw new IllegalArgumentException(
              "interventions[" + i + "]: feature " + f + " out of range for layer " + iv.layer() + " (d_sae " + dSae + ")");
        }
      }
    }
  }
}
