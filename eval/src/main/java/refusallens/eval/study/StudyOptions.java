package refusallens.eval.study;

import java.nio.file.Path;
import java.util.List;
import refusallens.core.model.weights.WeightStore;

/**
 * What one study runs on and how large it is.
 *
 * @param model HF checkpoint directory, or null for the embedded organism
 * @param saes SAE specs ({@code [LAYER=]DIR}); empty with the organism (its own SAEs)
 * @param data {@code builtin} or a dataset bundle directory ({@code datasets make} layout)
 * @param out output directory (every artefact, the step markers and the report)
 * @param seed seed of every random choice
 * @param quick small sizes everywhere (a smoke test)
 * @param commandLine the command line, for provenance
 * @param force use an {@code out} that holds files the study did not write (they are kept, never touched)
 * @param residency how the model's weights are held: resident float32, or streamed (mapped bf16 widened per layer
 *     at use: an 8B model in about a quarter of the memory, slower)
 * @param runVoidSteps compute the steps {@link RefusalCheck} voids even when the model does not refuse (by default
 *     they are skipped and the report says why)
 */
public record StudyOptions(
    Path model, List<String> saes, String data, Path out, long seed, boolean quick, String commandLine, boolean force,
    WeightStore.Residency residency, boolean runVoidSteps) {
  /** Options that skip the void steps of a model that does not refuse (the default). */
  public StudyOptions(
      Path model, List<String> saes, String data, Path out, long seed, boolean quick, String commandLine, boolean force,
      WeightStore.Residency residency) {
    this(model, saes, data, out, seed, quick, commandLine, force, residency, false);
  }

  /** Options without {@code force}: a non-empty {@code out} must be a study's. */
  public StudyOptions(Path model, List<String> saes, String data, Path out, long seed, boolean quick, String commandLine) {
    this(model, saes, data, out, seed, quick, commandLine, false);
  }

  /** Options with the weights resident as float32 (the default). */
  public StudyOptions(
      Path model, List<String> saes, String data, Path out, long seed, boolean quick, String commandLine, boolean force) {
    this(model, saes, data, out, seed, quick, commandLine, force, WeightStore.Residency.RESIDENT);
  }

  public StudyOptions {
    saes = saes == null ? List.of() : List.copyOf(saes);
    java.util.Objects.requireNonNull(residency, "residency");
    if (out == null) {
      throw new IllegalArgumentException("--out is required");
    }
    if (data == null || data.isBlank()) {
      throw new IllegalArgumentException("--data must be builtin or a dataset directory");
    }
    if (model != null && saes.isEmpty()) {
      throw new IllegalArgumentException("--sae is required with --model (the organism's SAEs fit only the organism)");
    }
    if (model == null && !saes.isEmpty()) {
      throw new IllegalArgumentException("--sae needs --model (the organism brings its own SAEs)");
    }
  }

  /** The sizes of this run. */
  public Sizes sizes() {
    return quick ? Sizes.QUICK : Sizes.DEFAULT;
  }

  /**
   * Sizes of every step.
   *
   * @param perLabel built-in prompts per label over all splits
   * @param instructions built-in plain instructions
   * @param oodPerAttack adversarial rows per attack extracted (at most)
   * @param k0 F0 features per SAE layer
   * @param kStar F* features
   * @param igSteps integrated-gradients steps
   * @param discoveryN prompts per label of feature discovery
   * @param clampN harmful (and harmless) prompts completed per clamping condition
   * @param maxNewTokens greedy tokens per completion
   * @param folds probe cross-validation folds
   * @param bootstrap bootstrap resamples of the probe AUROC CIs
   * @param batch prompts per forward pass
   */
  public record Sizes(
      int perLabel, int instructions, int oodPerAttack, int k0, int kStar, int igSteps, int discoveryN, int clampN,
      int maxNewTokens, int folds, int bootstrap, int batch) {
    /** {@code --quick}: under two minutes on two cores with the organism. */
    public static final Sizes QUICK = new Sizes(48, 0, 8, 4, 6, 3, 12, 6, 12, 3, 100, 8);
    /** The default: under ten minutes on two cores with the organism. */
    public static final Sizes DEFAULT = new Sizes(240, 50, 40, 10, 20, 8, 32, 24, 24, 5, 500, 8);
  }
}
