package dev.quill.api.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.engine.ServedModel;
import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.CotSpec;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;
import dev.quill.prompts.cot.ChainOfThought;
import dev.quill.prompts.cot.CotResult;
import dev.quill.prompts.diff.PromptVersion;
import dev.quill.prompts.format.PromptFileParser;
import dev.quill.prompts.lint.LintFinding;
import dev.quill.prompts.lint.PromptLinter;
import dev.quill.prompts.persona.PersonaMerger;
import dev.quill.prompts.reframe.Change;
import dev.quill.prompts.reframe.ReframeRule;
import dev.quill.prompts.render.PromptRenderer;
import dev.quill.prompts.render.PromptRun;
import dev.quill.prompts.render.RenderOptions;
import dev.quill.prompts.render.RenderedPrompt;
import dev.quill.prompts.render.RenderedStep;
import dev.quill.prompts.render.SandboxedRenderer;
import dev.quill.prompts.render.StepResult;
import dev.quill.prompts.store.PromptStore;
import dev.quill.server.EngineGenerator;
import dev.quill.server.ModelService;
import dev.quill.server.ServerMetrics;
import dev.quill.sampling.SamplingParams;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the prompt endpoints do beyond storing: reading templates from request bodies, rendering
 * with reframing rules, personas and chain-of-thought, and running on a model. The resource stays a
 * thin mapping of HTTP onto this and the {@link PromptStore}.
 */
@ApplicationScoped
public class PromptWorkbench {
    static final Set<String> RENDER_FIELDS = Set.of("variables", "rules", "label", "version", "persona", "cot", "model", "seed");

    private final PromptStore store;
    private final ModelService models;
    private final ServerMetrics metrics;
    private final ObjectMapper mapper;
    private final SandboxedRenderer sandbox = new SandboxedRenderer();

