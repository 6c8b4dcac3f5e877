package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;
import refusallens.eval.EvalContext;
import refusallens.eval.suppression.SuppressionEvaluation;

/**
 * How {@code eval suppression} and {@code eval suffix} clamp FH and where they measure FR (a picocli mixin): one
 * definition of the two options, the evaluation they configure and how reports record them.
 */
final class FhClampOptions {
  @Option(names = "--scale", defaultValue = "-3", description = "c of the FH clamp (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(names = "--last", defaultValue = "5", description = "Last prompt positions FR is measured at (default ${DEFAULT-VALUE}).")
  int last;

  /** The suppression evaluation these options configure. */
  SuppressionEvaluation evaluation(EvalContext ctx) {
    return new SuppressionEvaluation(ctx, last, scale);
  }

  /** Records the options in a report root ({@code scale}, {@code last_positions}). */
  void describe(ObjectNode root) {
    root.put("scale", scale);
    root.put("last_positions", last);
  }
}
