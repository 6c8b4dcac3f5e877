package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.HookName;

/** SAEs written in SAELens layout load back to the same SAE. */
class SaeLensWriterTest {
  @TempDir Path tmp;

  @Test
  void fixtureJumpReluAndFoldedLlamaScopeRoundTrip() {
    Sae fixture = Sae.load(SharedFixtures.arch("llama3").resolve("sae"), SaeLayout.GEMMA_SCOPE, OptionalInt.of(2));
    SaeLensWriter.write(tmp.resolve("j"), fixture);
    Sae back = Sae.load(tmp.resolve("j"));
    assertEquals(SaeLayout.SAE_LENS, back.config().layout());
    assertEquals(fixture.hook(), back.hook());
    assertEquals(fixture.wEnc(), back.wEnc());
    assertEquals(((JumpReluSae) fixture).threshold(), ((JumpReluSae) back).threshold());
    INDArray x = SmallSaes.gauss(new Random(1), 1, 5, 64);
    assertEquals(fixture.encode(x), back.encode(x));

    SmallSaes.Weights w = SmallSaes.Weights.random(8, 24, 2);
    Path llama =
        SmallSaes.llamaScope(tmp.resolve("llama"),
            "{\"d_model\": 8, \"d_sae\": 24, \"hook_point_in\": \"blocks.1.hook_resid_post\", \"act_fn\": \"topk\", \"top_k\": 4,"
                + " \"norm_activation\": \"dataset-wise\", \"dataset_average_activation_norm\": {\"in\": 3.0}}",
            w);
    Sae folded = Sae.load(llama);
    SaeLensWriter.write(tmp.resolve("t"), folded);
    Sae t = Sae.load(tmp.resolve("t"));
    assertEquals(1.0, t.config().inputScale());
    INDArray y = SmallSaes.gauss(new Random(3), 1, 5, 8);
    assertEquals(folded.encode(y), t.encode(y));
    assertEquals(folded.decode(folded.encode(y)), t.decode(t.encode(y)));
  }

  @Test
  void inconsistentWeightsAreRefusedBeforeWriting() {
    SmallSaes.Weights w = SmallSaes.Weights.random(8, 24, 4);
    assertThrows(SaeException.class,
        () -> SaeLensWriter.write(tmp, SaeArchitecture.JUMPRELU, HookName.residPost(1), false, OptionalInt.empty(),
            w.wEnc(), w.bEnc(), w.wDec(), w.bDec(), null));
    assertThrows(SaeException.class,
        () -> SaeLensWriter.write(tmp, SaeArchitecture.STANDARD, HookName.residPost(1), false, OptionalInt.empty(),
            w.wEnc(), w.bEnc(), w.wDec().transpose(), w.bDec(), null));
    assertEquals(java.util.List.of(), SaeLayout.present(tmp));
  }
}
