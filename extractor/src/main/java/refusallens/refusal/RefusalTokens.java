package refusallens.refusal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.chat.ChatMessage;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The refusal token set R (Arditi et al.'s {@code refusal_toks}), measured rather than guessed: the first
 * generated token of every greedy answer to a harmful prompt that the judge calls a refusal, plus the first token
 * of each configured refusal opener tokenized in context (right after the chat template's assistant header, where
 * "Unfortunately," may be one token although "Unfortunately" alone is two). Every refusal measure of the library
 * (layer selection, effects, the suppression refusal probability) reads R through {@link #score} and
 * {@link #probability}; a features file's R is {@link #of(FeaturesFile, Tokenizer)}.
 *
 * @param ids the token ids of R, ascending, distinct
 * @param tokens each id's text as the tokenizer decodes it alone
 */
public record RefusalTokens(int[] ids, List<String> tokens) {
  /** The user turn the openers are rendered after; its text does not change the assistant header's tokens. */
  private static final String CONTEXT_REQUEST = "Tell me about rivers.";

  public RefusalTokens {
    if (ids.length == 0) {
      throw new IllegalArgumentException("the refusal token set is empty");
    }
    ids = ids.clone();
    for (int i = 1; i < ids.length; i++) {
      if (ids[i] <= ids[i - 1]) {
        throw new IllegalArgumentException("refusal token ids must be ascending and distinct: " + Arrays.toString(ids));
      }
    }
    tokens = List.copyOf(tokens);
    if (tokens.size() != ids.length) {
      throw new IllegalArgumentException(ids.length + " refusal token ids but " + tokens.size() + " token strings");
    }
  }

  /** R of the given ids, with their texts from {@code tokenizer}. */
  public static RefusalTokens of(Tokenizer tokenizer, Collection<Integer> ids) {
    int[] sorted = new TreeSet<>(ids).stream().mapToInt(Integer::intValue).toArray();
    List<String> texts = new ArrayList<>();
    for (int id : sorted) {
      if (id < 0 || id >= tokenizer.vocabSize()) {
        throw new IllegalArgumentException("refusal token id " + id + " is outside the vocabulary of " + tokenizer.vocabSize());
      }
      texts.add(tokenizer.decode(new int[] {id}, false));
    }
    return new RefusalTokens(sorted, texts);
  }

  /**
   * R measured on {@code model}: the first generated token of each greedy answer (at most {@code maxNewTokens}
   * tokens) to {@code harmful} that {@code judge} calls a refusal, plus {@link #openerToken} of each opener.
   */
  public static RefusalTokens find(
      Transformer model,
      Tokenizer tokenizer,
      List<int[]> harmful,
      List<String> openers,
      RefusalJudgement judge,
      int maxNewTokens,
      int batchSize,
      Progress progress) {
    Set<Integer> ids = new TreeSet<>();
    for (String o : openers) {
      ids.add(openerToken(tokenizer, o));
    }
    progress.start("refusal tokens", harmful.size());
    GenerationOptions gen = GenerationOptions.greedy(model, maxNewTokens);
    int refusals = 0;
    for (int start = 0; start < harmful.size(); start += batchSize) {
      List<int[]> rows = new ArrayList<>(harmful.subList(start, Math.min(harmful.size(), start + batchSize)));
      List<int[]> out = model.generateGreedy(new TokenBatch(rows), gen, Hooks.none());
      for (int[] completion : out) {
        if (completion.length > 0 && judge.refuses(tokenizer.decode(completion, true))) {
          ids.add(completion[0]);
          refusals++;
        }
      }
      progress.step(rows.size());
    }
    progress.finish();
    RefusalTokens r = of(tokenizer, ids);
    progress.log("refusal tokens: " + r.tokens() + " (first tokens of " + refusals + " judged refusals of "
        + harmful.size() + " harmful prompts, and of " + openers.size() + " openers in context)");
    return r;
  }

  /** The first token of an assistant answer starting with {@code opener}, tokenized after the chat template's header. */
  public static int openerToken(Tokenizer tokenizer, String opener) {
    String header = tokenizer.chatTemplate().render(List.of(ChatMessage.user(CONTEXT_REQUEST)), true);
    int[] prompt = tokenizer.encode(header, false);
    int[] full = tokenizer.encode(header + opener, false);
    int common = 0;
    while (common < prompt.length && common < full.length && prompt[common] == full[common]) {
      common++;
    }
    if (common >= full.length) {
      throw new IllegalArgumentException("refusal opener '" + opener + "' adds no token after the assistant header");
    }
    return full[common];
  }

  /**
   * R as {@code features} records it: {@code settings.refusalTokenIds}; for a file without them (schema 1, whose
   * {@code settings.refusalTokens} were tokenized out of context) each recorded string's first token plus the
   * default openers' tokens in context; for a file without settings, the default openers' tokens in context.
   */
  public static RefusalTokens of(FeaturesFile features, Tokenizer tokenizer) {
    FeaturesFile.Settings s = features.settings();
    if (s != null && s.refusalTokenIds() != null && !s.refusalTokenIds().isEmpty()) {
      return of(tokenizer, s.refusalTokenIds());
    }
    Set<Integer> ids = new TreeSet<>();
    if (s != null && s.refusalTokens() != null) {
      for (String t : s.refusalTokens()) {
        int[] enc = tokenizer.encode(t, false);
        if (enc.length > 0) {
          ids.add(enc[0]);
        }
      }
    }
    for (String o : DiscoveryOptions.DEFAULT_REFUSAL_OPENERS) {
      ids.add(openerToken(tokenizer, o));
    }
    return of(tokenizer, ids);
  }

  /** Whether {@code id} is in R. */
  public boolean contains(int id) {
    return Arrays.binarySearch(ids, id) >= 0;
  }

  /** The refusal score log p(R) - log p(not R) of each row of last-position logits [B, vocab]. */
  public double[] score(INDArray lastLogits) {
    return RefusalScores.refusalScore(lastLogits, ids);
  }

  /** The probability mass p(R) of each row of last-position logits [B, vocab]. */
  public double[] probability(INDArray lastLogits) {
    return RefusalScores.refusalProbability(lastLogits, ids);
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }
}
