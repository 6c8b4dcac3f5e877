package refusallens.eval;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.eval.report.EvalReport;
import refusallens.lens.Lens;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * What every {@code eval} command works on: the model, its tokenizer and SAEs (one {@link Lens}), the features file, the judge,
 * generation settings and where progress goes.
 */
public record EvalContext(
    Lens lens, FeaturesFile features, Judge judge, int maxNewTokens,
    int batchSize, long seed, Progress progress, EvalReport.RunProvenance provenance) {
  public EvalContext {
    if (maxNewTokens <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException("--max-new-tokens and --batch-size must be positive");
    }
  }

  public Transformer model() {
    return lens.model();
  }

  public Tokenizer tokenizer() {
    return lens.tokenizer();
  }

  public SaeSet saes() {
    return lens.saes();
  }

  /** The greedy generate-and-judge loop with this context's settings. */
  public RefusalEvaluation generator() {
    return new RefusalEvaluation(model(), tokenizer(), judge, maxNewTokens, batchSize);
  }

  /** Hooks of an intervention on this context's SAEs. */
  public Hooks<INDArray> hooks(InterventionSpec spec) {
    return lens.hooks(spec);
  }

  /** The model folder named in the provenance. */
  public Path modelDir() {
    return Path.of(provenance.model());
  }

  /** The SAE folders named in the provenance. */
  public List<String> saeDirs() {
    return provenance.saes();
  }
}
