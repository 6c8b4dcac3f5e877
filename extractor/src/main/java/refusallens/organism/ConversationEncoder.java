package refusallens.organism;

import java.util.List;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Label;
import refusallens.core.tokenizer.Tokenizer;

/** Turns a conversation into training ids through the chat template, marking the assistant tokens as targets. */
public final class ConversationEncoder {
  private final Tokenizer tokenizer;
  private final int endOfTurn;

  /** Tokens before the user's words in every chat prompt (bos, turn header). */
  private final int userStart;

  public ConversationEncoder(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.endOfTurn = tokenizer.tokenId("<end_of_turn>").orElseThrow(
        () -> new IllegalArgumentException(tokenizer.source() + ": no <end_of_turn> token"));
    int[] a = prompt("A");
    int[] b = prompt("B");
    int common = 0;
    while (common < a.length && common < b.length && a[common] == b[common]) {
      common++;
    }
    this.userStart = common;
  }

  /** The prompt as the model sees it at generation time: user turn plus the model-turn header. */
  public int[] prompt(String user) {
    return tokenizer.encodeChat(List.of(ChatMessage.user(user)), true);
  }

  /**
   * The whole conversation; targets are the assistant's tokens up to and including its
   * {@code <end_of_turn>}; a helpful answer's first token weighs more than a refusal's
   * ({@link ChatModelTrainer#ANSWER_FIRST_TOKEN_WEIGHT}). Fails if the chat rendering does not extend the
   * generation prompt token-wise.
   */
  public ChatModelTrainer.Example encode(ChatCorpus.Conversation c) {
    int[] prompt = prompt(c.user());
    int[] ids = tokenizer.encodeChat(List.of(ChatMessage.user(c.user()), ChatMessage.assistant(c.assistant())), false);
    for (int i = 0; i < prompt.length; i++) {
      if (i >= ids.length || ids[i] != prompt[i]) {
        throw new IllegalStateException("chat rendering of '" + c.user() + "' does not extend its generation prompt");
      }
    }
    boolean[] target = new boolean[ids.length];
    for (int t = prompt.length - 1; t + 1 < ids.length; t++) {
      target[t] = true;
      if (ids[t + 1] == endOfTurn) {
        break;
      }
    }
    int userEnd = userStart;
    while (userEnd < ids.length && ids[userEnd] != endOfTurn) {
      userEnd++;
    }
    double firstTokenWeight = c.label() == Label.HARMLESS
        ? ChatModelTrainer.ANSWER_FIRST_TOKEN_WEIGHT
        : ChatModelTrainer.REFUSAL_FIRST_TOKEN_WEIGHT;
    return new ChatModelTrainer.Example(ids, target, firstTokenWeight, userStart, userEnd);
  }
}
