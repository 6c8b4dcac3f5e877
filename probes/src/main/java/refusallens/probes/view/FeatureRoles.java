package refusallens.probes.view;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The minimal reading of {@code features.json} that probes need: the global F* list, each feature with
 * layer, index and role ({@code harm} for FH, {@code refusal} for FR). Other fields are ignored:
 * {@code {"features": [{"layer": 12, "index": 345, "role": "harm"}, ...]}}.
 */
public record FeatureRoles(List<Feature> features) {
  /** A feature's role in refusal. */
  public enum Role {
    HARM,
    REFUSAL
  }

  /** One SAE feature of F*. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Feature(int layer, int index, String role) {
    public Feature {
      if (layer < 0 || index < 0) {
        throw new IllegalArgumentException("feature (" + layer + ", " + index + "): layer and index must be >= 0");
      }
    }

    /** The role, or null when the file gives none (the feature is then only in F*). */
    public Role roleOrNull() {
      if (role == null) return null;
      return switch (role.toLowerCase(Locale.ROOT)) {
        case "harm", "fh" -> Role.HARM;
        case "refusal", "fr" -> Role.REFUSAL;
        default -> throw new IllegalArgumentException(
            "feature (" + layer + ", " + index + ") role '" + role + "': expected harm or refusal");
      };
    }
  }

  public FeatureRoles {
    features = List.copyOf(features);
    features.forEach(Feature::roleOrNull); // validates the roles
  }

  /** Reads {@code features.json}; unknown fields are ignored. */
  public static FeatureRoles read(Path file) {
    try {
      var m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
      FeatureRoles f = m.readValue(file.toFile(), FeatureRoles.class);
      if (f.features() == null || f.features().isEmpty()) {
        throw new IllegalArgumentException("features file " + file + ": \"features\" is empty");
      }
      return f;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "features file " + file + ": expected {\"features\": [{\"layer\", \"index\", \"role\"}...]}: "
              + e.getMessage(), e);
    }
  }

  /** F* (all listed features), FH (role harm) or FR (role refusal), in file order. */
  public List<Feature> select(FeatureSet set) {
    return switch (set) {
      case FSTAR -> features;
      case FH -> features.stream().filter(f -> f.roleOrNull() == Role.HARM).toList();
      case FR -> features.stream().filter(f -> f.roleOrNull() == Role.REFUSAL).toList();
    };
  }
}
