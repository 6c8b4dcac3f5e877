package refusallens.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up refuses configurations that would serve wrongly; the shipped one passes. */
class ConfigCheckTest {

  static final ConfigCheck.HttpCeilings SHIPPED = new ConfigCheck.HttpCeilings(65536, 65536, 16L << 20);

  static List<String> problems(ServiceConfig c) {
    return ConfigCheck.problems(c, SHIPPED, Map.of());
  }

  @Test
  void theShippedConfigurationPasses() {
    assertEquals(List.of(), problems(TestConfig.defaults()));
    assertEquals(List.of(), problems(TestConfig.defaults().withApiKey("s3cret")));
  }

  @Test
  void aBlankApiKeyRefusesToStart() {
    for (String blank : new String[] {"   ", "\t", " \n "}) {
      List<String> p = problems(TestConfig.defaults().withApiKey(blank));
      assertEquals(1, p.size(), p.toString());
      assertTrue(p.get(0).contains("refusallens.service.api-key (REFUSALLENS_SERVICE_API_KEY) is set but blank"), p.get(0));
    }
    // SmallRye reads an empty variable as unset: the environment is looked at directly
    List<String> empty = ConfigCheck.problems(TestConfig.defaults(), SHIPPED, Map.of("REFUSALLENS_SERVICE_API_KEY", ""));
    assertEquals(1, empty.size(), empty.toString());
    assertTrue(empty.get(0).contains("is set but blank"), empty.get(0));
    List<String> padded = problems(TestConfig.defaults().withApiKey(" key"));
    assertTrue(padded.get(0).contains("leading or trailing whitespace"), padded.toString());
  }

  @Test
  void aQueueSmallerThanTheLargestRequestRefusesToStart() {
    List<String> p = problems(TestConfig.defaults().withQueueSize(10));
    assertEquals(List.of(
        "refusallens.service.batching.queue-size (10) is smaller than refusallens.service.limits.max-batch-items (64):"
            + " a request that size could never be queued",
        "refusallens.service.batching.queue-size (10) is smaller than refusallens.service.limits.max-clamp-prompts (16):"
            + " a request that size could never be queued"), p);
    assertEquals(List.of(), problems(TestConfig.defaults().withQueueSize(64)));
  }

  @Test
  void vertxCeilingsMustSitAboveTheServiceLimits() {
    List<String> p = ConfigCheck.problems(TestConfig.defaults(), new ConfigCheck.HttpCeilings(4096, 20480, 10L << 20), Map.of());
    assertEquals(3, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("quarkus.http.limits.max-initial-line-length (4096) must exceed"), p.get(0));
    assertTrue(p.get(1).startsWith("quarkus.http.limits.max-header-size (20480) must exceed"), p.get(1));
    assertTrue(p.get(2).startsWith("quarkus.http.limits.max-body-size (10485760) must exceed"), p.get(2));
  }
}
