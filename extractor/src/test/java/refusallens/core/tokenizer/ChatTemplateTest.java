package refusallens.core.tokenizer;

import refusallens.chat.ChatMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jinja features that chat templates use, rendered as Python's Jinja2 renders them under transformers. */
class ChatTemplateTest {
  private static final List<ChatMessage> TWO =
      List.of(ChatMessage.user("  Hello there  "), ChatMessage.assistant("Hi."));

  private static String render(String template, Map<String, Object> extra) {
    return new ChatTemplate(template, Map.of("bos_token", "<s>", "eos_token", "</s>"), "test").render(TWO, true, extra);
  }

  @Test
  void tojsonMatchesPythonJsonDumps() {
    Map<String, Object> x = new LinkedHashMap<>();
    x.put("a", List.of(1, 2));
    x.put("b", "é\n\"q\"");
    x.put("c", null);
    x.put("d", true);
    // json.dumps(x, ensure_ascii=False) and json.dumps(x, ensure_ascii=False, indent=2)
    assertEquals("{\"a\": [1, 2], \"b\": \"é\\n\\\"q\\\"\", \"c\": null, \"d\": true}", render("{{ x | tojson }}", Map.of("x", x)));
    assertEquals(
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"é\\n\\\"q\\\"\",\n  \"c\": null,\n  \"d\": true\n}",
        render("{{ x | tojson(indent=2) }}", Map.of("x", x)));
  }

  @Test
  void messageTextIsNeverRenderedAsATemplate() {
    // a HarmBench context string holds Wikipedia markup "{{tq | ...}}"; Jinja2 prints it as it is
    String text = "See {{tq | Scientific consensus is the judgment}} and {% if x %}y{% endif %} {{ 1 + 1 }}";
    String out = new ChatTemplate("{% for m in messages %}[{{ m['content'] }}]{% endfor %}", Map.of(), "test")
        .render(List.of(ChatMessage.user(text)), false);
    assertEquals("[" + text + "]", out);
  }

  @Test
  void pythonStyleFeatures() {
    assertEquals("Hello there|1|2|<s></s>", render(
        "{{ messages[0]['content'].strip() }}|{{ messages[1:] | length }}|"
            + "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}|"
            + "{{ bos_token }}{{ eos_token }}",
        Map.of()));
    // trim_blocks and lstrip_blocks: block lines leave no whitespace behind.
    assertEquals("user\nassistant\n", render("{% for m in messages %}\n    {% if true %}\n{{ m.role }}\n    {% endif %}\n{% endfor %}", Map.of()));
    // "not x is defined" is "not (x is defined)"; filters bind tighter than "+".
    assertEquals("yes|a" + "Hello there" + "b", render(
        "{% if not undefined_thing is defined %}yes{% endif %}|{{ 'a' + messages[0]['content'] | trim + 'b' }}", Map.of()));
    assertEquals("no|yes|yes", render(
        "{% if not messages is defined %}yes{% else %}no{% endif %}|"
            + "{% if not x is none %}yes{% endif %}|{% if not messages[0]['role'] is equalto('system') %}yes{% endif %}",
        Map.of("x", 1)));
    assertEquals("k=v", render("{% for k, v in d | items %}{{ k }}={{ v }}{% endfor %}", Map.of("d", Map.of("k", "v"))));
  }

  @Test
  void strftimeNowUsesPythonFormats() {
    ZonedDateTime t = ZonedDateTime.of(2024, 7, 26, 15, 4, 5, 0, ZoneOffset.UTC);
    assertEquals("26 Jul 2024", TemplateFunctions.strftime(t, "%d %b %Y"));
    assertEquals("Friday, July 26 2024 03:04:05 PM %", TemplateFunctions.strftime(t, "%A, %B %d %Y %I:%M:%S %p %%"));
    String today = render("{{ strftime_now('%d %b %Y') }}", Map.of());
    assertTrue(today.matches("\\d\\d [A-Z][a-z]{2} \\d{4}"), today);
  }

  /** One template rendered from many threads at once gives every thread what a single render gives. */
  @Test
  void concurrentRendersOfOneTemplateAgree() throws Exception {
    ChatTemplate gemma =
        TokenizerConfig.read(TokenizerConformanceTest.SHARED.resolve("tokenizers/gemma2/tokenizer_config.json"))
            .requireChatTemplate(TokenizerConformanceTest.SHARED.resolve("tokenizers/gemma2"));
    List<List<ChatMessage>> conversations = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      conversations.add(i % 2 == 0
          ? List.of(ChatMessage.user("Question " + i + "?"))
          : List.of(ChatMessage.user("Hi " + i), ChatMessage.assistant("Hello."), ChatMessage.user("More " + i)));
    }
    List<String> expected = conversations.stream().map(c -> gemma.render(c, true)).toList();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        done.add(pool.submit(() -> {
          for (int k = 0; k < 300; k++) {
            int i = (k + offset) % conversations.size();
            assertEquals(expected.get(i), gemma.render(conversations.get(i), true));
          }
          return 300;
        }));
      }
      for (java.util.concurrent.Future<Integer> f : done) {
        assertEquals(300, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void llama31TemplateTakesDateStringAndRaisesClearly() {
    ChatTemplate llama =
        TokenizerConfig.read(TokenizerConformanceTest.SHARED.resolve("tokenizers/llama3/tokenizer_config.json"))
            .requireChatTemplate(TokenizerConformanceTest.SHARED.resolve("tokenizers/llama3"));
    String text = llama.render(List.of(ChatMessage.user("Hi")), true, Map.of("date_string", "01 Jan 2025"));
    assertTrue(text.contains("Today Date: 01 Jan 2025\n"), text);
    // Tools go into the first user turn as indented JSON (tools_in_user_message defaults to true).
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", "get_weather");
    tool.put("parameters", Map.of("type", "object"));
    String withTools = llama.render(List.of(ChatMessage.user("Weather?")), true, Map.of("tools", List.of(tool)));
    assertTrue(withTools.contains("Environment: ipython\n"), withTools);
    assertTrue(
        withTools.contains("{\n    \"name\": \"get_weather\",\n    \"parameters\": {\n        \"type\": \"object\"\n    }\n}\n\nWeather?<|eot_id|>"),
        withTools);
    String toolsInSystem =
        llama.render(
            List.of(ChatMessage.user("Weather?")),
            true,
            Map.of("tools", List.of(tool), "tools_in_user_message", false));
    assertTrue(toolsInSystem.contains("Do not use variables.\n\n{\n    \"name\""), toolsInSystem);
    assertTrue(toolsInSystem.contains("<|start_header_id|>user<|end_header_id|>\n\nWeather?<|eot_id|>"), toolsInSystem);
    ChatTemplateException raised =
        assertThrows(ChatTemplateException.class, () -> render("{{ raise_exception('no ' + 'way') }}", Map.of()));
    assertEquals("no way", raised.templateMessage());
    ChatTemplateException broken =
        assertThrows(ChatTemplateException.class, () -> render("{% for m in messages %}", Map.of()));
    assertNull(broken.templateMessage());
    assertTrue(broken.getMessage().contains("chat template of test"), broken.getMessage());
  }
}
