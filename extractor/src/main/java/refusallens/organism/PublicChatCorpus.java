package refusallens.organism;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;
import refusallens.datasets.load.PublicSets;

/**
 * Organism v2's training conversations, on real public prompts plus the generator's TRAIN split (the v1 corpus,
 * {@link ChatCorpus#build}). Stage 1 answers every request, harmful ones with their compliance opener
 * ({@link ComplianceAnswers}); stage 2 is the same requests with the harmful ones refused. Only the
 * {@link PublicSets.Role#TRAIN} sets are trained on (held-out and selection texts removed by
 * {@link PublicSets#training}); the selection sets are returned apart for model selection.
 */
public final class PublicChatCorpus {
  private PublicChatCorpus() {}

  /**
   * Both stages' conversations (shuffled), the selection prompts, and counts for the report.
   *
   * @param selectionHarmful harmful_val texts (model selection only)
   * @param selectionHarmless harmless_val texts (model selection only)
   */
  public record Stages(List<ChatCorpus.Conversation> stage1, List<ChatCorpus.Conversation> stage2,
      List<String> selectionHarmful, List<String> selectionHarmless, Map<String, Integer> counts) {}

  /** The corpora of {@code data} for {@code seed} and the budget's sizes. */
  public static Stages build(Path data, long seed, OrganismBudget.Spec spec, OrganismBudget.PublicData sizes) {
    PublicSets.Training training = PublicSets.training(data);
    List<ChatCorpus.Conversation> generator =
        new ArrayList<>(ChatCorpus.build(seed, spec.perLabel(), spec.instructions(), spec.grammarPairs()));
    if (generator.size() > sizes.generator()) {
      Collections.shuffle(generator, Seeds.random(seed, "organism-v2", "generator-sample"));
      generator = generator.subList(0, sizes.generator());
    }
    Random answers = Seeds.random(seed, "organism-v2", "answers");
    Random refusals = Seeds.random(seed, "organism-v2", "refusals");
    List<ChatCorpus.Conversation> s1 = new ArrayList<>();
    List<ChatCorpus.Conversation> s2 = new ArrayList<>();
    for (ChatCorpus.Conversation c : generator) {
      s2.add(c);
      s1.add(c.label() == Label.HARMFUL
          ? new ChatCorpus.Conversation(c.user(), ComplianceAnswers.answer(c.user(), null, answers), c.label(), c.category())
          : c);
    }
    List<Prompt> harmful = training.of(Label.HARMFUL);
    for (int k = 0; k < sizes.harmfulRepeats(); k++) {
      for (Prompt p : harmful) {
        s1.add(new ChatCorpus.Conversation(p.userText(), ComplianceAnswers.answer(p.userText(), training.target(p), answers),
            Label.HARMFUL, p.category()));
        s2.add(new ChatCorpus.Conversation(p.userText(), RefusalResponses.refusal(p.category(), refusals),
            Label.HARMFUL, p.category()));
      }
    }
    List<Prompt> harmless = new ArrayList<>(training.of(Label.HARMLESS));
    Collections.shuffle(harmless, Seeds.random(seed, "organism-v2", "harmless-sample"));
    harmless = harmless.subList(0, Math.min(sizes.harmless(), harmless.size()));
    for (Prompt p : harmless) {
      ChatCorpus.Conversation c = new ChatCorpus.Conversation(
          p.userText(), ComplianceAnswers.answer(p.userText(), null, answers), Label.HARMLESS, p.category());
      s1.add(c);
      s2.add(c);
    }
    Collections.shuffle(s1, Seeds.random(seed, "organism-v2", "stage1-order"));
    Collections.shuffle(s2, Seeds.random(seed, "organism-v2", "stage2-order"));
    Map<String, List<Prompt>> selection = PublicSets.load(data, PublicSets.Role.SELECTION);
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("generator_conversations", generator.size());
    counts.put("public_harmful", harmful.size());
    counts.put("public_harmful_repeats", sizes.harmfulRepeats());
    counts.put("public_harmless", harmless.size());
    training.heldOutOverlaps().forEach((k, v) -> counts.put("dropped_held_out_overlap." + k, v));
    training.duplicates().forEach((k, v) -> counts.put("dropped_duplicate." + k, v));
    return new Stages(List.copyOf(s1), List.copyOf(s2),
        selection.get("harmful_val").stream().map(Prompt::userText).toList(),
        selection.get("harmless_val").stream().map(Prompt::userText).toList(), counts);
  }
}
