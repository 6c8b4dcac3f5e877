package refusallens.service.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Typed configuration of the classifier service (keys under {@code refusallens.service}). */
@ConfigMapping(prefix = "refusallens.service")
public interface ServiceConfig {

  /** Request limits; exceeding one answers 400 or 413 with a JSON error body. */
  Limits limits();

  /** The inference executor: queue bound and dynamic micro-batching of classify requests. */
  Batching batching();

  /**
   * When set, every /v1 request must carry {@code Authorization: Bearer <key>}. A blank key, or one with
   * leading or trailing whitespace, is refused at start-up ({@link ConfigCheck}).
   */
  Optional<String> apiKey();

  /**
   * Judges a clamp evaluation may name besides the standard refusal-phrase matcher (the default): {@code
   * PRESET=DIR} specs as {@code refusal-lens eval --judge} takes them (harmbench=DIR, llama-guard-3=DIR).
   */
  Optional<List<String>> judges();

  /** What to load at start-up; each absent path means the embedded default (the organism). */
  Artifacts artifacts();

  /** Request limits. */
  interface Limits {
    /** Longest prompt (characters, summed over all messages) before tokenizing: 413 above. */
    @WithDefault("8000")
    int maxPromptChars();

    /** Longest prompt in tokens after the chat template: 413 above. */
    @WithDefault("512")
    int maxPromptTokens();

    /** Most items in one /v1/classify/batch request: 413 above. */
    @WithDefault("64")
    int maxBatchItems();

    /** Most prompts in one /v1/evaluate/clamp request: 413 above. */
    @WithDefault("16")
    int maxClampPrompts();

    /** Largest max_new_tokens a request may ask for: 400 above. */
    @WithDefault("128")
    int maxNewTokens();

    /**
     * Longest request target (path and query) in characters: 414 with a JSON body above. Vert.x's own
     * {@code quarkus.http.limits.max-initial-line-length} must stay above it (application.properties sets
     * 65536): what Vert.x refuses itself it answers without a body.
     */
    @WithDefault("4096")
    int maxUriChars();

    /**
     * Largest request header section in bytes (names, values, ": " and CRLF): 431 with a JSON body above.
     * {@code quarkus.http.limits.max-header-size} must stay above it (application.properties sets 65536).
     */
    @WithDefault("20480")
    int maxHeaderBytes();

    /**
     * Largest request body in bytes, declared (Content-Length) or streamed (chunked): 413 with a JSON body above.
     * {@code quarkus.http.limits.max-body-size} must stay above it (application.properties sets 16M): Quarkus
     * answers its own limit with an empty 413.
     */
    @WithDefault("10485760")
    int maxBodyBytes();
  }

  /** Inference executor settings. */
  interface Batching {
    /**
     * Most queued prompts (classify items plus generation jobs) before 503 with Retry-After; at least
     * limits.max-batch-items and limits.max-clamp-prompts ({@link ConfigCheck}), so every allowed request fits.
     */
    @WithDefault("256")
    int queueSize();

    /**
     * Most prompts scored in one forward pass. 8 on the organism at 16 clients: 268-295 requests/s, p99 96-115
     * ms, against 245-289 and 113-136 ms with 16 (a full batch of 16 holds every waiting client for twice as long).
     */
    @WithDefault("8")
    int maxBatch();

    /** How long the first queued classify request waits for company before its batch runs. */
    @WithDefault("2ms")
    Duration maxWait();

    /** The Retry-After value (seconds) sent with 503 answers. */
    @WithDefault("1")
    int retryAfterSeconds();
  }

  /** Paths of the served artifacts. */
  interface Artifacts {
    /** HF checkpoint directory (config.json, *.safetensors, tokenizer.json). */
    Optional<Path> model();

    /** SAE directory (or a directory of per-layer SAE directories). */
    Optional<Path> sae();

    /** features.json written by feature discovery. */
    Optional<Path> features();

    /** probe.json written by {@code refusal-lens probes train}. */
    Optional<Path> probe();
  }
}
