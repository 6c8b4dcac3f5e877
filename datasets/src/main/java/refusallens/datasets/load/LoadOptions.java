package refusallens.datasets.load;

import java.util.Set;
import refusallens.datasets.Label;

/**
 * How to read a dataset file. Null fields mean "the format's default".
 *
 * @param textColumn column/field holding the prompt text (generic formats: default {@code text})
 * @param labelColumn column/field holding the label (generic formats); exclusive with {@code label}
 * @param label a fixed label for every row; overrides what a format infers from the file name
 * @param categoryColumn column/field holding the category (generic formats: {@code category} if present)
 * @param skipBadRows skip malformed records with a counted warning instead of failing
 * @param harmbenchFunctionalCategories HarmBench FunctionalCategory values to keep ({@code standard},
 *     {@code contextual}, {@code copyright})
 * @param source the {@code source} recorded on every prompt; null = derived from format and file
 */
public record LoadOptions(
    String textColumn,
    String labelColumn,
    Label label,
    String categoryColumn,
    boolean skipBadRows,
    Set<String> harmbenchFunctionalCategories,
    String source) {

  /** HarmBench functional categories there are. */
  public static final Set<String> HARMBENCH_FUNCTIONAL = Set.of("standard", "contextual", "copyright");

  public LoadOptions {
    if (labelColumn != null && label != null) {
      throw new IllegalArgumentException("give a label column or a fixed label, not both");
    }
    harmbenchFunctionalCategories =
        harmbenchFunctionalCategories == null || harmbenchFunctionalCategories.isEmpty()
            ? Set.of("standard")
            : Set.copyOf(harmbenchFunctionalCategories);
    for (String c : harmbenchFunctionalCategories) {
      if (!HARMBENCH_FUNCTIONAL.contains(c)) {
        throw new IllegalArgumentException(
            "HarmBench functional category '" + c + "' is not one of " + HARMBENCH_FUNCTIONAL);
      }
    }
  }

  /** Format defaults, failing on the first bad row. */
  public static LoadOptions defaults() {
    return new LoadOptions(null, null, null, null, false, null, null);
  }

  /** These options with {@code skipBadRows} set. */
  public LoadOptions skippingBadRows() {
    return new LoadOptions(
        textColumn, labelColumn, label, categoryColumn, true, harmbenchFunctionalCategories, source);
  }

  /** These options with a fixed label. */
  public LoadOptions withLabel(Label fixed) {
    return new LoadOptions(
        textColumn, null, fixed, categoryColumn, skipBadRows, harmbenchFunctionalCategories, source);
  }
}