    public PromptWorkbench(PromptStore store, ModelService models, ServerMetrics metrics, ObjectMapper mapper) {
        this.store = store;
        this.models = models;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    // ---- templates from requests

    /**
     * The template a create or edit request carries: {@code content} in the file format, or the
     * fields {@code name, description, tags, variables, body | messages}. Every body is checked as
     * Qute, so a template that cannot render is refused when saved, not when used.
     */
    public PromptTemplate template(JsonRequest req, String nameFromPath) {
        PromptTemplate t;
        String content = req.string("content");
        if (content != null) {
            t = new PromptFileParser().parseTemplate("content", content);
        } else {
            String name = req.string("name") != null ? req.string("name") : nameFromPath;
            if (name == null) {
                throw req.missing("name", "the template's name (a slug such as qa/answer-check), or content in the file format");
            }
            PromptTemplate.Builder b = PromptTemplate.builder(name);
            if (req.string("description") != null) {
                b.description(req.string("description"));
            }
            List<String> tags = req.stringOrStrings("tags");
            if (tags != null) {
                b.tags(tags);
            }
            JsonNode vars = req.get("variables");
            if (vars != null) {
                if (!vars.isArray()) {
                    throw req.wrongType("variables", "an array of {name, description, required, default}", vars);
                }
                for (int i = 0; i < vars.size(); i++) {
                    JsonRequest v = JsonRequest.nested(vars.get(i), "variables[" + i + "]");
                    v.allowOnly(Set.of("name", "description", "required", "default", "example"), Set.of());
                    Boolean required = v.bool("required");
                    String def = v.string("default");
                    b.variable(new VariableSpec(v.requiredString("name"), v.string("description"),
                            required == null ? def == null : required, def, v.string("example")));
                }
            }
            JsonNode messages = req.get("messages");
            if (messages != null) {
                if (!messages.isArray()) {
                    throw req.wrongType("messages", "an array of {role, content}", messages);
                }
                for (int i = 0; i < messages.size(); i++) {
                    JsonRequest m = JsonRequest.nested(messages.get(i), "messages[" + i + "]");
                    m.allowOnly(Set.of("role", "content"), Set.of());
                    b.message(parse("messages[" + i + "].role", () -> Role.parse(m.requiredString("role"))), m.requiredString("content"));
                }
            }
            if (req.string("body") != null) {
                b.body(req.string("body"));
            }
            if (req.string("persona") != null) {
                b.persona(req.string("persona"));
            }
            t = b.build();
        }
        if (nameFromPath != null && !t.name().equals(nameFromPath)) {
            throw ApiException.invalid("name", "the template is named " + t.name() + " but the path names " + nameFromPath);
        }
        List<String> bodies = new ArrayList<>();
        if (!t.body().isEmpty()) {
            bodies.add(t.body());
        }
        t.messages().forEach(m -> bodies.add(m.body()));
        t.steps().forEach(s -> bodies.add(s.body()));
        for (String body : bodies) {
            sandbox.check(t.name(), body);
        }
        if (t.persona() != null && store.persona(t.persona()).isEmpty()) {
            throw ApiException.invalid("persona", "persona '" + t.persona() + "' is not in the store");
        }
        return t;
    }

    // ---- render and run

    /** What a render or run request asks for, resolved against the store. */
    public record Plan(PromptVersion version, PromptTemplate template, Map<String, Object> variables, RenderOptions options,
                CotMode cot, CotSpec cotSpec, ServedModel model, Long seed) {
    }

    Plan plan(String name, JsonRequest req, boolean needsModel) {
        return plan(name, req, needsModel, Set.of());
    }

    /** @param moreFields fields the endpoint accepts besides {@link #RENDER_FIELDS} */
    Plan plan(String name, JsonRequest req, boolean needsModel, Set<String> moreFields) {
        Set<String> allowed = new java.util.HashSet<>(RENDER_FIELDS);
        allowed.addAll(moreFields);
        req.allowOnly(allowed, Set.of());
        Integer version = req.integer("version");
        PromptVersion v = version != null ? store.get(name, version) : store.resolve(name, req.string("label"));
        PromptTemplate t = v.template();
        String persona = req.string("persona");
        if (persona != null) {
            if (store.persona(persona).isEmpty()) {
                throw new ApiException(404, "invalid_request_error", "persona", "not_found", "no persona named '" + persona + "'");
            }
            t = t.toBuilder().persona(persona).build();
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        JsonNode vn = req.get("variables");
        if (vn != null) {
            if (!vn.isObject()) {
                throw req.wrongType("variables", "an object of variable name to value", vn);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = vn.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode value = e.getValue();
                if (value.isNull()) {
                    continue;
                }
                // Values are data, never templates: strings, numbers, booleans, and lists or maps of them.
                vars.put(e.getKey(), value.isValueNode() ? (value.isTextual() ? value.asText()
                        : mapper.convertValue(value, Object.class)) : mapper.convertValue(value, Object.class));
            }
        }
        Set<ReframeRule> rules = EnumSet.noneOf(ReframeRule.class);
        JsonNode rn = req.get("rules");
        if (rn != null) {
            if (rn.isTextual() && rn.asText().equals("all")) {
                rules = EnumSet.allOf(ReframeRule.class);
            } else if (rn.isArray()) {
                for (JsonNode r : rn) {
                    if (!r.isTextual()) {
                        throw req.wrongType("rules", "an array of rule names", rn);
                    }
                    rules.add(parse("rules", () -> ReframeRule.parse(r.asText())));
                }
            } else {
                throw req.wrongType("rules", "\"all\" or an array of itemize, decompose, restrain, pattern, specialize", rn);
            }
        }
        CotMode cot = CotMode.OFF;
        String cotName = req.string("cot");
        if (cotName != null) {
            cot = parse("cot", () -> CotMode.parse(cotName));
        }
        if (cot != CotMode.OFF && t.kind() != TemplateKind.TEXT) {
            throw ApiException.invalid("cot", "chain-of-thought runs on text templates (Q: ... A: Let's think step by step.);"
                    + " " + t.name() + " is a chat template");
        }
        if (cot == CotMode.FEW_SHOT && t.examples().stream().noneMatch(e -> e.rationale() != null)) {
            throw ApiException.invalid("cot", "few-shot chain-of-thought needs examples with rationales; " + t.name() + " has none");
        }
        ServedModel model = null;
        if (needsModel || req.string("model") != null) {
            model = models.registry().acquire(req.string("model"));
        }
        RenderOptions options = new RenderOptions(rules, true, model == null ? null : model.tokenizer());
        return new Plan(v, t, vars, options, cot, t.cot(), model, req.longValue("seed"));
    }

    private PromptRenderer renderer() {
        return new PromptRenderer(sandbox, store::persona);
    }

    public Map<String, Object> render(String name, JsonRequest req) {
        Plan p = plan(name, req, false);
        RenderedPrompt r = renderer().render(p.template, p.variables, p.options);
        Map<String, Object> out = head(p);
        out.putAll(prompt(r.prompt(), p.model));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (RenderedStep s : r.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("name", s.name());
            step.putAll(prompt(s.prompt(), p.model));
            steps.add(step);
        }
        out.put("steps", steps);
        if (p.cot != CotMode.OFF) {
            String trigger = p.cotSpec == null ? null : p.cotSpec.trigger();
            AnswerFormat format = p.cotSpec == null || p.cotSpec.answerFormat() == null ? AnswerFormat.TEXT : p.cotSpec.answerFormat();
            String first = p.cot == CotMode.FEW_SHOT ? ChainOfThought.fewShotPrompt(r.text(), p.template.examples())
                    : ChainOfThought.reasoningPrompt(r.text(), trigger == null ? dev.quill.prompts.cot.ZeroShotTriggers.DEFAULT : trigger);
            Map<String, Object> cot = new LinkedHashMap<>();
            cot.put("mode", p.cot.id());
            cot.put("reasoning_prompt", first);
            if (p.cot == CotMode.TWO_STAGE) {
                cot.put("answer_trigger", ChainOfThought.answerTrigger(format));
            }
            out.put("cot", cot);
        }
        out.put("changes", changes(r.changes()));
        out.put("warnings", r.warnings());
        out.put("lint", lint(p.template));
        out.put("settings", r.settings());
        return out;
    }

    /** A checked run request: what to run and whether to stream it. */
    public record RunRequest(Plan plan, boolean stream) {
    }

    /**
     * Checks a run request and resolves it against the store and the model registry, on the
     * calling thread, so every mistake is an HTTP error before anything is generated.
     *
     * @param acceptsEventStream the client's Accept header asks for text/event-stream
     */
    public RunRequest runRequest(String name, JsonRequest req, boolean acceptsEventStream) {
        Boolean stream = req.bool("stream");
        Plan p = plan(name, req, true, Set.of("stream"));
        return new RunRequest(p, stream != null ? stream : acceptsEventStream);
    }

    /** Renders and generates: each step (decomposition) or stage (chain of thought) in order, each returned. */
    public Map<String, Object> run(String name, JsonRequest req) {
        return run(plan(name, req, true, Set.of("stream")));
    }

    /** Runs a checked request and returns the whole result. */
    public Map<String, Object> run(Plan p) {
        return execute(p, new EngineGenerator(p.model, metrics, p.seed));
    }

    /**
     * Runs a checked request on a virtual thread, streaming each call as it is generated (see
     * {@link RunEventStream} for the events). A client that goes away cancels the running call and
     * every later one.
     */
    public Multi<String> stream(Plan p) {
        RunEventStream events = new RunEventStream(mapper, head(p), p.cot);
        EngineGenerator generator = new EngineGenerator(p.model, metrics, SamplingParams.builder().seed(p.seed).build(), false, events);
        Thread.ofVirtual().name("quill-prompt-run").start(() -> {
            Map<String, Object> summary;
            try {
                summary = execute(p, generator);
            } catch (Throwable t) {
                events.fail(t);
                return;
            }
            events.finish(summary);
        });
        return events.frames().onCancellation().invoke(generator::cancel);
    }

    /** Runs a checked request on the generator (which may stream each call) and returns the whole result. */
    Map<String, Object> execute(Plan p, EngineGenerator generator) {
        Map<String, Object> out = head(p);
        List<Map<String, Object>> calls = new ArrayList<>();
        if (p.cot == CotMode.OFF) {
            PromptRun run = renderer().run(p.template, p.variables, p.options, generator);
            for (StepResult s : run.calls()) {
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("name", s.name());
                call.putAll(prompt(s.prompt(), null));
                call.put("output", s.output());
                calls.add(call);
            }
            out.put("output", run.output());
            out.put("changes", changes(run.rendered().changes()));
            out.put("warnings", run.rendered().warnings());
            out.put("allowed_answers", run.rendered().settings().allowedAnswers());
        } else {
            RenderedPrompt r = renderer().render(p.template, p.variables, p.options);
            ChainOfThought.Options cot = cotOptions(p, r, null, List.of());
            CotResult result = new ChainOfThought(generator).run(r.text(), cot);
            calls.addAll(cotCalls(p, result));
            out.put("reasoning", result.reasoning());
            out.put("output", result.rawAnswer());
            out.put("answer", result.answer().orElse(null));
            out.put("changes", changes(r.changes()));
            out.put("warnings", r.warnings());
            out.put("allowed_answers", cot.answerSettings().allowedAnswers());
        }
        out.put("calls", calls);
        out.put("usage", usage(generator));
        return out;
    }

    static Map<String, Object> usage(EngineGenerator generator) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", generator.promptTokens());
        usage.put("completion_tokens", generator.completionTokens());
        usage.put("total_tokens", generator.promptTokens() + generator.completionTokens());
        usage.put("calls", generator.calls().size());
        return usage;
    }

    /**
     * The chain of thought's options for a plan: the template's trigger and answer format, a
     * reasoning budget that leaves room for the answer stage, and, with the restrain rule, the
     * answer stage decoded under the template's allowed answers or the format's (A–E, Yes/No).
     *
     * @param maxReasoningTokens a caller's cap on the reasoning call (chat completions' max_tokens); null for none
     * @param stop               a caller's stop sequences, added to every call
     */
    ChainOfThought.Options cotOptions(Plan p, RenderedPrompt r, Integer maxReasoningTokens, List<String> stop) {
        AnswerFormat format = p.cotSpec == null || p.cotSpec.answerFormat() == null ? AnswerFormat.TEXT : p.cotSpec.answerFormat();
        ChainOfThought.Options o = p.cot == CotMode.FEW_SHOT ? ChainOfThought.Options.fewShot(format, p.template.examples())
                : ChainOfThought.Options.of(p.cot, format).withTrigger(p.cotSpec == null ? null : p.cotSpec.trigger());
        // The answer stage repeats the question and the reasoning: keep the reasoning to a quarter of the
        // context, so a small model's context still holds stage 2.
        int reasoningTokens = Math.min(o.reasoningSettings().maxTokens(), Math.max(16, p.model.contextLength() / 4));
        if (maxReasoningTokens != null) {
            reasoningTokens = Math.min(reasoningTokens, maxReasoningTokens);
        }
        GenerationSettings answer = o.answerSettings().withAllowedAnswers(answerChoices(p, r, format));
        return new ChainOfThought.Options(o.mode(), o.trigger(), o.format(), o.examples(),
                o.reasoningSettings().withMaxTokens(reasoningTokens).withStop(stop), answer.withStop(stop));
    }

    /**
     * The answers the answer-extraction stage is constrained to: none without the restrain rule
     * (Kojima's free answer, then cleaning); with it, the template's allowed answers, else the
     * format's fixed set.
     */
    private static List<String> answerChoices(Plan p, RenderedPrompt r, AnswerFormat format) {
        if (!p.options.has(ReframeRule.RESTRAIN)) {
            return List.of();
        }
        if (!r.settings().allowedAnswers().isEmpty()) {
            return r.settings().allowedAnswers();
        }
        return switch (format) {
            case CHOICE -> List.of("A", "B", "C", "D", "E");
            case YES_NO -> List.of("Yes", "No");
            default -> List.of();
        };
    }

    static List<Map<String, Object>> cotCalls(Plan p, CotResult result) {
        String[] stageNames = p.cot == CotMode.TWO_STAGE ? new String[] {"reasoning", "answer"} : new String[] {p.cot.id()};
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i < result.calls().size(); i++) {
            CotResult.Call c = result.calls().get(i);
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("name", i < stageNames.length ? stageNames[i] : "call " + (i + 1));
            call.put("text", c.prompt());
            call.put("output", c.output());
            calls.add(call);
        }
        return calls;
    }

