package dev.quill.prompts.render;

import dev.quill.prompts.TemplateRenderException;
import io.quarkus.qute.Expression;
import io.quarkus.qute.LoopSectionHelper;
import io.quarkus.qute.ResolutionContext;
import io.quarkus.qute.ResultNode;
import io.quarkus.qute.Scope;
import io.quarkus.qute.SectionBlock;
import io.quarkus.qute.SectionHelper;
import io.quarkus.qute.SectionHelperFactory;
import io.quarkus.qute.Template;
import io.quarkus.qute.Evaluator;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Qute's {@code {#for}}/{@code {#each}} with a budget: it only iterates over lists and maps (Qute
 * would also count up to any integer, {@code {#for i in 2000000000}}), and every iteration, at any
 * nesting depth, is counted against the rendering's {@link RenderBudget}.
 *
 * <p>Parsing and iteration metadata ({@code it_index}, {@code it_hasNext}, ...) stay Qute's own;
 * this wrapper only sees the iterable and each execution of the loop body.
 */
final class GuardedLoopFactory implements SectionHelperFactory<SectionHelper> {
    private final LoopSectionHelper.Factory delegate = new LoopSectionHelper.Factory();

    @Override
    public List<String> getDefaultAliases() {
        return delegate.getDefaultAliases();
    }

    @Override
    public ParametersInfo getParameters() {
        return delegate.getParameters();
    }

    @Override
    public List<String> getBlockLabels() {
        return delegate.getBlockLabels();
    }

    @Override
    public Scope initializeBlock(Scope previousScope, BlockInfo block) {
        return delegate.initializeBlock(previousScope, block);
    }

    @Override
    public SectionHelper initialize(SectionInitContext context) {
        LoopSectionHelper loop = delegate.initialize(context);
        return section -> {
            RenderBudget budget = (RenderBudget) section.resolutionContext().getAttribute(RenderBudget.ATTRIBUTE);
            if (budget == null) {
                // Only SandboxedRenderer renders with this engine, and it always sets a budget.
                throw new IllegalStateException("loop rendered without a render budget");
            }
            return loop.resolve(new GuardedSection(section, budget));
        };
    }

    private record GuardedSection(SectionHelper.SectionResolutionContext delegate, RenderBudget budget)
            implements SectionHelper.SectionResolutionContext {
        @Override
        public CompletionStage<Map<String, Object>> evaluate(Map<String, Expression> expressions) {
            return delegate.evaluate(expressions);
        }

        @Override
        public ResolutionContext resolutionContext() {
            return new IterableCheckingContext(delegate.resolutionContext(), budget);
        }

        @Override
        public ResolutionContext newResolutionContext(Object data, Map<String, SectionBlock> extendingBlocks) {
            return delegate.newResolutionContext(data, extendingBlocks);
        }

        @Override
        public CompletionStage<ResultNode> execute(SectionBlock block, ResolutionContext context) {
            budget.iteration();
            return delegate.execute(block, context);
        }

        @Override
        public Map<String, Object> getParameters() {
            return delegate.getParameters();
        }
    }

    /** The loop evaluates its iterable through this context; everything else passes through. */
    private record IterableCheckingContext(ResolutionContext delegate, RenderBudget budget) implements ResolutionContext {
        @Override
        public CompletionStage<Object> evaluate(String expression) {
            return delegate.evaluate(expression).thenApply(v -> checkIterable(expression, v));
        }

        @Override
        public CompletionStage<Object> evaluate(Expression expression) {
            return delegate.evaluate(expression).thenApply(v -> checkIterable(expression.toOriginalString(), v));
        }

        private Object checkIterable(String expression, Object value) {
            int size;
            if (value instanceof Collection<?> c) {
                size = c.size();
            } else if (value instanceof Map<?, ?> m) {
                size = m.size();
            } else {
                throw new TemplateRenderException("a loop can only go over a list or a map, but " + expression
                        + " is " + describe(value), 0);
            }
            budget.checkLoopSize(size);
            return value;
        }

        private static String describe(Object value) {
            return switch (value) {
                case null -> "null";
                case Number n -> "the number " + n;
                case String s -> "a string";
                case Boolean b -> "a boolean";
                default -> "not a list";
            };
        }

        @Override
        public ResolutionContext createChild(Object data, Map<String, SectionBlock> extendingBlocks) {
            return delegate.createChild(data, extendingBlocks);
        }

        @Override
        public Object getData() {
            return delegate.getData();
        }

        @Override
        public ResolutionContext getParent() {
            return delegate.getParent();
        }

        @Override
        public SectionBlock getExtendingBlock(String name) {
            return delegate.getExtendingBlock(name);
        }

        @Override
        public SectionBlock getCurrentExtendingBlock(String name) {
            return delegate.getCurrentExtendingBlock(name);
        }

        @Override
        public Object getAttribute(String key) {
            return delegate.getAttribute(key);
        }

        @Override
        public Template getTemplate() {
            return delegate.getTemplate();
        }

        @Override
        public Evaluator getEvaluator() {
            return delegate.getEvaluator();
        }
    }
}
