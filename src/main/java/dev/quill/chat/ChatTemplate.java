package dev.quill.chat;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled Hugging Face chat template (the Jinja2 source GGUF files carry in
 * {@code tokenizer.chat_template}), rendered exactly as transformers renders it: Jinja2's
 * sandboxed environment with {@code trim_blocks} and {@code lstrip_blocks}, loop controls, the
 * globals {@code raise_exception} and {@code strftime_now}, and a {@code tojson} filter that
 * behaves like Python's {@code json.dumps(ensure_ascii=False)}.
 *
 * <p>Instances are immutable and thread-safe; each {@code render} call runs in its own sandbox
 * bounded by {@link TemplateLimits}. Templates only ever see copies of the given data as plain
 * values (strings, numbers, booleans, null, lists, maps), never Java objects.
 */
public final class ChatTemplate {
    private final String source;
    private final List<Stmt> body;
    private final TemplateLimits limits;
    private final Clock clock;

    private ChatTemplate(String source, List<Stmt> body, TemplateLimits limits, Clock clock) {
        this.source = source;
        this.body = body;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Parses {@code source}.
     *
     * @throws TemplateException on a syntax error, naming the line
     */
    public static ChatTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        try {
            return new ChatTemplate(source, Parser.parse(source), TemplateLimits.DEFAULT, Clock.systemDefaultZone());
        } catch (StackOverflowError e) {
            throw new TemplateException("template nesting too deep");
        }
    }

    /** This template rendering under other sandbox limits. */
    public ChatTemplate withLimits(TemplateLimits newLimits) {
        return new ChatTemplate(source, body, Objects.requireNonNull(newLimits, "limits"), clock);
    }

    /** This template with {@code strftime_now} reading {@code newClock} (its zone gives local time). */
    public ChatTemplate withClock(Clock newClock) {
        return new ChatTemplate(source, body, limits, Objects.requireNonNull(newClock, "clock"));
    }

    public String source() {
        return source;
    }

    public TemplateLimits limits() {
        return limits;
    }

    /**
     * Renders with {@code context} as the template's variables.
     *
     * @throws TemplateRaisedException when the template calls {@code raise_exception}
     * @throws TemplateException       on any other template error or exceeded limit
     * @throws IllegalArgumentException when the context holds values templates cannot see
     */
    public String render(Map<String, ?> context) {
        RenderBudget budget = new RenderBudget(limits);
        Evaluator evaluator = new Evaluator(budget, limits.maxOutputChars(), Globals.create(clock));
        Renderer renderer = new Renderer(evaluator);
        Frame root = new Frame(null);
        context.forEach((name, value) -> root.set(name, ContextValues.convert(value)));
        try {
            return renderer.render(body, root);
        } catch (StackOverflowError e) {
            throw new TemplateException("template recursion too deep");
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of ours must still reach callers as a template failure, not crash a request.
            throw new TemplateException("template rendering failed: " + e, 0, e);
        }
    }

    /**
     * Renders a conversation the way transformers' {@code apply_chat_template} does:
     * {@code messages} (maps with {@code role} and {@code content}), {@code add_generation_prompt},
     * {@code bos_token}, {@code eos_token}, plus {@code extraVariables} such as {@code tools} or
     * {@code date_string}.
     *
     * @throws IllegalArgumentException when an extra variable would replace one of the four above
     */
    public String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken,
            Map<String, ?> extraVariables) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        if (extraVariables != null) {
            for (Map.Entry<String, ?> e : extraVariables.entrySet()) {
                if (context.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("extra variable '" + e.getKey() + "' is set by renderChat itself");
                }
                context.put(e.getKey(), e.getValue());
            }
        }
        return render(context);
    }
}
