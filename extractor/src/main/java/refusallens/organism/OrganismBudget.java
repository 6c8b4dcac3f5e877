package refusallens.organism;

import java.util.Locale;

/** How much the organism's training spends: model size, data, steps, SAE training. */
public enum OrganismBudget {
  /** A few-second model for CI: proves the pipeline end to end, not the behaviour. */
  TINY(new Spec(2, 32, 2, 1, 16, 64, 16, 384, 48, 24, 16, 0.1, 8, 48, 30, 3e-3, 8, 2_000, 100),
      new PublicData(new Spec(2, 32, 2, 1, 16, 64, 16, 512, 48, 24, 16, 0.1, 8, 64, 12, 3e-3, 8, 2_000, 60), 150, 1, 6, 2e-3, 10_000)),
  /**
   * Under 3 minutes on 2 cores (2 min 13 s measured idle: {@code timings.total_s} 133): the full pipeline at the
   * shipped shapes; after 120 steps the model refuses harmful requests but also most harmless ones.
   */
  SMALL(new Spec(4, 64, 4, 2, 16, 256, 32, 1024, 600, 200, 400, 0.1, 16, 56, 120, 6e-3, 16, 10_000, 300),
      new PublicData(new Spec(6, 64, 4, 2, 16, 256, 32, 4096, 600, 200, 400, 0.1, 16, 72, 60, 6e-3, 16, 10_000, 300),
          1500, 2, 25, 3e-3, 10_000)),
  /** The shipped organism. */
  FULL(new Spec(4, 64, 4, 2, 16, 256, 32, 1024, 5000, 1000, 3000, 0.1, 24, 56, 1200, 5e-3, 32, 30_000, 3000),
      new PublicData(new Spec(6, 64, 4, 2, 16, 256, 32, 4096, 5000, 1000, 3000, 0.1, 24, 80, 1200, 5e-3, 32, 30_000, 3000),
          8000, 6, 400, 2e-3, 6000));

  /**
   * The numbers of one budget.
   *
   * @param layers decoder layers
   * @param dModel residual width
   * @param heads query heads
   * @param kvHeads key/value heads (GQA)
   * @param headDim per-head width
   * @param dMlp MLP hidden width
   * @param slidingWindow window of the sliding (even) layers
   * @param vocabSize BPE vocabulary size
   * @param perLabel generator prompts per label over all splits
   * @param instructions plain instructions added to the harmless side
   * @param grammarPairs harmful/harmless pairs in frames of the frame grammar ({@code ChatCorpus.grammarFrames})
   * @param promptNoise share of the user turn's tokens replaced by random ones at each step
   * @param batchSize conversations per step
   * @param seqLen padded conversation length (longer ones are truncated)
   * @param steps Adam steps on the model
   * @param learningRate peak learning rate of the model
   * @param saeK TopK k of every SAE
   * @param saeTokens activations collected per layer
   * @param saeSteps Adam steps per SAE
   */
  public record Spec(
      int layers, int dModel, int heads, int kvHeads, int headDim, int dMlp, int slidingWindow, int vocabSize,
      int perLabel, int instructions, int grammarPairs, double promptNoise, int batchSize, int seqLen, int steps,
      double learningRate,
      int saeK, int saeTokens, int saeSteps) {}

  /**
   * Organism v2 ({@code organism train --data DIR}): its shape and stage-1 steps ({@code spec}; {@code perLabel}
   * equals the v1 budget's, so the generator splits are the same), public harmless prompts trained on, how often
   * each public harmful prompt is repeated (they are far fewer than the generator's), the stage-2 fine-tune, and
   * at most how many generator conversations are mixed in (a seeded sample: at {@code full} the whole generator
   * corpus is 21,000 conversations, two thirds of the data, and would again teach mostly the generator's language).
   */
  public record PublicData(Spec spec, int harmless, int harmfulRepeats, int stage2Steps, double stage2LearningRate,
      int generator) {}

  private final Spec spec;
  private final PublicData publicData;

  OrganismBudget(Spec spec, PublicData publicData) {
    this.spec = spec;
    this.publicData = publicData;
  }

  public Spec spec() {
    return spec;
  }

  /** The v2 recipe's sizes (training on public data). */
  public PublicData publicData() {
    return publicData;
  }

  /** Parses {@code tiny|small|full}. */
  public static OrganismBudget parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--budget must be tiny, small or full, got '" + s + "'");
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
