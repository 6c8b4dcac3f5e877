package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import refusallens.files.AtomicFiles;

/**
 * {@code features.json}: the refusal direction V*_R, the global F* (top-level {@code features}, each with its
 * role "harm" or "refusal" and the evidence), the per-prompt F* sets, F0, the baselines, measured effects
 * and provenance.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "kind", "refusalDirection", "features", "perPrompt", "f0", "layerAttribution",
    "baselines", "effects", "settings", "provenance"})
public record FeaturesFile(
    int schemaVersion,
    String kind,
    Direction refusalDirection,
    List<Feature> features,
    List<PromptFeatures> perPrompt,
    List<ScoredFeature> f0,
    List<LayerAttribution> layerAttribution,
    Baselines baselines,
    Effects effects,
    Settings settings,
    Provenance provenance) {
  /**
   * The version this code writes. Version 1 (read and migrated, see {@link #migrate}) had one direction candidate
   * per layer, no selection fallback flag, and refusal tokens tokenized out of context.
   */
  public static final int SCHEMA_VERSION = 2;

  /** The {@code kind} of features files. */
  public static final String KIND = "refusal-features";

  /**
   * Canonical output: every record's keys in its declared order (any key not declared, alphabetically) and every
   * map's keys sorted, so that equal results give byte-identical files.
   */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  public FeaturesFile {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "features.json schemaVersion " + schemaVersion + " is not supported (this version reads 1, migrated, and " + SCHEMA_VERSION + ")");
    }
    if (!KIND.equals(kind)) {
      throw new IllegalArgumentException("features.json kind '" + kind + "': expected " + KIND);
    }
    Objects.requireNonNull(refusalDirection, "features.json: 'refusalDirection' is missing");
    if (features == null) {
      throw new IllegalArgumentException("features.json: 'features' is missing");
    }
    features = List.copyOf(features);
    perPrompt = perPrompt == null ? List.of() : List.copyOf(perPrompt);
    f0 = f0 == null ? List.of() : List.copyOf(f0);
    layerAttribution = layerAttribution == null ? List.of() : List.copyOf(layerAttribution);
  }

  /**
   * V*_R: the chosen layer, the direction's norm and its values (unnormalised difference in means), the
   * positions averaged, how every candidate layer scored, and the mean projection of the harmful prompts'
   * resid_post (at those positions and that layer) on the unit direction (null in files written before it was
   * recorded).
   */
  @JsonPropertyOrder({"layer", "norm", "positions", "selection", "harmfulProjection", "direction"})
  public record Direction(
      int layer, double norm, DirectionPositions positions, LayerSelection.Result selection, Double harmfulProjection,
      float[] direction) {
    public Direction {
      Objects.requireNonNull(direction, "refusalDirection.direction");
      if (layer < 0) {
        throw new IllegalArgumentException("refusalDirection.layer must be >= 0, got " + layer);
      }
    }
  }

  /** One feature of the global F*: scores, activation statistics, the tokens it fires on, its role and why. */
  @JsonPropertyOrder({"layer", "index", "role", "cosine", "attribution", "mean_act_harmful", "mean_act_harmless",
      "top_tokens", "evidence"})
  public record Feature(
      int layer,
      int index,
      FeatureRole role,
      double cosine,
      double attribution,
      @JsonProperty("mean_act_harmful") double meanActHarmful,
      @JsonProperty("mean_act_harmless") double meanActHarmless,
      @JsonProperty("top_tokens") List<TopToken> topTokens,
      RoleEvidence evidence) {
    public Feature {
      Objects.requireNonNull(role, "feature role");
      topTokens = topTokens == null ? List.of() : List.copyOf(topTokens);
    }
  }

  /** A token on which a feature fires strongly: the token text, the prompt and position, the activation. */
  @JsonPropertyOrder({"token", "promptId", "position", "activation"})
  public record TopToken(String token, String promptId, int position, double activation) {}

  /**
   * Why a feature got its role, measured on the harmful prompts' clean runs: mean activation over the request
   * (content) tokens, its peak there (mean over prompts of the largest activation on any request token), the
   * mean over the post-instruction tokens, the post-instruction share of (peak + post-instruction mean),
   * the mean activation at each post-instruction position, the mean post-instruction activation per harm
   * category, and the share of categories where it is active there.
   */
  @JsonPropertyOrder({"contentMean", "contentPeak", "postInstructionMean", "postInstructionShare", "postInstructionProfile",
      "categoryCoverage", "byCategory"})
  public record RoleEvidence(
      double contentMean,
      double contentPeak,
      double postInstructionMean,
      double postInstructionShare,
      double[] postInstructionProfile,
      double categoryCoverage,
      Map<String, Double> byCategory) {}

  /** A feature id with one score (cosine, attribution, activation difference ...). */
  @JsonPropertyOrder({"layer", "index", "score"})
  public record ScoredFeature(int layer, int index, double score) {}

  /**
   * One attribution prompt: its compliance token (not a refusal token) and refusal token of the metric
   * logit[jb] - logit[refusal], the metric before and after patching and its own top-K* features.
   */
  @JsonPropertyOrder({"promptId", "category", "jbToken", "refusalToken", "cleanMetric", "patchedMetric", "features"})
  public record PromptFeatures(
      String promptId, String category, String jbToken, String refusalToken, double cleanMetric, double patchedMetric,
      List<ScoredFeature> features) {}

  /** Sum of the attributions of a layer's features and its SAE error term (mean over prompts). */
  @JsonPropertyOrder({"layer", "features", "error"})
  public record LayerAttribution(int layer, double features, double error) {}

  /** Comparison feature sets and the direction-steering baseline, for the evaluation. */
  @JsonPropertyOrder({"activationSteering", "cosSim", "apOnly", "actDiff", "random"})
  public record Baselines(
      Steering activationSteering,
      List<ScoredFeature> cosSim,
      List<ScoredFeature> apOnly,
      List<ScoredFeature> actDiff,
      RandomFeatures random) {}

  /** Activation steering: ablating V*_R (layer, direction in {@code refusalDirection}) at every layer and position. */
  @JsonPropertyOrder({"kind", "layer", "norm", "layers", "positions"})
  public record Steering(String kind, int layer, double norm, String layers, String positions) {}

  /** Seeded random features of the SAE layers. */
  @JsonPropertyOrder({"seed", "features"})
  public record RandomFeatures(long seed, List<ScoredFeature> features) {}

  /**
   * Refusal scores of the attribution prompts (first-token log-odds of refusal tokens): unchanged, with V*_R
   * ablated, and with F* clamped (scale {@code clampScale}) at every position; null where not measured.
   */
  @JsonPropertyOrder({"prompts", "baseline", "directionAblated", "clampScale", "fStarClamped", "note"})
  public record Effects(int prompts, double baseline, double directionAblated, Double clampScale, Double fStarClamped, String note) {}

  /**
   * The settings of the run: the refusal token set R ({@code refusalTokens} as the tokenizer decodes each id of
   * {@code refusalTokenIds}; see {@link RefusalTokens}), the openers whose in-context first tokens are in R, and
   * {@code refusalToken}, R's most frequent first token of the harmful prompts.
   */
  @JsonPropertyOrder({"k0", "kStar", "steps", "n", "seed", "refusalToken", "refusalTokens", "refusalTokenIds",
      "refusalOpeners", "positions", "roleRule"})
  public record Settings(
      int k0, int kStar, int steps, int n, long seed, String refusalToken, List<String> refusalTokens,
      List<Integer> refusalTokenIds, List<String> refusalOpeners, DirectionPositions positions, String roleRule) {}

  /** Where the numbers come from: model, SAEs, data (each with a content hash), versions. */
  @JsonPropertyOrder({"model", "saes", "data", "tool", "java"})
  public record Provenance(Source model, List<Source> saes, Source data, String tool, String java) {
    public Provenance {
      saes = saes == null ? List.of() : List.copyOf(saes);
    }
  }

  /** A named input and the SHA-256 of its content. */
  @JsonPropertyOrder({"id", "sha256"})
  public record Source(String id, String sha256) {}

  /** The JSON text. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code file} atomically (temp file + rename). */
  public void write(Path file) {
    try {
      AtomicFiles.writeString(file, toJson() + "\n");
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(file + ": cannot write features file: " + e.getCause(), e);
    }
  }

  /** Reads a features file; errors name the file and the field. */
  public static FeaturesFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read features file: " + e, e);
    }
    try {
      JsonNode tree = JSON.readTree(text);
      if (tree == null || !tree.isObject()) {
        throw new IllegalArgumentException(file + ": not a features file (expected a JSON object)");
      }
      return JSON.treeToValue(migrate((ObjectNode) tree), FeaturesFile.class);
    } catch (JsonMappingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String msg = root instanceof IllegalArgumentException || root instanceof NullPointerException
          ? root.getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException(file + ": " + msg + where(e), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": bad JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** " at 'a.b[2].c'" for a mapping error's JSON path (empty when it has none). */
  private static String where(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(java.util.stream.Collectors.joining());
    return path.isEmpty() ? "" : " (at '" + (path.startsWith(".") ? path.substring(1) : path) + "')";
  }

  /**
   * Brings an older file's tree up to {@link #SCHEMA_VERSION} (a newer or unknown version is left for the
   * constructor to reject). 1 -> 2: the selection gets {@code fallback} (true where version 1 fell back when no
   * layer passed the filters, or a layer was forced) with its {@code reason}; the selection and each candidate get
   * {@code position} (-1 for the last token, null for the post-instruction mean).
   */
  static ObjectNode migrate(ObjectNode tree) {
    if (tree.path("schemaVersion").asInt(-1) != 1) {
      return tree;
    }
    JsonNode dirNode = tree.path("refusalDirection");
    if (dirNode instanceof ObjectNode dir) {
      boolean last = !"post-instruction".equals(dir.path("positions").asText("last"));
      JsonNode position = last ? com.fasterxml.jackson.databind.node.IntNode.valueOf(-1)
          : com.fasterxml.jackson.databind.node.NullNode.getInstance();
      if (dir.path("selection") instanceof ObjectNode sel) {
        if (!sel.has("position")) {
          sel.set("position", position);
        }
        String by = sel.path("selectedBy").asText("");
        boolean fellBack = by.contains("no candidate passed");
        boolean forced = by.equals("--layer");
        if (!sel.has("fallback")) {
          sel.put("fallback", fellBack || forced);
          if (fellBack) {
            sel.put("reason", "schema-1 file: " + by);
          } else if (forced) {
            sel.put("reason", "schema-1 file: layer " + dir.path("layer").asInt() + " forced by --layer");
          }
        }
        if (sel.path("candidates") instanceof com.fasterxml.jackson.databind.node.ArrayNode cs) {
          for (JsonNode c : cs) {
            if (c instanceof ObjectNode o && !o.has("position")) {
              o.set("position", position);
            }
          }
        }
      }
    }
    tree.put("schemaVersion", SCHEMA_VERSION);
    return tree;
  }

  /**
   * Checks that this file fits the model and SAEs it is used with, naming {@code file} in every error: each listed
   * feature (F*, per-prompt sets, F0, baselines) is in the SAE set, V*_R has the model's width, and the refusal
   * token ids are in the vocabulary.
   */
  public void requireCompatible(refusallens.core.sae.SaeSet saes, int dModel, int vocabSize, Path file) {
    if (refusalDirection.direction().length != dModel) {
      throw new IllegalArgumentException(file + ": refusalDirection.direction has " + refusalDirection.direction().length
          + " values but the model's width is " + dModel + " (a features file of another model?)");
    }
    java.util.Map<String, List<ScoredFeature>> lists = new java.util.LinkedHashMap<>();
    lists.put("features", features.stream().map(f -> new ScoredFeature(f.layer(), f.index(), f.attribution())).toList());
    for (PromptFeatures p : perPrompt) {
      lists.put("perPrompt[" + p.promptId() + "].features", p.features() == null ? List.of() : p.features());
    }
    lists.put("f0", f0);
    if (baselines != null) {
      lists.put("baselines.cosSim", baselines.cosSim() == null ? List.of() : baselines.cosSim());
      lists.put("baselines.apOnly", baselines.apOnly() == null ? List.of() : baselines.apOnly());
      lists.put("baselines.actDiff", baselines.actDiff() == null ? List.of() : baselines.actDiff());
      lists.put("baselines.random", baselines.random() == null || baselines.random().features() == null
          ? List.of() : baselines.random().features());
    }
    for (var e : lists.entrySet()) {
      for (ScoredFeature f : e.getValue()) {
        if (!saes.contains(f.layer()) || f.index() < 0 || f.index() >= saes.config(f.layer()).dSae()) {
          throw new IllegalArgumentException(file + ": feature (" + f.layer() + ", " + f.index() + ") in '" + e.getKey()
              + "' is not in the SAE set (SAE layers " + saes.layers() + ")");
        }
      }
    }
    if (settings != null && settings.refusalTokenIds() != null) {
      for (int id : settings.refusalTokenIds()) {
        if (id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException(file + ": settings.refusalTokenIds has " + id
              + ", outside the vocabulary of " + vocabSize + " (a features file of another model?)");
        }
      }
    }
  }

  /** The global F* features of one role. */
  public List<Feature> withRole(FeatureRole role) {
    return features.stream().filter(f -> f.role() == role).toList();
  }
}
