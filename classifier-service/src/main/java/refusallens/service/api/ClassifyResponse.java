package refusallens.service.api;

import java.util.List;
import refusallens.service.engine.FeatureContribution;

/** The probe's verdict on one prompt. */
public record ClassifyResponse(
    String label,
    double score,
    double threshold,
    String probeId,
    List<FeatureContribution> topFeatures,
    int promptTokens,
    Timings timings) {

  /** Where the time went, in milliseconds; batch_size is how many prompts shared the forward pass. */
  public record Timings(double queueMs, double forwardMs, double totalMs, int batchSize) {}
}
