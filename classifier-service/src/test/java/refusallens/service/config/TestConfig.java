package refusallens.service.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A {@link ServiceConfig} built in code for unit tests: application.properties' values unless changed. */
public record TestConfig(Optional<String> apiKey, TestConfig.L limits, TestConfig.B batching) implements ServiceConfig {

  /** Request limits. */
  public record L(int maxPromptChars, int maxPromptTokens, int maxBatchItems, int maxClampPrompts, int maxNewTokens,
      int maxUriChars, int maxHeaderBytes, int maxBodyBytes) implements Limits {}

  /** Executor settings. */
  public record B(int queueSize, int maxBatch, Duration maxWait, int retryAfterSeconds) implements Batching {}

  /** The shipped defaults. */
  public static TestConfig defaults() {
    return new TestConfig(Optional.empty(), new L(8000, 512, 64, 16, 128, 4096, 20480, 10485760),
        new B(256, 8, Duration.ofMillis(2), 1));
  }

  public TestConfig withApiKey(String key) {
    return new TestConfig(Optional.of(key), limits, batching);
  }

  public TestConfig withQueueSize(int n) {
    return new TestConfig(apiKey, limits, new B(n, batching.maxBatch(), batching.maxWait(), batching.retryAfterSeconds()));
  }

  @Override
  public Optional<List<String>> judges() {
    return Optional.empty();
  }

  @Override
  public Artifacts artifacts() {
    return new Artifacts() {
      @Override
      public Optional<Path> model() {
        return Optional.empty();
      }

      @Override
      public Optional<Path> sae() {
        return Optional.empty();
      }

      @Override
      public Optional<Path> features() {
        return Optional.empty();
      }

      @Override
      public Optional<Path> probe() {
        return Optional.empty();
      }
    };
  }
}
