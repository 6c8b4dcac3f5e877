package refusallens.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.judge.Judge;
import refusallens.eval.judge.Verdict;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.intervention.InterventionSpec;
import refusallens.service.engine.Engines;
import refusallens.service.engine.InvalidInterventionException;
import refusallens.service.engine.Generation;
import refusallens.service.engine.GenerationEngine;
import refusallens.service.engine.TokenizedPrompt;
import refusallens.service.inference.EngineHolder;
import refusallens.service.inference.InferenceExecutor;

/** Clamped generation and the clamping evaluation, queued on the inference executor. */
@ApplicationScoped
public class GenerationService {

  static final int DEFAULT_NEW_TOKENS = 64;
  static final int DEFAULT_EVAL_NEW_TOKENS = 32;

  private final EngineHolder holder;
  private final PromptRules rules;
  private final InferenceExecutor executor;
  private final Judges judges;

  @Inject
  public GenerationService(
      EngineHolder holder, PromptRules rules, InferenceExecutor executor, Judges judges) {
    this.holder = holder;
    this.rules = rules;
    this.executor = executor;
    this.judges = judges;
  }

  /** POST /v1/generate. */
  public CompletionStage<GenerateResponse> generate(GenerateRequest request) {
    long t0 = System.nanoTime();
    if (request == null) {
      throw new InvalidRequestException("a JSON request body is required");
    }
    Engines engines = holder.require();
    TokenizedPrompt prompt = rules.prompt(request.prompt(), request.messages(), "", engines.classifier());
    int maxNew = rules.maxNewTokens(request.maxNewTokens(), DEFAULT_NEW_TOKENS);
    Optional<JsonNode> intervention = intervention(request.intervention(), engines.generator(), false);
    Judge judge = judges.standard();
    Function<Engines, Generation> job = e -> e.generator().generate(prompt, maxNew, intervention);
    return executor.submit(List.of(job)).get(0)
        .thenApply(
            g -> {
              Verdict v = judge.judge(prompt.input().lastUserText(), g.text());
              return new GenerateResponse(
                  g.text(),
                  v.refused(),
                  v.outcome(),
                  judge.name(),
                  v.reason(),
                  g.promptTokens(),
                  g.newTokens(),
                  intervention.orElse(null),
                  (System.nanoTime() - t0) / 1e6);
            });
  }

  /** POST /v1/evaluate/clamp. */
  public CompletionStage<ClampEvaluationResponse> evaluateClamp(ClampEvaluationRequest request) {
    if (request == null) {
      throw new InvalidRequestException("a JSON request body is required");
    }
    Engines engines = holder.require();
    if (request.prompts() == null || request.prompts().isEmpty()) {
      throw new InvalidRequestException("\"prompts\" (a non-empty list of strings) is required");
    }
    int max = rules.limits().maxClampPrompts();
    if (request.prompts().size() > max) {
      throw new PayloadTooLargeException(
          "\"prompts\" has " + request.prompts().size() + " entries; the limit is " + max);
    }
    ClampMetric metric = ClampMetric.parse(request.metric());
    Judge judge = judges.named(request.judge());
    int maxNew = rules.maxNewTokens(request.maxNewTokens(), DEFAULT_EVAL_NEW_TOKENS);
    Optional<JsonNode> intervention = intervention(request.intervention(), engines.generator(), true);
    JsonNode spec = intervention.orElseThrow();
    List<Function<Engines, ClampEvaluation.Comparison>> jobs = new ArrayList<>();
    for (int i = 0; i < request.prompts().size(); i++) {
      String p = request.prompts().get(i);
      if (p == null) {
        throw new InvalidRequestException("prompts[" + i + "] must be a non-empty string");
      }
      String where = "prompts[" + i + "]";
      rules.prompt(p, null, where + ": ", engines.classifier()); // limits
      Prompt prompt = Prompt.of(where, p, metric.promptLabel(), null, "classifier-service request");
      // one job per prompt, so that classify requests interleave with a long evaluation
      jobs.add(e -> e.generator().compareClamp(List.of(prompt), spec, judge, maxNew));
    }
    List<CompletableFuture<ClampEvaluation.Comparison>> futures = executor.submit(jobs);
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              ClampEvaluation.Comparison all =
                  ClampEvaluation.Comparison.concat(futures.stream().map(CompletableFuture::join).toList());
              List<ClampEvaluationResponse.Item> items = new ArrayList<>();
              for (int i = 0; i < all.base().size(); i++) {
                RefusalEvaluation.Judged base = all.base().get(i);
                RefusalEvaluation.Judged clamped = all.clamped().get(i);
                items.add(new ClampEvaluationResponse.Item(base.prompt().userText(), base.completion(),
                    base.verdict().refused(), base.verdict().outcome(), clamped.completion(),
                    clamped.verdict().refused(), clamped.verdict().outcome()));
              }
              double clampedScore = metric.score(all.clamped());
              return new ClampEvaluationResponse(
                  metric.wireName(),
                  metric == ClampMetric.JAILBREAK ? clampedScore : null,
                  metric == ClampMetric.REFUSAL ? clampedScore : null,
                  metric.score(all.base()),
                  judge.name(),
                  items.size(),
                  RefusalEvaluation.outcomes(all.clamped()),
                  RefusalEvaluation.outcomes(all.base()),
                  spec,
                  items);
            });
  }

  private static Optional<JsonNode> intervention(JsonNode spec, GenerationEngine engine, boolean required) {
    if (spec == null || spec.isNull()) {
      if (required) {
        throw new InvalidRequestException("\"intervention\" (an intervention spec object) is required");
      }
      return Optional.empty();
    }
    if (!spec.isObject()) {
      throw new InvalidRequestException("\"intervention\" must be a JSON object (an intervention spec)");
    }
    try {
      // the format, types and float32 bounds of every field, whatever model is loaded
      InterventionSpec.parse(spec.toString(), "intervention");
    } catch (IllegalArgumentException e) {
      throw new InvalidInterventionException(e.getMessage());
    }
    engine.checkIntervention(spec);
    return Optional.of(spec);
  }
}
