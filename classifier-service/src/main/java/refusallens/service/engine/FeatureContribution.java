package refusallens.service.engine;

/**
 * One SAE feature's share in a probe score: its activation and its contribution (standardised activation
 * times the probe weight) to the probe's logit.
 */
public record FeatureContribution(int layer, int index, double activation, double contribution) {}
