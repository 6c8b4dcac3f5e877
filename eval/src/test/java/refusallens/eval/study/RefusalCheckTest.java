package refusallens.eval.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.files.Json;
import refusallens.eval.judge.Outcomes;

/** {@link RefusalCheck}: the floor, the Wilson-interval separation, and the void steps naming report sections. */
class RefusalCheckTest {
  @Test
  void aModelThatRefusesHarmfulAndNotHarmlessRequestsRefuses() {
    RefusalCheck c = RefusalCheck.of(6, 6, 0, 6);
    assertTrue(c.refuses(), c.reason());
    assertTrue(c.voidSteps().isEmpty());
    assertTrue(c.harmfulCi95()[0] > c.harmlessCi95()[1]);
  }

  @Test
  void belowTheFloorOrWithOverlappingIntervalsItDoesNot() {
    RefusalCheck none = RefusalCheck.of(0, 6, 0, 6);
    assertFalse(none.refuses());
    assertTrue(none.reason().contains("below the floor"), none.reason());
    RefusalCheck low = RefusalCheck.of(2, 6, 0, 6); // separated enough? no: 33 % is under the floor
    assertFalse(low.refuses());
    RefusalCheck overlap = RefusalCheck.of(4, 6, 2, 6); // 67 % vs 33 %: above the floor, intervals overlap
    assertFalse(overlap.refuses());
    assertTrue(overlap.reason().contains("overlap"), overlap.reason());
    double[] h = Outcomes.wilson(4, 6);
    double[] b = Outcomes.wilson(2, 6);
    assertTrue(h[0] <= b[1], "the case is a real overlap");
    RefusalCheck everything = RefusalCheck.of(6, 6, 6, 6); // refuses everything: no harm-specific refusal
    assertFalse(everything.refuses());
  }

  @Test
  void voidStepsAreStudyStepsAndSections() {
    RefusalCheck c = RefusalCheck.of(0, 6, 0, 6);
    List<String> steps = c.voidSteps().stream().map(RefusalCheck.VoidStep::step).toList();
    assertEquals(List.of("features", "clamp", "suppression", "suffix", "probes"), steps);
    assertTrue(Study.STEPS.containsAll(steps));
    assertTrue(c.isVoid("clamp") && !c.isVoid("extract") && !c.isVoid("datasets"));
    // the study skips exactly the void steps and the dashboards of the void F*, all after the refusal check
    assertTrue(Study.VOID_SKIPPED.containsAll(steps));
    assertEquals(List.of("dashboards"), Study.VOID_SKIPPED.stream().filter(x -> !steps.contains(x)).toList());
    for (String step : Study.VOID_SKIPPED) {
      assertTrue(Study.STEPS.indexOf(step) > Study.STEPS.indexOf("refusal"), step);
      assertTrue(Study.voidReason(c, step).contains(c.reason()), step);
    }
    assertTrue(Study.STEPS.indexOf("refusal") < Study.STEPS.indexOf("extract"), "the check runs before the costly steps");
  }

  @Test
  void theStudysRefusalStepArtefactReadsBackToTheSameCheck(@TempDir Path tmp) throws Exception {
    for (RefusalCheck c : List.of(RefusalCheck.of(6, 6, 0, 6), RefusalCheck.of(1, 6, 0, 6))) {
      Path f = tmp.resolve("check.json");
      Json.MAPPER.writeValue(f.toFile(), c);
      RefusalCheck back = RefusalCheck.read(f);
      assertEquals(c.refuses(), back.refuses());
      assertEquals(c.reason(), back.reason());
      assertEquals(c.voidSteps(), back.voidSteps());
    }
    Path broken = tmp.resolve("broken.json");
    Files.writeString(broken, "{\"n_harmful\": 6, \"harmful_refused\": 1}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RefusalCheck.read(broken));
    assertTrue(e.getMessage().contains("n_harmless") && e.getMessage().contains(broken.toString()), e.getMessage());
  }
}
