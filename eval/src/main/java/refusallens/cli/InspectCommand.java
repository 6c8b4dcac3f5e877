package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.core.model.arch.ModelConfig;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/** {@code refusal-lens inspect [--model DIR]}: architecture summary and the tokens of a prompt. */
@Command(
    name = "inspect",
    description = {
      "Print a checkpoint's architecture summary (config.json) and the token ids and pieces of a prompt.",
      "Works on a directory that holds only tokenizer files too."
    })
public final class InspectCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOption modelOption;

  @Option(names = "--prompt", paramLabel = "TEXT", description = "Text to tokenize.")
  String prompt;

  @Option(names = "--chat", description = "Render the prompt as one user turn through the chat template first.")
  boolean chat;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws IOException {
    Path modelDir = modelOption.existingDir();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (chat && prompt == null) {
      throw new IllegalArgumentException("--chat needs --prompt TEXT");
    }
    Map<String, Object> arch = architecture(modelDir);
    PrintWriter summary = jsonOption.json ? err : out;
    if (arch.isEmpty()) {
      summary.println("no config.json in " + modelDir + " (tokenizer only)");
    } else {
      summary.println("architecture");
      arch.forEach((k, v) -> summary.printf("  %-20s %s%n", k, v));
    }
    boolean hasTokenizer = Files.exists(modelDir.resolve("tokenizer.json"));
    if (!hasTokenizer) {
      if (prompt != null) {
        throw new IllegalArgumentException(modelDir + ": no tokenizer.json, cannot tokenize --prompt");
      }
      if (jsonOption.json) {
        CliJson.print(out, Map.of("architecture", arch));
      }
      out.flush();
      return 0;
    }
    Tokenizer tok = Tokenizer.load(modelDir);
    summary.printf("tokenizer%n  %-20s %d%n", "vocab_size", tok.vocabSize());
    summary.printf("  %-20s %s%n", "chat_template", tok.hasChatTemplate() ? "yes" : "no");
    if (prompt == null) {
      if (jsonOption.json) {
        CliJson.print(out, Map.of("architecture", arch));
      }
      summary.flush();
      out.flush();
      return 0;
    }
    String text;
    int[] ids;
    if (chat) {
      text = tok.chatTemplate().render(List.of(ChatMessage.user(prompt)), true);
      ids = tok.encode(text, false); // the template already holds BOS: no second one
    } else {
      text = prompt;
      ids = tok.encode(text, true);
    }
    List<String> pieces = tok.pieces(ids);
    if (jsonOption.json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("text", text);
      o.put("ids", ids);
      o.put("pieces", pieces);
      err.flush();
      CliJson.print(out, o);
    } else {
      out.println("text");
      out.println("  " + JSON.writeValueAsString(text));
      out.printf("tokens (%d)%n", ids.length);
      for (int i = 0; i < ids.length; i++) {
        out.printf("  %4d  %7d  %s%n", i, ids[i], JSON.writeValueAsString(pieces.get(i)));
      }
      out.println("ids");
      out.println("  " + JSON.writeValueAsString(ids));
    }
    out.flush();
    return 0;
  }

  /** The summary fields of config.json, read through the runtime's ModelConfig (empty when there is none). */
  static Map<String, Object> architecture(Path dir) {
    Map<String, Object> a = new LinkedHashMap<>();
    if (!Files.exists(dir.resolve("config.json"))) {
      return a;
    }
    ModelConfig c = ModelConfig.read(dir);
    a.put("model_type", c.architecture().modelType());
    a.put("layers", c.shape().numLayers());
    a.put("d_model", c.shape().dModel());
    a.put("heads", c.shape().numHeads());
    a.put("kv_heads", c.shape().numKvHeads());
    a.put("head_dim", c.shape().headDim());
    a.put("d_mlp", c.shape().dMlp());
    a.put("vocab", c.shape().vocabSize());
    a.put("dtype", c.shape().torchDtype());
    a.put("tie_word_embeddings", c.shape().tieWordEmbeddings());
    return a;
  }
}
