package refusallens.core.sae;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The on-disk layouts of SAE directories that can be loaded, each with its loader. */
public enum SaeLayout {
  /** SAELens: {@code cfg.json} + {@code sae_weights.safetensors}. */
  SAE_LENS("cfg.json + sae_weights.safetensors"),
  /** GemmaScope: {@code params.npz} (W_enc, W_dec, b_enc, b_dec, threshold). */
  GEMMA_SCOPE("params.npz"),
  /** LlamaScope: {@code hyperparams.json} + {@code checkpoints/final.safetensors}. */
  LLAMA_SCOPE("hyperparams.json + checkpoints/final.safetensors");

  private final String files;

  SaeLayout(String files) {
    this.files = files;
  }

  /** The files that make a directory this layout. */
  public String files() {
    return files;
  }

  /** Whether {@code dir} holds this layout's files. */
  public boolean matches(Path dir) {
    return requiredFiles().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  /** The files (relative paths) that make a directory this layout. */
  List<String> requiredFiles() {
    return switch (this) {
      case SAE_LENS -> List.of(SaeLensLoader.CONFIG, SaeLensLoader.WEIGHTS);
      case GEMMA_SCOPE -> List.of(GemmaScopeLoader.PARAMS);
      case LLAMA_SCOPE -> List.of(LlamaScopeLoader.CONFIG, LlamaScopeLoader.WEIGHTS);
    };
  }

  /**
   * What {@code dir} lacks when it holds some but not all of a layout's files (a half-copied SAE), e.g.
   * {@code "sae_weights.safetensors but no cfg.json (SAE_LENS)"}; empty when it holds a complete SAE or none.
   */
  public static Optional<String> incomplete(Path dir) {
    if (!present(dir).isEmpty()) {
      return Optional.empty();
    }
    for (SaeLayout l : values()) {
      List<String> have = new ArrayList<>();
      List<String> lack = new ArrayList<>();
      for (String f : l.requiredFiles()) {
        (Files.isRegularFile(dir.resolve(f)) ? have : lack).add(f);
      }
      if (!have.isEmpty() && !lack.isEmpty()) {
        return Optional.of(String.join(" + ", have) + " but no " + String.join(" + ", lack) + " (" + l.name() + ")");
      }
    }
    return Optional.empty();
  }

  /** Every layout present in {@code dir}, in order of preference (SAELens, GemmaScope, LlamaScope). */
  public static List<SaeLayout> present(Path dir) {
    List<SaeLayout> out = new ArrayList<>();
    for (SaeLayout l : values()) {
      if (l.matches(dir)) {
        out.add(l);
      }
    }
    return out;
  }

  /** The preferred layout in {@code dir}; a clear error listing the expected files if there is none. */
  public static SaeLayout detect(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new SaeException(dir + ": not a directory (expected an SAE directory)");
    }
    List<SaeLayout> found = present(dir);
    if (found.isEmpty()) {
      throw new SaeException(dir + ": no SAE found; expected one of: " + expectedFiles());
    }
    return found.get(0);
  }

  /** The expected files of every layout, for messages. */
  public static String expectedFiles() {
    StringBuilder b = new StringBuilder();
    for (SaeLayout l : values()) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(l.files).append(" (").append(l.name()).append(')');
    }
    return b.toString();
  }

  /** This layout's loader. */
  SaeLoader loader() {
    return switch (this) {
      case SAE_LENS -> new SaeLensLoader();
      case GEMMA_SCOPE -> new GemmaScopeLoader();
      case LLAMA_SCOPE -> new LlamaScopeLoader();
    };
  }
}
