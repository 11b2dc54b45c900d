package dev.quill.prompts.render;

import dev.quill.prompts.PromptException;
import dev.quill.prompts.RenderLimitException;
import dev.quill.prompts.TemplateRenderException;
import io.quarkus.qute.Engine;
import io.quarkus.qute.IfSectionHelper;
import io.quarkus.qute.SetSectionHelper;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.ValueResolvers;
import io.quarkus.qute.WhenSectionHelper;
import io.quarkus.qute.WithSectionHelper;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Renders user-written Qute templates in a sandbox.
 *
 * <p>What a template can do: output variables, {@code {#if}}, {@code {#for}}/{@code {#each}} over
 * lists and maps, {@code {#let}}/{@code {#set}}, {@code {#with}}, {@code {#when}}/{@code {#switch}},
 * the elvis/or operators, integer {@code +}/{@code -}, list and map properties ({@code size},
 * {@code get(i)}, {@code first}, {@code keys}, ...), and the string properties {@code length},
 * {@code isEmpty}, {@code isBlank}, {@code upper}, {@code lower}, {@code trim}.
 *
 * <p>What it cannot do: reach Java objects (no reflection resolver: {@code {name.getClass}} fails),
 * call static methods, read config, CDI beans, environment or files (no namespace resolvers, so
 * {@code {inject:x}}, {@code {config:x}}, {@code {cdi:x}}, {@code {str:x}} fail), include or evaluate
 * other templates ({@code {#include}}, {@code {#insert}}, {@code {#eval}} are not installed).
 * Variables are copied into plain strings, numbers, booleans, lists and maps first
 * ({@link SafeValues}). Rendering is strict: an unknown variable or property is an error, not
 * silent text. Limits ({@link RenderLimits}): template size, section nesting, loop iterations,
 * output size and wall-clock time, each failing with a {@link RenderLimitException}.
 *
 * <p>Thread-safe; rendering runs on the calling thread.
 */
public final class SandboxedRenderer {
    private final RenderLimits limits;
    private final Engine engine;

    public SandboxedRenderer() {
        this(RenderLimits.defaults());
    }

    public SandboxedRenderer(RenderLimits limits) {
        this.limits = limits;
        this.engine = Engine.builder()
                .addSectionHelper(new IfSectionHelper.Factory())
                .addSectionHelper(new GuardedLoopFactory())
                .addSectionHelper(new WithSectionHelper.Factory())
                .addSectionHelper(new SetSectionHelper.Factory())
                .addSectionHelper(new WhenSectionHelper.Factory())
                // Only resolvers that work on the plain values SafeValues produces; deliberately no
                // ReflectionValueResolver and no namespace resolvers.
                .addValueResolvers(
                        ValueResolvers.mapResolver(),
                        ValueResolvers.mapEntryResolver(),
                        // Resolves loop aliases and {#let} variables (Qute's own Mapper objects); the
                        // variables themselves are never Mappers.
                        ValueResolvers.mapperResolver(),
                        ValueResolvers.collectionResolver(),
                        ValueResolvers.listResolver(),
                        ValueResolvers.thisResolver(),
                        ValueResolvers.orResolver(),
                        ValueResolvers.orEmpty(),
                        ValueResolvers.trueResolver(),
                        ValueResolvers.logicalAndResolver(),
                        ValueResolvers.logicalOrResolver(),
                        ValueResolvers.plusResolver(),
                        ValueResolvers.minusResolver(),
                        new StringHelpers())
                .strictRendering(true)
                .removeStandaloneLines(true)
                .build();
    }

    public RenderLimits limits() {
        return limits;
    }

    /** Parses the template without rendering it, to report syntax errors early (e.g. when saving). */
    public void check(String templateId, String source) {
        parse(templateId, source);
    }

    /**
     * Renders {@code source} with exactly these variables.
     *
     * @param templateId names the template in error messages
     * @throws TemplateRenderException  for a syntax error, an unknown variable or property, a bad loop
     * @throws RenderLimitException     when a limit is reached
     * @throws dev.quill.prompts.InvalidVariableException when a value is not a string, number,
     *                                  boolean, list or map
     */
    public String render(String templateId, String source, Map<String, ?> variables) {
        Template template = parse(templateId, source);
        Map<String, Object> data = SafeValues.copy(variables, limits);
        RenderBudget budget = new RenderBudget(limits);
        StringBuilder out = new StringBuilder();
        TemplateInstance instance = template.instance();
        data.forEach(instance::data);
        instance.setAttribute(RenderBudget.ATTRIBUTE, budget);
        try {
            instance.consume(chunk -> {
                budget.output(chunk.length());
                out.append(chunk);
            }).toCompletableFuture().get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw translate(templateId, e.getCause());
        } catch (TimeoutException e) {
            throw new RenderLimitException("time", "rendering took longer than the limit of " + limits.timeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PromptException("rendering of " + templateId + " was interrupted");
        } catch (RuntimeException e) {
            throw translate(templateId, e);
        } catch (StackOverflowError e) {
            throw new RenderLimitException("nesting", "template " + templateId + " nests too deeply to render");
        }
        return out.toString();
    }

    private Template parse(String templateId, String source) {
        if (source.length() > limits.maxTemplateChars()) {
            throw new RenderLimitException("template_chars", "template " + templateId + " is " + source.length()
                    + " characters long; the limit is " + limits.maxTemplateChars());
        }
        checkNesting(templateId, source);
        try {
            return engine.parse(source, null, templateId);
        } catch (TemplateException e) {
            throw translate(templateId, e);
        } catch (StackOverflowError e) {
            throw new RenderLimitException("nesting", "template " + templateId + " nests too deeply to parse");
        }
    }

    /** A cheap scan of section tags, so that absurd nesting fails before Qute recurses on it. */
    private void checkNesting(String templateId, String source) {
        int depth = 0;
        int max = 0;
        for (int i = source.indexOf('{'); i >= 0; i = source.indexOf('{', i + 1)) {
            if (i + 1 >= source.length()) {
                break;
            }
            char c = source.charAt(i + 1);
            if (c == '#') {
                int close = source.indexOf('}', i);
                String tag = source.substring(i + 2, close < 0 ? source.length() : close);
                String name = tag.split("[\\s}]", 2)[0];
                boolean selfClosing = close > 0 && source.charAt(close - 1) == '/';
                // Block labels of an enclosing section, not sections of their own.
                boolean label = name.equals("else") || name.equals("is") || name.equals("case");
                if (!selfClosing && !label) {
                    max = Math.max(max, ++depth);
                }
            } else if (c == '/') {
                depth = Math.max(0, depth - 1);
            }
        }
        if (max > limits.maxNesting()) {
            throw new RenderLimitException("nesting", "template " + templateId + " nests sections " + max
                    + " deep; the limit is " + limits.maxNesting());
        }
    }

    private static RuntimeException translate(String templateId, Throwable t) {
        Throwable cause = t;
        // Qute wraps what a resolver or our loop guard throws; the innermost PromptException is the real message.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PromptException pe) {
                return pe instanceof TemplateRenderException tre && tre.line() == 0
                        ? new TemplateRenderException("template " + templateId + ": " + tre.getMessage(), 0)
                        : pe;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        if (cause instanceof TemplateException te) {
            int line = te.getOrigin() == null ? 0 : te.getOrigin().getLine();
            String msg = te.getMessage() == null ? "template error" : te.getMessage();
            return new TemplateRenderException("template " + templateId + (line > 0 ? " line " + line : "") + ": " + msg, line);
        }
        if (cause instanceof RuntimeException re) {
            // Anything else from inside Qute is still the template's fault, but say so without internals.
            return new TemplateRenderException("template " + templateId + " failed to render: "
                    + re.getClass().getSimpleName() + (re.getMessage() == null ? "" : ": " + re.getMessage()), 0);
        }
        return new TemplateRenderException("template " + templateId + " failed to render: " + cause, 0);
    }
}
