package refusallens.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.Identity;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ViewResolver;
import refusallens.refusal.FeaturesFile;

class ProbeFileTest {
  @Test
  void savedProbeScoresLikeTheTrainedOneAndRefusesAnotherModel(@TempDir Path tmp) throws Exception {
    ActivationStore store = ActivationStore.open(SyntheticStore.write(tmp.resolve("a"), SyntheticStore.MODEL, 1));
    ViewResolver res = new ViewResolver(store, FeaturesFile.read(store.dir().resolve("features.json")), 1);
    DataSplit split = DataSplit.of(store.rows(), DataSplit.Fractions.defaults(), 1);
    var r = ProbeExperiment.run(store, res, "fh+fr", split, ProbeTrainer.Options.defaults(ProbeKind.LOGISTIC, 1), 100);
    Probe p = r.probe();
    assertTrue(p.metrics().get(ProbeExperiment.ID).auroc() > 0.95, "ID AUROC " + p.metrics().get("id").auroc());
    assertTrue(p.metrics().containsKey("suffix") && p.metrics().containsKey("suffix:jailbroken") && p.metrics().containsKey("roleplay"));
    assertEquals(6, p.metrics().get("suffix:jailbroken").positives()); // i % 5 == 0 of 30
    assertTrue(p.lambda() != null && p.view().sae() != null);

    Path file = tmp.resolve("probe.json");
    p.save(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"schemaVersion\" : 1") && json.contains("\"weights\"") && json.contains("\"threshold\""));
    Probe back = Probe.load(file);
    double[][] x = back.view().matrix(store, split.test(), file.toString());
    for (int i = 0; i < x.length; i++) {
      int row = split.test()[i];
      double expected = r.sets().get(ProbeExperiment.ID).logits()[i];
      assertEquals(expected, back.logit(x[i]), 1e-12, "row " + row);
      assertEquals(1 / (1 + Math.exp(-expected)), back.score(x[i]), 1e-12);
    }
    Map<String, BinaryMetrics> again = ProbeExperiment.evaluate(back, file.toString(), store, split, 100, 1);
    assertEquals(p.metrics().get("id").auroc(), again.get("id").auroc(), 1e-12);

    ActivationStore other = ActivationStore.open(SyntheticStore.write(tmp.resolve("b"), new Identity("other-model", "ffff0000ffff"), 1));
    var e = assertThrows(ProbeMismatchException.class, () -> back.view().matrix(other, new int[] {0}, file.toString()));
    assertTrue(e.getMessage().contains("trained on model toy-model") && e.getMessage().contains("other-model"), e.getMessage());
    var e2 = assertThrows(ProbeMismatchException.class,
        () -> back.view().checkCompatible(SyntheticStore.MODEL, new Identity("sae-x", "0123456789abcdef"), "here"));
    assertTrue(e2.getMessage().contains("SAE features of toy-sae"), e2.getMessage());
  }

  @Test
  void malformedProbeFileIsAClearError(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("bad.json");
    Files.writeString(f, "{\"schemaVersion\": 9, \"kind\": \"probe\"}");
    var e = assertThrows(IllegalArgumentException.class, () -> Probe.load(f));
    assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("schemaVersion 9"), e.getMessage());
  }
}
