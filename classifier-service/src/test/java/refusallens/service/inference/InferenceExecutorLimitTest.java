package refusallens.service.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import refusallens.service.config.TestConfig;
import refusallens.service.engine.Engines;
import refusallens.service.engine.PromptInput;
import refusallens.service.engine.TokenizedPrompt;

/** A request larger than the whole queue is refused as too large (413), never as a full queue (503 forever). */
class InferenceExecutorLimitTest {

  @Test
  void aRequestLargerThanTheQueueIsTooLargeNotBusy() {
    InferenceExecutor executor = new InferenceExecutor(null, TestConfig.defaults().withQueueSize(4), new SimpleMeterRegistry());
    TokenizedPrompt p = new TokenizedPrompt(PromptInput.ofUser("hi"), new int[] {1, 2});
    LargerThanQueueException e =
        assertThrows(LargerThanQueueException.class, () -> executor.classify(Collections.nCopies(5, p), 0));
    assertTrue(e.getMessage().contains("the queue holds at most 4 (refusallens.service.batching.queue-size)"), e.getMessage());
    List<Function<Engines, Integer>> jobs = Collections.nCopies(5, x -> 1);
    assertThrows(LargerThanQueueException.class, () -> executor.submit(jobs));
  }
}
