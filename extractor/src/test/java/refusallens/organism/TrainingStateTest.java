package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The training state carries the loss's running mean exactly (a resumed run's final_train_loss equals the
 * uninterrupted one's; the end-to-end check is OrganismTinyEndToEndIT), and a state without it is an error.
 */
class TrainingStateTest {
  @Test
  void runningMeanRoundTripsExactlyAndAnOldStateIsAnErrorNamingTheFile() {
    Path state = Path.of("out", "train-state", OrganismTrainer.STATE_FILE);
    double ema = 3.5358004899824063;
    assertEquals(ema, OrganismTrainer.lossEma(Map.of(OrganismTrainer.LOSS_EMA, Double.toString(ema)), state));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> OrganismTrainer.lossEma(Map.of("step", "28"), state));
    assertTrue(e.getMessage().startsWith(state + ": training state without 'train_loss_ema'"), e.getMessage());
  }
}
