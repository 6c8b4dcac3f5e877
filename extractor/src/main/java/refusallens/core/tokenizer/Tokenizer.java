package refusallens.core.tokenizer;

import refusallens.chat.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) in pure Java: added tokens, normalizer,
 * pre-tokenizer, BPE, post-processor and decoder as the {@code tokenizers} library runs them, plus the
 * chat template. Immutable and safe to share between threads.
 */
public final class Tokenizer {
  private final Path source;
  private final Normalizer normalizer; // null = none
  private final PreTokenizer preTokenizer; // null = none
  private final BpeModel model;
  private final AddedVocabulary added;
  private final PostProcessor postProcessor; // null = none
  private final Decoder decoder; // null = tokens joined by spaces
  private final TokenizerConfig config;
  private volatile ChatTemplate chatTemplate;
  private final int vocabSize;

  private Tokenizer(
      Path source,
      Normalizer normalizer,
      PreTokenizer preTokenizer,
      BpeModel model,
      AddedVocabulary added,
      PostProcessor postProcessor,
      Decoder decoder,
      TokenizerConfig config) {
    this.source = source;
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.model = model;
    this.added = added;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
    this.config = config;
    this.vocabSize = Math.max(model.size(), added.maxId() + 1);
  }

  /**
   * Loads {@code tokenizer.json} (a directory holding it, or the file itself) and, beside it, the optional
   * {@code tokenizer_config.json} (special tokens, chat template) and {@code chat_template.jinja}.
   */
  public static Tokenizer load(Path dirOrFile) {
    if (!Files.exists(dirOrFile)) {
      throw new TokenizerFormatException(
          dirOrFile + ": not found (expected a tokenizer directory or its tokenizer.json)");
    }
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
    Path dir = file.toAbsolutePath().getParent();
    TokenizerJsonReader.Parsed parsed = TokenizerJsonReader.read(file);
    JsonNode root = parsed.root();
    TokenizerJson p = new TokenizerJson(file.toString());
    Normalizer normalizer = p.normalizer(root.get("normalizer"), "normalizer");
    PreTokenizer preTokenizer = p.preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer");
    BpeModel model = p.model(root.get("model"), parsed.vocab(), parsed.merges());
    AddedVocabulary added = new AddedVocabulary(p.addedTokens(root.get("added_tokens")), normalizer);
    PostProcessor post = p.postProcessor(root.get("post_processor"), "post_processor");
    Decoder decoder = p.decoder(root.get("decoder"), "decoder");

    TokenizerConfig config = TokenizerConfig.readDir(dir);
    return new Tokenizer(file, normalizer, preTokenizer, model, added, post, decoder, config);
  }

  /** The tokenizer.json this was loaded from. */
  public Path source() {
    return source;
  }

  /**
   * Encodes text as HF's {@code tokenizer.encode(text, add_special_tokens=...)}: added-token strings in the
   * text become their ids; with {@code addSpecialTokens} the post-processor adds BOS (or its template).
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    IntList ids = new IntList(Math.max(16, text.length() / 3));
    List<Piece> pieces = new ArrayList<>();
    for (AddedVocabulary.Segment seg : added.splitRaw(text)) {
      if (seg.id() >= 0) {
        ids.add(seg.id());
        continue;
      }
      String raw = text.substring(seg.start(), seg.end());
      String norm = normalizer == null ? raw : normalizer.normalize(raw);
      for (AddedVocabulary.Segment sub : added.splitNormalized(norm)) {
        if (sub.id() >= 0) {
          ids.add(sub.id());
          continue;
        }
        String word = norm.substring(sub.start(), sub.end());
        if (preTokenizer == null) {
          model.encodeWord(word, ids);
          continue;
        }
        pieces.clear();
        preTokenizer.split(new Piece(word, seg.start() == 0 && sub.start() == 0), pieces);
        for (Piece piece : pieces) {
          model.encodeWord(piece.text(), ids);
        }
      }
    }
    int[] out = ids.toArray();
    return addSpecialTokens && postProcessor != null ? postProcessor.process(out) : out;
  }

  /** Decodes ids to text; {@code skipSpecialTokens} drops the added tokens marked special. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      AddedToken at = added.byId(id);
      if (at != null) {
        if (!(skipSpecialTokens && at.special())) {
          tokens.add(at.content());
        }
      } else {
        tokens.add(modelToken(id));
      }
    }
    return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
  }

  /** The token string of each id (HF's convert_ids_to_tokens). */
  public List<String> pieces(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      AddedToken at = added.byId(id);
      out.add(at != null ? at.content() : modelToken(id));
    }
    return out;
  }

  private String modelToken(int id) {
    return model
        .token(id)
        .orElseThrow(
            () -> new IllegalArgumentException(
                "token id " + id + " is outside the vocabulary of " + source + " (size " + vocabSize + ")"));
  }

  /** The number of token ids (model vocabulary and added tokens), i.e. the embedding rows a model needs. */
  public int vocabSize() {
    return vocabSize;
  }

  /** The id of a token string (added tokens first, then the model vocabulary). */
  public OptionalInt tokenId(String token) {
    AddedToken at = added.byContent(token);
    if (at != null) {
      return OptionalInt.of(at.id());
    }
    Integer id = model.id(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token string of an id, if the id exists. */
  public Optional<String> token(int id) {
    AddedToken at = added.byId(id);
    return at != null ? Optional.of(at.content()) : model.token(id);
  }

  /** Whether the id is an added token marked special (skipped by {@code decode(ids, true)}). */
  public boolean isSpecial(int id) {
    AddedToken at = added.byId(id);
    return at != null && at.special();
  }

  /** The added tokens of tokenizer.json, in file order. */
  public List<AddedToken> addedTokens() {
    return List.copyOf(added.all());
  }

  public SpecialTokens specialTokens() {
    return config.specialTokens();
  }

  public OptionalInt bosId() {
    return idOf(config.specialTokens().bos());
  }

  public OptionalInt eosId() {
    return idOf(config.specialTokens().eos());
  }

  public OptionalInt padId() {
    return idOf(config.specialTokens().pad());
  }

  private OptionalInt idOf(String token) {
    return token == null ? OptionalInt.empty() : tokenId(token);
  }

  public boolean hasChatTemplate() {
    return config.chatTemplate() != null;
  }

  /** The chat template of tokenizer_config.json (or chat_template.jinja). */
  public ChatTemplate chatTemplate() {
    ChatTemplate t = chatTemplate;
    if (t == null) {
      synchronized (this) {
        t = chatTemplate;
        if (t == null) {
          t = config.requireChatTemplate(source.toAbsolutePath().getParent());
          chatTemplate = t;
        }
      }
    }
    return t;
  }

  /**
   * Renders the conversation with the chat template and tokenizes it as transformers does: special-token
   * strings in the text become their ids and no second BOS is added.
   */
  public int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return encode(chatTemplate().render(messages, addGenerationPrompt), false);
  }
}
