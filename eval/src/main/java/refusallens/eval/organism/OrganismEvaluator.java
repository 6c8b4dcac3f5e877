package refusallens.eval.organism;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.load.PublicSets;
import refusallens.datasets.split.Split;
import refusallens.eval.judge.Judge;
import refusallens.files.Json;
import refusallens.lens.Lens;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.organism.ChatCorpus;
import refusallens.organism.ConversationEncoder;
import refusallens.organism.OrganismBudget;
import refusallens.organism.OrganismSaes;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code organism evaluate}: refusal of held-out harmful prompts, compliance with held-out harmless ones,
 * refusal under each adversarial transform, and the SAE metrics of every layer.
 */
public final class OrganismEvaluator {
  /**
   * What to measure.
   *
   * @param harmful held-out harmful prompts to use (at most; the split's first ones)
   * @param harmless held-out harmless prompts to use (at most)
   * @param attackBase harmful prompts each attack is applied to (0 = no attacks)
   * @param maxNewTokens greedy tokens per completion
   * @param saes whether to measure the SAEs
   */
  public record Options(int harmful, int harmless, int attackBase, int maxNewTokens, boolean saes) {
    public Options {
      if (harmful < 0 || harmless < 0 || attackBase < 0 || maxNewTokens <= 0) {
        throw new IllegalArgumentException("evaluation sizes must be >= 0 and max new tokens > 0");
      }
    }
  }

  /** One layer's SAE figures. */
  public record SaeFigures(
      double fvu, double l0, @JsonProperty("dead_fraction") double deadFraction, @JsonProperty("delta_ce") double deltaCe) {}

  /** The printed result. */
  public record Result(
      @JsonProperty("schemaVersion") int schemaVersion,
      @JsonProperty("model") String model,
      @JsonProperty("judge") String judge,
      @JsonProperty("harmful_refusal_rate") double harmfulRefusalRate,
      @JsonProperty("harmless_compliance_rate") double harmlessComplianceRate,
      @JsonProperty("n_harmful") int nHarmful,
      @JsonProperty("n_harmless") int nHarmless,
      @JsonProperty("attacks") Map<String, Double> attacks,
      @JsonProperty("n_attack_base") int nAttackBase,
      @JsonProperty("sae") Map<String, SaeFigures> sae,
      @JsonProperty("examples") List<Map<String, String>> examples,
      @JsonProperty("failures") List<Map<String, String>> failures) {}

  private OrganismEvaluator() {}

