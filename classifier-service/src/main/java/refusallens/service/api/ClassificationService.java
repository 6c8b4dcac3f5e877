package refusallens.service.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import refusallens.service.engine.ClassificationEngine;
import refusallens.service.engine.ProbeInfo;
import refusallens.service.engine.TokenizedPrompt;
import refusallens.service.inference.EngineHolder;
import refusallens.service.inference.InferenceExecutor;
import refusallens.service.inference.ScoredPrompt;

/** Checks classify requests, queues them on the inference executor and shapes the answers. */
@ApplicationScoped
public class ClassificationService {

  static final int DEFAULT_TOP_FEATURES = 10;
  static final int MAX_TOP_FEATURES = 100;

  private final EngineHolder holder;
  private final PromptRules rules;
  private final InferenceExecutor executor;

  @Inject
  public ClassificationService(EngineHolder holder, PromptRules rules, InferenceExecutor executor) {
    this.holder = holder;
    this.rules = rules;
    this.executor = executor;
  }

  /** One prompt. */
  public CompletionStage<ClassifyResponse> classify(ClassifyRequest request) {
    if (request == null) {
      throw new InvalidRequestException("a JSON request body is required");
    }
    return classifyAll(List.of(request), false).thenApply(r -> r.get(0));
  }

  /** Up to limits.max-batch-items prompts, answered in order. */
  public CompletionStage<BatchClassifyResponse> classifyBatch(BatchClassifyRequest request) {
    if (request == null || request.items() == null) {
      throw new InvalidRequestException("\"items\" (a list of classify requests) is required");
    }
    if (request.items().isEmpty()) {
      throw new InvalidRequestException("\"items\" must not be empty");
    }
    int max = rules.limits().maxBatchItems();
    if (request.items().size() > max) {
      throw new PayloadTooLargeException(
          "\"items\" has " + request.items().size() + " entries; the limit is " + max);
    }
    return classifyAll(request.items(), true)
        .thenApply(results -> new BatchClassifyResponse(results.size(), results));
  }

  private CompletionStage<List<ClassifyResponse>> classifyAll(List<ClassifyRequest> items, boolean batch) {
    long t0 = System.nanoTime();
    ClassificationEngine engine = holder.require().classifier();
    ProbeInfo probe = engine.probe();
    List<TokenizedPrompt> prompts = new ArrayList<>(items.size());
    double[] thresholds = new double[items.size()];
    int top = 0;
    for (int i = 0; i < items.size(); i++) {
      ClassifyRequest item = items.get(i);
      String where = batch ? "items[" + i + "]: " : "";
      if (item == null) {
        throw new InvalidRequestException(
            batch ? where + "must be an object {prompt | messages}" : "a JSON request body is required");
      }
      prompts.add(rules.prompt(item.prompt(), item.messages(), where, engine));
      thresholds[i] = threshold(item.threshold(), probe, where);
      top = Math.max(top, topFeatures(item.topFeatures(), where));
    }
    List<CompletableFuture<ScoredPrompt>> futures = executor.classify(prompts, top);
    int[] tops = new int[items.size()];
    for (int i = 0; i < items.size(); i++) {
      Integer t = items.get(i).topFeatures();
      tops[i] = t == null ? DEFAULT_TOP_FEATURES : t;
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              double totalMs = (System.nanoTime() - t0) / 1e6;
              List<ClassifyResponse> out = new ArrayList<>(futures.size());
              for (int i = 0; i < futures.size(); i++) {
                ScoredPrompt s = futures.get(i).join();
                var c = s.classification();
                var feats = c.topFeatures().subList(0, Math.min(tops[i], c.topFeatures().size()));
                out.add(
                    new ClassifyResponse(
                        probe.label(c.score(), thresholds[i]),
                        c.score(),
                        thresholds[i],
                        probe.id(),
                        feats,
                        c.promptTokens(),
                        new ClassifyResponse.Timings(s.queueMs(), s.forwardMs(), totalMs, s.batchSize())));
              }
              return out;
            });
  }

  private static double threshold(Double requested, ProbeInfo probe, String where) {
    if (requested == null) {
      return probe.threshold();
    }
    if (!(requested >= 0.0 && requested <= 1.0)) {
      throw new InvalidRequestException(where + "\"threshold\" must be in [0, 1], got " + requested);
    }
    return requested;
  }

  private static int topFeatures(Integer requested, String where) {
    if (requested == null) {
      return DEFAULT_TOP_FEATURES;
    }
    if (requested < 0 || requested > MAX_TOP_FEATURES) {
      throw new InvalidRequestException(
          where + "\"top_features\" must be in [0, " + MAX_TOP_FEATURES + "], got " + requested);
    }
    return requested;
  }
}
