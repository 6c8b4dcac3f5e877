package refusallens.core.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** The special-token strings of tokenizer_config.json (each may be null when the file does not name it). */
public record SpecialTokens(String bos, String eos, String pad, String unk) {
  public static final SpecialTokens NONE = new SpecialTokens(null, null, null, null);

  /** The template variables transformers passes to chat templates ({@code bos_token} ...). */
  public Map<String, String> templateVariables() {
    Map<String, String> m = new LinkedHashMap<>();
    if (bos != null) {
      m.put("bos_token", bos);
    }
    if (eos != null) {
      m.put("eos_token", eos);
    }
    if (pad != null) {
      m.put("pad_token", pad);
    }
    if (unk != null) {
      m.put("unk_token", unk);
    }
    return m;
  }
}
