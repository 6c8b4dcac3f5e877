package refusallens.core.tokenizer;

import refusallens.chat.ChatMessage;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (Jinja) rendered as transformers renders it: trim_blocks and lstrip_blocks,
 * the special-token strings and {@code add_generation_prompt} in the context, {@code raise_exception} and
 * {@code strftime_now} as globals, Python-style {@code |tojson} and an {@code |items} filter.
 */
public final class ChatTemplate {
  private final String source;
  private final String jinjaSource; // source with Jinja2 precedence made explicit for Jinjava
  private final String where;
  private final Map<String, Object> specialTokens;
  private final JinjavaConfig config;
  // Jinjava, its globals and the parsed tree, one set per thread: a tree and a global context shared by
  // concurrent renders failed ("Error rendering tag") when the service tokenized on several threads at once
  private final ThreadLocal<Renderer> renderers = ThreadLocal.withInitial(this::newRenderer);

  /** One thread's Jinjava and template tree (parsed once: Jinjava's renderForResult re-parses every call). */
  private static final class Renderer {
    final Jinjava jinjava;
    Node parsed;

    Renderer(Jinjava jinjava) {
      this.jinjava = jinjava;
    }
  }

  /**
   * @param source the Jinja template text
   * @param specialTokens variables such as bos_token, eos_token (strings) given to every render
   * @param where the file the template came from, for error messages
   */
  public ChatTemplate(String source, Map<String, String> specialTokens, String where) {
    this.source = Objects.requireNonNull(source, "source");
    this.jinjaSource = JinjaCompat.rewrite(source);
    this.where = where;
    this.specialTokens = new LinkedHashMap<>(specialTokens);
    LegacyOverrides jinja2 =
        LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withKeepNullableLoopValues(true)
            .withUsePyishObjectMapper(true)
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .build();
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            // message text is data: Jinjava would otherwise render a "{{ ... }}" inside it (HarmBench context strings)
            .withNestedInterpretationEnabled(false)
            .withLegacyOverrides(jinja2)
            .build();
    this.config = config;
  }

  private Renderer newRenderer() {
    Jinjava jinjava = new Jinjava(config);
    var global = jinjava.getGlobalContext();
    global.registerFunction(
        new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", Object.class));
    global.registerFunction(
        new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
    global.registerFilter(new ToJson());
    global.registerFilter(new Items());
    return new Renderer(jinjava);
  }

  public String source() {
    return source;
  }

  /** Renders the conversation; {@code addGenerationPrompt} appends the assistant turn header. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /** Renders with extra template variables (for example {@code date_string}, {@code tools}). */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
    List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("role", m.role());
      d.put("content", m.content());
      msgs.add(d);
    }
    Map<String, Object> ctx = new HashMap<>(specialTokens);
    ctx.putAll(extra);
    ctx.put("messages", msgs);
    ctx.put("add_generation_prompt", addGenerationPrompt);
    List<TemplateError> errors;
    String output;
    // What Jinjava's renderForResult does, minus the per-call parse and copy of the global context (1.4 ms of
    // a 1.5 ms render on the organism's template): the template only reads the globals, and its own
    // assignments go to the per-render child context.
    Renderer renderer = renderers.get();
    Jinjava jinjava = renderer.jinjava;
    JinjavaInterpreter interpreter = new JinjavaInterpreter(jinjava, new Context(jinjava.getGlobalContext(), ctx), config);
    JinjavaInterpreter.pushCurrent(interpreter);
    try {
      output = interpreter.render(tree(renderer, interpreter));
      errors = interpreter.getErrorsCopy();
    } catch (RuntimeException e) {
      throw new ChatTemplateException("chat template of " + where + " failed: " + e.getMessage(), null);
    } finally {
      JinjavaInterpreter.popCurrent();
    }
    for (TemplateError e : errors) {
      if (e.getSeverity() != TemplateError.ErrorType.FATAL) {
        continue;
      }
      for (Throwable t = e.getException(); t != null; t = t.getCause()) {
        if (t instanceof TemplateFunctions.Raised raised) {
          throw new ChatTemplateException(
              "chat template of " + where + " raised: " + raised.getMessage(), raised.getMessage());
        }
      }
      throw new ChatTemplateException(
          "chat template of " + where + " failed at line " + e.getLineno() + ": " + e.getMessage(), null);
    }
    return output;
  }

  private Node tree(Renderer renderer, JinjavaInterpreter interpreter) {
    Node t = renderer.parsed;
    if (t == null) {
      t = interpreter.parse(jinjaSource);
      if (interpreter.getErrorsCopy().isEmpty()) {
        renderer.parsed = t; // a template with syntax errors is parsed again, so every render reports them
      }
    }
    return t;
  }

  /** {@code |tojson(indent=N)} as Python's json.dumps with ensure_ascii=False. */
  private static final class ToJson implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      Integer indent = args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null;
      return PythonJson.dumps(var, indent);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object ind = kwargs.containsKey("indent") ? kwargs.get("indent") : (args.length > 0 ? args[0] : null);
      Integer indent = ind == null ? null : Integer.valueOf(ind.toString());
      return PythonJson.dumps(var, indent);
    }
  }

  /** {@code |items}: a mapping's (key, value) pairs, as Python's dict.items(). */
  private static final class Items implements Filter {
    @Override
    public String getName() {
      return "items";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      List<List<Object>> out = new ArrayList<>();
      if (var instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          out.add(List.of(e.getKey(), e.getValue() == null ? "" : e.getValue()));
        }
      }
      return out;
    }
  }
}
