package refusallens.core.sae;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shape and weight statistics of one SAE (what can be said without running the model: L0 and
 * reconstruction error need activations).
 *
 * @param thresholds JumpReLU thresholds, after folding (null for other architectures)
 * @param decoderNorms L2 norms of the decoder rows
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "source", "layout", "architecture", "hookName", "layer", "dIn", "dSae"})
public record SaeStats(
    int schemaVersion,
    String source,
    String layout,
    String architecture,
    String hookName,
    int layer,
    int dIn,
    int dSae,
    Integer topK,
    boolean applyBDecToInput,
    double inputScale,
    long weightBytes,
    Summary thresholds,
    Summary decoderNorms) {

  /** Min, mean and max of a vector. */
  public record Summary(double min, double mean, double max) {
    static Summary of(INDArray v) {
      return new Summary(v.minNumber().doubleValue(), v.meanNumber().doubleValue(), v.maxNumber().doubleValue());
    }
  }

  /** The statistics of {@code sae}. */
  public static SaeStats of(Sae sae) {
    SaeConfig c = sae.config();
    Summary thresholds = sae instanceof JumpReluSae j ? Summary.of(j.threshold()) : null;
    return new SaeStats(
        1,
        c.source().toString(),
        c.layout().name(),
        c.architecture().key(),
        c.hookName(),
        c.layer(),
        c.dIn(),
        c.dSae(),
        c.topK().isPresent() ? c.topK().getAsInt() : null,
        c.applyBDecToInput(),
        c.inputScale(),
        c.weightBytes(),
        thresholds,
        Summary.of(sae.wDec().norm2(1)));
  }
}