    private static Map<String, Object> head(Plan p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.template.name());
        out.put("version", p.version.number());
        out.put("model", p.model == null ? null : p.model.id());
        out.put("rules", p.options.rules().stream().map(ReframeRule::id).sorted().toList());
        out.put("cot", p.cot.id());
        out.put("persona", p.template.persona());
        return out;
    }

    /** A prompt as JSON: {@code text} or {@code messages}, and its token count when a model is known. */
    static Map<String, Object> prompt(Prompt prompt, ServedModel model) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (prompt instanceof Prompt.Chat chat) {
            List<ChatMessage> merged = chat.messages();
            out.put("messages", merged.stream().map(m -> Map.of("role", m.role().id(), "content", m.content())).toList());
            if (model != null) {
                var wire = merged.stream().map(m -> new dev.quill.chat.ChatMessage(m.role().id(), m.content())).toList();
                try {
                    out.put("tokens", model.renderChat(wire, true).tokens().length);
                } catch (RuntimeException e) {
                    if (!PersonaMerger.isSystemRoleUnsupported(e)) {
                        throw e;
                    }
                    // The model's chat template has no system role: count what it would really get.
                    var folded = PersonaMerger.forTemplate(merged, false).stream()
                            .map(m -> new dev.quill.chat.ChatMessage(m.role().id(), m.content())).toList();
                    out.put("tokens", model.renderChat(folded, true).tokens().length);
                }
            }
        } else {
            String text = ((Prompt.Text) prompt).text();
            out.put("text", text);
            if (model != null) {
                out.put("tokens", model.tokenizer().encode(text, true, false).length);
            }
        }
        return out;
    }

    private static List<Map<String, Object>> changes(List<Change> changes) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", c.rule().id());
            m.put("type", c.type().name().toLowerCase(java.util.Locale.ROOT));
            m.put("location", c.location());
            m.put("before", c.before());
            m.put("after", c.after());
            m.put("explanation", c.explanation());
            out.add(m);
        }
        return out;
    }

    private static List<LintFinding> lint(PromptTemplate t) {
        return PromptLinter.lint(t);
    }

    /**
     * A chat completion request after its {@code "quill"} object was expanded.
     *
     * @param request        the request rewritten as a plain one (messages and defaults filled in)
     * @param allowedAnswers when not empty, the reply is decoded under a choice constraint (restrain rule)
     * @param cot            the chain of thought to run instead of one completion; null for none
     */
    public record ChatExpansion(ObjectNode request, List<String> allowedAnswers, ChatCot cot) {
    }

    /** A chain of thought asked for on chat completions: run with {@link #run}. */
    public final class ChatCot {
        private final Plan plan;
        private final RenderedPrompt rendered;

        ChatCot(Plan plan, RenderedPrompt rendered) {
            this.plan = plan;
            this.rendered = rendered;
        }

        public CotMode mode() {
            return plan.cot;
        }

        /** Whether the one call writes "The answer is ..." after its reasoning (few-shot), which a stream must hold back. */
        public boolean answerInReasoning() {
            return plan.cot == CotMode.FEW_SHOT;
        }

        /**
         * Runs every stage on the generator. The request's max_tokens caps the reasoning call, its
         * stop sequences apply to every call.
         */
        public CotResult run(EngineGenerator generator, Integer maxTokens, List<String> stop) {
            return new ChainOfThought(generator).run(rendered.text(), cotOptions(plan, rendered, maxTokens, stop));
        }

        /** What the response reports under {@code "quill"}: the template, each call's exact prompt and output, the cleaned answer. */
        public Map<String, Object> report(CotResult result) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("prompt", plan.template.name());
            out.put("version", plan.version.number());
            out.put("cot", plan.cot.id());
            out.put("calls", cotCalls(plan, result));
            out.put("raw_answer", result.rawAnswer());
            out.put("answer", result.answer().orElse(null));
            return out;
        }
    }

    /**
     * The {@code "quill"} extension of /v1/chat/completions: {@code {"prompt": "name[@label|@version]",
     * "variables", "rules", "persona", "cot"}} renders a stored template, whose messages replace the
     * raw {@code messages} (a text template becomes one user message) and whose default model
     * parameters fill in what the request leaves out. A chain of thought other than off is returned
     * as a {@link ChatCot} to run stage by stage; its first stage is the request's message.
     */
    public ChatExpansion expandChatRequest(ObjectNode request) {
        JsonNode quill = request.remove("quill");
        if (quill == null || quill.isNull()) {
            return new ChatExpansion(request, List.of(), null);
        }
        if (!quill.isObject()) {
            throw ApiException.invalid("quill", "quill must be an object such as {\"prompt\": \"qa/answer-check@production\","
                    + " \"variables\": {...}}, got " + JsonRequest.typeName(quill));
        }
        if (request.has("messages")) {
            throw ApiException.invalid("messages", "give messages or quill.prompt, not both: the template makes the messages");
        }
        ObjectNode q = ((ObjectNode) quill).deepCopy();
        JsonNode ref = q.remove("prompt");
        if (ref == null || !ref.isTextual() || ref.asText().isBlank()) {
            throw ApiException.invalid("quill.prompt", "quill.prompt must name a stored template, e.g. qa/answer-check@production");
        }
        String name = ref.asText().strip();
        int at = name.lastIndexOf('@');
        if (at >= 0) {
            String which = name.substring(at + 1);
            name = name.substring(0, at);
            if (!which.isEmpty() && which.chars().allMatch(Character::isDigit)) {
                q.put("version", Integer.parseInt(which));
            } else {
                q.put("label", which);
            }
        }
        if (request.hasNonNull("model")) {
            q.set("model", request.get("model"));
        }
        JsonRequest req = JsonRequest.nested(q, "quill");
        Plan p = plan(name, req, false);
        RenderedPrompt r = renderer().render(p.template, p.variables, p.options);
        var messages = request.putArray("messages");
        ChatCot cot = null;
        if (r.prompt() instanceof Prompt.Chat chat) {
            for (ChatMessage m : chat.messages()) {
                messages.addObject().put("role", m.role().id()).put("content", m.content());
            }
        } else {
            String text = r.text();
            if (p.cot != CotMode.OFF) {
                if (p.model == null) {
                    // The chain's budget depends on the model's context: the request's model or the default.
                    p = new Plan(p.version, p.template, p.variables, p.options, p.cot, p.cotSpec,
                            models.registry().acquire(null), p.seed);
                }
                cot = new ChatCot(p, r);
                text = p.cot == CotMode.FEW_SHOT ? ChainOfThought.fewShotPrompt(text, p.template.examples())
                        : ChainOfThought.reasoningPrompt(text, p.cotSpec == null || p.cotSpec.trigger() == null
                        ? dev.quill.prompts.cot.ZeroShotTriggers.DEFAULT : p.cotSpec.trigger());
            }
            messages.addObject().put("role", "user").put("content", text);
        }
        var d = r.settings().parameters();
        putIfAbsent(request, "temperature", d.temperature());
        putIfAbsent(request, "top_p", d.topP());
        putIfAbsent(request, "top_k", d.topK());
        putIfAbsent(request, "min_p", d.minP());
        putIfAbsent(request, "repetition_penalty", d.repeatPenalty());
        putIfAbsent(request, "seed", d.seed());
        putIfAbsent(request, "presence_penalty", d.presencePenalty());
        putIfAbsent(request, "frequency_penalty", d.frequencyPenalty());
        if (cot == null && !request.has("max_tokens") && !request.has("max_completion_tokens") && r.settings().maxTokens() != null) {
            request.put("max_tokens", r.settings().maxTokens());
        }
        if (cot == null && !request.has("stop") && !r.settings().stop().isEmpty()) {
            var stop = request.putArray("stop");
            r.settings().stop().stream().limit(4).forEach(stop::add);
        }
        return new ChatExpansion(request, cot == null ? r.settings().allowedAnswers() : List.of(), cot);
    }

    private void putIfAbsent(ObjectNode request, String field, Object value) {
        if (value != null && !request.has(field)) {
            request.set(field, mapper.valueToTree(value));
        }
    }

    /** Enum parsing throws IllegalArgumentException with a message listing what is allowed: a 400 naming the field. */
    static <T> T parse(String param, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, e.getMessage());
        }
    }
}
