package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.InterventionSpec;
import refusallens.lens.Lens;
import refusallens.lens.LensOptions;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.LogitScope;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.ResidGradients;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code refusal-lens run-with-cache}: one forward pass whose logits, every layer's resid_post and
 * optionally d log p(target) / d resid_post go to a float32 safetensors file (TransformerLens
 * {@code run_with_cache}).
 */
@Command(
    name = "run-with-cache",
    description = {
      "Run one prompt and write input_ids [seq], logits [seq, vocab], resid_post [layers, seq, d] and, with",
      "--grad-target, grad_resid_post [layers, seq, d] of log_softmax(logits[-1])[TOKEN_ID] to a safetensors file.",
      "Each --sae is spliced at its layer's resid_post and adds sae_acts.L{layer} [seq, m] and sae_recon.L{layer}",
      "[seq, d] of the SAE's input."
    })
public final class RunWithCacheCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOption modelOption;

  @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  /** Exactly one of the prompt sources. */
  static final class Input {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (tokenized with BOS).")
    String prompt;

    @Option(names = "--ids", paramLabel = "1,2,3", split = ",", description = "Token ids, comma-separated.")
    int[] ids;
  }

  @Option(names = "--chat", description = "Render --prompt as one user turn through the chat template.")
  boolean chat;

  @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Output file.")
  Path out;

  @Option(names = "--grad-target", paramLabel = "TOKEN_ID", description = "Also write grad_resid_post of this token's log-prob at the last position.")
  Integer gradTarget;

  @CommandLine.Mixin SaeOption saeOption;

  @Option(names = "--intervention", paramLabel = "FILE.json",
      description = "Intervention applied during the pass (needs --sae): logits and resid_post are those of the edited run.")
  Path intervention;

  @CommandLine.Mixin StreamedOption streamedOption;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    Path modelDir = modelOption.existingDir();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (chat && input.prompt == null) {
      throw new IllegalArgumentException("--chat needs --prompt TEXT");
    }
    Lens lens = Lens.open(modelDir, LensOptions.defaults()
        .withResidency(streamedOption.residency()));
    int[] ids = input.ids != null ? input.ids : tokenize(lens, input.prompt, chat);
    if (ids.length == 0) {
      throw new IllegalArgumentException("--ids: expected at least one token id");
    }
    Transformer model = lens.model();
    int vocab = model.config().shape().vocabSize();
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
      }
    }
    if (gradTarget != null && (gradTarget < 0 || gradTarget >= vocab)) {
      throw new IllegalArgumentException("--grad-target " + gradTarget + ": expected a token id in [0, " + vocab + ")");
    }
    int layers = model.config().shape().numLayers();
    int seq = ids.length;
    int d = model.config().shape().dModel();
    Set<HookName> names = new TreeSet<>();
    for (int l = 0; l < layers; l++) {
      names.add(HookName.residPost(l));
    }
    TokenBatch batch = TokenBatch.of(ids);
    if (intervention != null && gradTarget != null) {
      throw new IllegalArgumentException("--grad-target with --intervention is not supported (gradients run unedited)");
    }
    if (intervention != null && saeOption.sae.isEmpty()) {
      throw new IllegalArgumentException("--intervention " + intervention + " needs --sae (the SAEs whose features it edits)");
    }
    SaeSet saes = saeOption.sae.isEmpty() ? null : (lens = lens.withSaes(saeOption.sae)).saes();
    // Observers first, so each SAE sees its layer's input before any edit at that layer.
    Map<Integer, INDArray> saeInputs = new java.util.TreeMap<>();
    Hooks<INDArray> hooks = Hooks.none();
    if (saes != null) {
      for (int layer : saes.layers()) {
        hooks = hooks.with(HookName.residPost(layer), (x, n, ctx) -> {
          saeInputs.put(n.layer(), x.reshape(seq, d).dup());
          return null;
        });
      }
    }
    if (intervention != null) {
      hooks = hooks.with(InterventionHooks.of(InterventionSpec.read(intervention), saes));
    }
    ForwardResult r = model.forward(batch, new ForwardRequest(names, hooks, LogitScope.ALL));
    INDArray resid = Nd4j.zeros(DataType.FLOAT, layers, seq, d);
    for (int l = 0; l < layers; l++) {
      resid.get(org.nd4j.linalg.indexing.NDArrayIndex.point(l)).assign(r.activation(HookName.residPost(l)).reshape(seq, d));
    }
    long[] idsLong = new long[seq];
    for (int i = 0; i < seq; i++) {
      idsLong[i] = ids[i];
    }
    SafetensorsWriter w = new SafetensorsWriter()
        .putI64("input_ids", Nd4j.createFromArray(idsLong))
        .putF32("logits", r.logits().reshape(seq, vocab))
        .putF32("resid_post", resid);
    List<String> tensorNames = new java.util.ArrayList<>(List.of("input_ids", "logits", "resid_post"));
    for (Map.Entry<Integer, INDArray> e : saeInputs.entrySet()) {
      Sae s = saes.get(e.getKey());
      INDArray acts = s.encode(e.getValue());
      w.putF32("sae_acts.L" + e.getKey(), acts).putF32("sae_recon.L" + e.getKey(), s.decode(acts));
      tensorNames.add("sae_acts.L" + e.getKey());
      tensorNames.add("sae_recon.L" + e.getKey());
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("schemaVersion", 1);
    summary.put("out", out.toString());
    summary.put("tokens", seq);
    summary.put("layers", layers);
    summary.put("d_model", d);
    if (gradTarget != null) {
      ResidGradients.Result g = lens.gradients(batch, LogProbMetric.lastToken(batch, gradTarget));
      w.putF32("grad_resid_post", g.gradResidPost().reshape(layers, seq, d));
      summary.put("grad_target", gradTarget);
      summary.put("metric", g.metric());
      tensorNames.add("grad_resid_post");
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    w.write(out);
    summary.put("tensors", tensorNames);
    if (intervention != null) {
      summary.put("intervention", intervention.toString());
    }
    if (jsonOption.json) {
      CliJson.print(stdout, summary);
    } else {
      stdout.printf("wrote %s: %d tokens, %d layers, d_model %d%s%n", out, seq, layers, d,
          gradTarget != null ? String.format(", log p(%d) = %.6f", gradTarget, (double) summary.get("metric")) : "");
    }
    err.flush();
    stdout.flush();
    return 0;
  }

  static int[] tokenize(Lens lens, String prompt, boolean chat) {
    if (!Files.exists(lens.modelDir().resolve("tokenizer.json"))) {
      throw new IllegalArgumentException(lens.modelDir() + ": no tokenizer.json, cannot tokenize --prompt (use --ids)");
    }
    Tokenizer tok = lens.tokenizer();
    if (chat) {
      String text = tok.chatTemplate().render(List.of(ChatMessage.user(prompt)), true);
      return tok.encode(text, false); // the template already holds BOS
    }
    return tok.encode(prompt, true);
  }
}
