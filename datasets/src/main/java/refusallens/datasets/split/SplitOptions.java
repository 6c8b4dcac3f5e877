package refusallens.datasets.split;

/**
 * How to split a prompt set.
 *
 * @param seed the shuffle within each stratum derives from it
 * @param valFraction share of each stratum in the validation split
 * @param testFraction share of each stratum in the test split
 */
public record SplitOptions(long seed, double valFraction, double testFraction) {
  public SplitOptions {
    if (valFraction < 0 || testFraction < 0 || valFraction + testFraction >= 1) {
      throw new IllegalArgumentException(
          "validation and test fractions must be >= 0 with a sum below 1, got "
              + valFraction + " and " + testFraction);
    }
  }
}
