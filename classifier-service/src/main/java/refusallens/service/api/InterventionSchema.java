package refusallens.service.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The OpenAPI description of the intervention spec a request carries (read by {@code InterventionSpec.parse});
 * documentation only: the service passes the JSON through to that parser, which owns the format.
 */
@Schema(
    name = "Intervention",
    description = "Feature clamps: at each entry's SAE layer, scale (a_i -> scale * a_i) or set (a_i -> value) "
        + "the listed features' activations at the given positions.")
public record InterventionSchema(
    @Schema(required = true, description = "One entry per layer edit; a (layer, feature) pair appears once.")
        List<Entry> interventions) {

  /** One entry: exactly one of scale or value. */
  @Schema(name = "InterventionEntry")
  public record Entry(
      @Schema(required = true, minimum = "0", example = "2") int layer,
      @Schema(required = true, description = "SAE feature indices at this layer") List<Integer> features,
      @Schema(description = "a_i -> scale * a_i (give scale or value)", example = "-3.0") Double scale,
      @Schema(description = "a_i -> value (give scale or value)") Double value,
      @Schema(
              type = SchemaType.OBJECT,
              description = "\"all\" (default), \"prompt\", \"generated\", or {\"last\": k} (the last k prompt tokens)",
              oneOf = {PositionName.class, LastPositions.class})
          Object positions) {}

  /** Named position sets. */
  @Schema(name = "PositionName", enumeration = {"all", "prompt", "generated"}, type = SchemaType.STRING)
  public record PositionName() {}

  /** The last k prompt tokens. */
  @Schema(name = "LastPositions")
  public record LastPositions(@Schema(required = true, minimum = "1") int last) {}
}
