package dev.quill.prompts.render;

import io.quarkus.qute.CompletedStage;
import io.quarkus.qute.EvalContext;
import io.quarkus.qute.ValueResolver;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The few string properties templates may use: {@code length}, {@code isEmpty}, {@code isBlank},
 * {@code upper}, {@code lower}, {@code trim}. A fixed list on String only, never reflection.
 */
final class StringHelpers implements ValueResolver {
    static final Set<String> PROPERTIES = Set.of("length", "isEmpty", "isBlank", "upper", "lower", "trim");

    @Override
    public boolean appliesTo(EvalContext context) {
        return context.getBase() instanceof String && context.getParams().isEmpty()
                && PROPERTIES.contains(context.getName());
    }

    @Override
    public CompletionStage<Object> resolve(EvalContext context) {
        String s = (String) context.getBase();
        Object result = switch (context.getName()) {
            case "length" -> s.length();
            case "isEmpty" -> s.isEmpty();
            case "isBlank" -> s.isBlank();
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "trim" -> s.strip();
            default -> throw new IllegalStateException(context.getName());
        };
        return CompletedStage.of(result);
    }
}
