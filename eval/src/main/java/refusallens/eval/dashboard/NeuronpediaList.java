package refusallens.eval.dashboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import refusallens.refusal.FeaturesFile;

/**
 * A feature list in Neuronpedia's list format: {@code features} is the array its quick-list takes
 * ({@code modelId}, {@code layer} as "LAYER-SAESETID", {@code index} as a string), with each feature's page link
 * and the quick-list link that opens them all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "features", "links", "quick_list_url"})
public record NeuronpediaList(
    String name, List<Entry> features, List<Link> links, @JsonProperty("quick_list_url") String quickListUrl) {
  static final String SITE = "https://www.neuronpedia.org";

  /** One feature as Neuronpedia's quick-list reads it. */
  @JsonPropertyOrder({"modelId", "layer", "index"})
  public record Entry(String modelId, String layer, String index) {}

  /** A feature's role and attribution beside its Neuronpedia page. */
  @JsonPropertyOrder({"layer", "index", "role", "attribution", "url"})
  public record Link(int layer, int index, String role, double attribution, String url) {}

  /** The F* features of {@code f} on the Neuronpedia model {@code modelId} and SAE set {@code saeSetId}. */
  public static NeuronpediaList of(String name, FeaturesFile f, String modelId, String saeSetId) {
    if (modelId == null || modelId.isBlank() || saeSetId == null || saeSetId.isBlank()) {
      throw new IllegalArgumentException("--model-id and --sae-set are required (e.g. gemma-2-2b and gemmascope-res-16k)");
    }
    List<Entry> entries = f.features().stream()
        .map(x -> new Entry(modelId, x.layer() + "-" + saeSetId, String.valueOf(x.index()))).toList();
    List<Link> links = f.features().stream()
        .map(x -> new Link(x.layer(), x.index(), x.role().wireName(), x.attribution(),
            SITE + "/" + modelId + "/" + x.layer() + "-" + saeSetId + "/" + x.index())).toList();
    String json;
    try {
      json = new ObjectMapper().writeValueAsString(entries);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing the quick-list features", e);
    }
    String url = SITE + "/quick-list/?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
        + "&features=" + URLEncoder.encode(json, StandardCharsets.UTF_8).replace("+", "%20");
    return new NeuronpediaList(name, entries, links, url);
  }
}
