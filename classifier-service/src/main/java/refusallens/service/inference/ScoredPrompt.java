package refusallens.service.inference;

import refusallens.service.engine.Classification;

/** One classification with where its time went: waiting in the queue, and the batch's forward pass. */
public record ScoredPrompt(Classification classification, double queueMs, double forwardMs, int batchSize) {}
