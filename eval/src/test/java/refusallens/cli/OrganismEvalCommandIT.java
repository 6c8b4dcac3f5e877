package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.organism.OrganismEvaluator;
import refusallens.organism.Organism;

/**
 * The same eval commands and consistency checks as {@link EvalCommandIT}, on the embedded organism with its
 * shipped SAEs and shipped {@code features.json} (as found by {@code features find}, roles untouched): every
 * command runs on the product's default model on a small sample.
 */
class OrganismEvalCommandIT extends EvalCommandIT {
  @BeforeAll
  @Override
  void modelAndFeatures() {
    model = Organism.defaultModelDir();
    sae = Organism.defaultSaeDir();
    features = Organism.defaultFeaturesFile();
    assertTrue(Files.isRegularFile(features), "the organism ships features.json");
  }

  /** The organism's held-out prompts: its own test split. */
  @Override
  protected List<Prompt> heldOutHarmful(int n) {
    return OrganismEvaluator.testPrompts(model, Label.HARMFUL, n);
  }
}