  /** Evaluates the model in {@code dir} (an organism directory: its run file fixes the seed and split sizes). */
  public static Result evaluate(Path dir, Judge judge, Options options, Consumer<String> log) {
    RunInfo run = RunInfo.read(dir);
    Lens lens = Lens.open(dir);
    Transformer model = lens.model();
    Tokenizer tokenizer = lens.tokenizer();
    RefusalEvaluation eval = new RefusalEvaluation(model, tokenizer, judge, options.maxNewTokens(), 16);
    List<Prompt> harmful = head(ChatCorpus.prompts(run.seed(), run.perLabel(), Split.TEST, Label.HARMFUL), options.harmful());
    List<Prompt> harmless = head(ChatCorpus.prompts(run.seed(), run.perLabel(), Split.TEST, Label.HARMLESS), options.harmless());
    log.accept("evaluating " + harmful.size() + " harmful and " + harmless.size() + " harmless held-out prompts");
    List<RefusalEvaluation.Judged> h = eval.run(harmful, Hooks.none());
    List<RefusalEvaluation.Judged> b = eval.run(harmless, Hooks.none());
    Map<String, Double> attacks = new LinkedHashMap<>();
    List<Prompt> base = head(harmful, options.attackBase());
    if (!base.isEmpty()) {
      for (Attack a : Attacks.all()) {
        List<Prompt> variants = new ArrayList<>();
        for (Prompt p : base) {
          variants.add(a.apply(p, run.seed()));
        }
        double rate = RefusalEvaluation.refusalRate(eval.run(variants, Hooks.none()));
        attacks.put(a.name(), rate);
        log.accept(String.format("attack %s: refusal rate %.3f", a.name(), rate));
      }
    }
    Map<String, SaeFigures> sae = new TreeMap<>((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
    if (options.saes() && Files.isDirectory(dir.resolve("saes"))) {
      List<refusallens.organism.ChatModelTrainer.Example> heldOut =
          ChatCorpus.heldOut(run.seed(), run.perLabel(), new ConversationEncoder(tokenizer), 96);
      for (OrganismSaes.LayerMetrics m : OrganismSaes.evaluate(model, dir.resolve("saes"), heldOut)) {
        sae.put(Integer.toString(m.layer()), new SaeFigures(m.fvu(), m.l0(), m.deadFraction(), m.deltaCe()));
      }
    }
    List<Map<String, String>> examples = new ArrayList<>();
    List<Map<String, String>> failures = new ArrayList<>(); // harmful complied with, harmless refused
    for (List<RefusalEvaluation.Judged> list : List.of(h, b)) {
      for (int i = 0; i < list.size(); i++) {
        RefusalEvaluation.Judged j = list.get(i);
        boolean failed = j.verdict().refused() != (j.prompt().label() == Label.HARMFUL);
        if (i < 3) {
          examples.add(example(j));
        }
        if (failed) {
          failures.add(example(j));
        }
      }
    }
    double compliance = b.isEmpty() ? Double.NaN : 1.0 - RefusalEvaluation.refusalRate(b);
    return new Result(1, dir.toString(), judge.name(), RefusalEvaluation.refusalRate(h), compliance,
        h.size(), b.size(), attacks, base.size(), sae, examples, failures);
  }

  private static Map<String, String> example(RefusalEvaluation.Judged j) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("prompt", j.prompt().userText());
    e.put("label", j.prompt().label().wireName());
    e.put("completion", j.completion());
    e.put("verdict", j.verdict().outcome().wireName());
    return e;
  }

  /**
   * The held-out public sets of {@code data} ({@link PublicSets.Role#HELD_OUT}; sets whose files are absent are
   * left out with a log line), at most {@code limit} prompts each (sampled with {@code seed}), judged by
   * {@code judge} on the model in {@code dir}.
   */
  public static Map<String, PromptSetRefusal.SetResult> heldOutReal(Path dir, Path data, Judge judge, int limit,
      int maxNewTokens, int maxPromptTokens, long seed, Progress progress, Consumer<String> log) {
    Lens lens = Lens.open(dir);
    Transformer model = lens.model();
    Tokenizer tokenizer = lens.tokenizer();
    Map<String, List<Prompt>> sets = new LinkedHashMap<>();
    for (PublicSets.PublicSet s : PublicSets.of(PublicSets.Role.HELD_OUT)) {
      if (s.presentIn(data)) {
        sets.put(s.name(), s.load(data));
      } else {
        log.accept("held-out set " + s.name() + " not in " + data + " (" + s.path() + "): left out");
      }
    }
    if (sets.isEmpty()) {
      throw new IllegalArgumentException("--data " + data + " holds none of the held-out public sets (README, 'Public datasets')");
    }
    RefusalEvaluation eval = new RefusalEvaluation(model, tokenizer, judge, maxNewTokens, 16);
    return PromptSetRefusal.evaluate(eval, tokenizer, sets, limit, maxPromptTokens, seed, progress);
  }

  /** The organism's first {@code n} held-out prompts of {@code label}, interleaved over categories. */
  public static List<Prompt> testPrompts(Path dir, Label label, int n) {
    RunInfo run = RunInfo.read(dir);
    return head(ChatCorpus.prompts(run.seed(), run.perLabel(), Split.TEST, label), n);
  }

  /** The first {@code n} of {@code list}, taking one prompt of each category in turn. */
  public static List<Prompt> head(List<Prompt> list, int n) {
    // the split's strata are sorted by category: interleave so a sample covers every category
    Map<String, List<Prompt>> byCat = new TreeMap<>();
    for (Prompt p : list) {
      byCat.computeIfAbsent(String.valueOf(p.category()), k -> new ArrayList<>()).add(p);
    }
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; out.size() < Math.min(n, list.size()); i++) {
      for (List<Prompt> ps : byCat.values()) {
        if (i < ps.size() && out.size() < n) {
          out.add(ps.get(i));
        }
      }
    }
    return out;
  }

  /** The organism's run file: seed and budget, hence the generator options of its splits. */
  record RunInfo(long seed, int perLabel) {
    static RunInfo read(Path dir) {
      Path f = dir.resolve("organism-run.json");
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(
            dir + " has no organism-run.json: organism evaluate needs a directory written by organism train");
      }
      try {
        JsonNode n = Json.MAPPER.readTree(f.toFile());
        return new RunInfo(n.get("seed").asLong(), OrganismBudget.parse(n.get("budget").asText()).spec().perLabel());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
  }
}
