package dev.quill.prompts;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the engine needs besides the prompt: the sampling parameters (template defaults,
 * possibly tightened by the restrain rule) and the allowed answers for constrained decoding.
 *
 * @param parameters     temperature, top_p, ..., max_tokens and stop sequences
 * @param allowedAnswers when not empty, the output must be exactly one of these; the engine
 *                       enforces it with {@link dev.quill.prompts.constrain.ChoiceConstraint}
 */
public record GenerationSettings(ModelDefaults parameters, List<String> allowedAnswers) {
    public static final GenerationSettings DEFAULT = new GenerationSettings(ModelDefaults.NONE, List.of());

    public GenerationSettings {
        parameters = parameters == null ? ModelDefaults.NONE : parameters;
        allowedAnswers = allowedAnswers == null ? List.of() : List.copyOf(allowedAnswers);
    }

    public static GenerationSettings of(ModelDefaults parameters) {
        return new GenerationSettings(parameters, List.of());
    }

    public Integer maxTokens() {
        return parameters.maxTokens();
    }

    public List<String> stop() {
        return parameters.stop();
    }

    public GenerationSettings withMaxTokens(Integer maxTokens) {
        ModelDefaults p = parameters;
        return new GenerationSettings(new ModelDefaults(p.temperature(), p.topP(), p.topK(), p.minP(), maxTokens, p.stop(),
                p.seed(), p.repeatPenalty(), p.presencePenalty(), p.frequencyPenalty()), allowedAnswers);
    }

    /** Adds stop sequences not already present, keeping order. */
    public GenerationSettings withStop(List<String> more) {
        List<String> stop = new ArrayList<>(parameters.stop());
        for (String s : more) {
            if (!stop.contains(s)) {
                stop.add(s);
            }
        }
        ModelDefaults p = parameters;
        return new GenerationSettings(new ModelDefaults(p.temperature(), p.topP(), p.topK(), p.minP(), p.maxTokens(), stop,
                p.seed(), p.repeatPenalty(), p.presencePenalty(), p.frequencyPenalty()), allowedAnswers);
    }

    public GenerationSettings withAllowedAnswers(List<String> answers) {
        return new GenerationSettings(parameters, answers);
    }
}
