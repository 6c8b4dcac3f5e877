package refusallens.datasets.generate;

/**
 * Options of the built-in generator.
 *
 * @param seed every random choice derives from it
 * @param perLabel harmful prompts to make over all splits (the same number of harmless ones)
 * @param valFraction share of {@code perLabel} in the validation split
 * @param testFraction share of {@code perLabel} in the test split
 * @param instructions plain harmless instructions to make for coherence tests
 */
public record GeneratorOptions(
    long seed, int perLabel, double valFraction, double testFraction, int instructions) {
  public GeneratorOptions {
    if (perLabel < 3 * HarmCategory.values().length) {
      throw new IllegalArgumentException(
          "--n must be at least " + 3 * HarmCategory.values().length + " (one prompt per category and split)");
    }
    if (!(valFraction > 0) || !(testFraction > 0) || valFraction + testFraction >= 1) {
      throw new IllegalArgumentException(
          "validation and test fractions must be > 0 with a sum below 1, got "
              + valFraction + " and " + testFraction);
    }
    if (instructions < 0) {
      throw new IllegalArgumentException("instructions must be >= 0");
    }
  }

  /** The defaults of {@code datasets make}: 2000 prompts per label, 70/15/15, 500 instructions. */
  public static GeneratorOptions defaults(long seed) {
    return new GeneratorOptions(seed, 2000, 0.15, 0.15, 500);
  }
}
