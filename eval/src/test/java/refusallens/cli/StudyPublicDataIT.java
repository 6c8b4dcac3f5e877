package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.bundle.BundleManifest;
import refusallens.datasets.bundle.DatasetBundle;

/**
 * {@code study --data DIR} on the public sets in their upstream layout: the bundle is real prompts, and the probes'
 * OOD sets include the real JailbreakBench attacks (PAIR, GCG, JBC against JBB benign) beside the generated ones.
 */
class StudyPublicDataIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void studyOnPublicDataReportsTheRealJailbreakArtifactsAsOodSets(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("study");
    // On 6 + 6 public test prompts the shipped (v1) organism's refusal is not clearly above its harmless refusal
    // (its intervals overlap), so the study would skip the probes as void; this test is about the OOD wiring.
    CliRun run = CliRun.of("study", "--quick", "--data", EvalRefusalCommandIT.data().toString(), "--out", out.toString(),
        "--run-void-steps", "--json");
    assertEquals(0, run.code(), run.err());
    BundleManifest m = DatasetBundle.readManifest(out.resolve("bundle").resolve(DatasetBundle.MANIFEST_FILE));
    assertEquals("public", m.generator());
    Set<String> sources = new HashSet<>();
    for (Label l : Label.values()) {
      for (Prompt p : PromptJsonl.read(out.resolve("bundle").resolve(DatasetBundle.fileName(l, refusallens.datasets.split.Split.TEST)))) {
        sources.add(p.source());
      }
    }
    assertEquals(Set.of("harmful_test", "harmless_test"), sources);
    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    assertEquals("computed", report.get("sections").get("datasets").get("status").asText());
    String probes = report.get("sections").get("probes").toString();
    for (String real : new String[] {"jbb_pair", "jbb_gcg", "jbb_jbc"}) {
      assertTrue(probes.contains(real), real + " missing from the probes section: " + probes);
    }
  }
}
