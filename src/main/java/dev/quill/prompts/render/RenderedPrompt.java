package dev.quill.prompts.render;

import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.reframe.Change;
import dev.quill.prompts.reframe.ReframeRule;

import java.util.List;
import java.util.Set;

/**
 * A rendered template: the prompt to send, the engine settings, and what each reframing rule changed.
 *
 * @param template the template's name
 * @param prompt   the final prompt (for a decomposed template: the last call, with earlier step
 *                 outputs shown as placeholders)
 * @param steps    the calls of a decomposed template in order, the last one producing the answer;
 *                 empty when the template runs as one prompt
 * @param settings sampling parameters, max tokens, stop sequences, allowed answers
 * @param changes  what the rules changed, in the order they were applied
 * @param warnings things the caller should know (unknown variables ignored, a rule with nothing to do)
 * @param rules    the rules that were asked for
 */
public record RenderedPrompt(
        String template,
        Prompt prompt,
        List<RenderedStep> steps,
        GenerationSettings settings,
        List<Change> changes,
        List<String> warnings,
        Set<ReframeRule> rules) {

    public RenderedPrompt {
        steps = List.copyOf(steps);
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
        rules = Set.copyOf(rules);
    }

    /** The text of a text prompt, or null for a chat prompt. */
    public String text() {
        return prompt instanceof Prompt.Text t ? t.text() : null;
    }

    /** The messages of a chat prompt, or an empty list for a text prompt. */
    public List<ChatMessage> messages() {
        return prompt instanceof Prompt.Chat c ? c.messages() : List.of();
    }

    public List<Change> changes(ReframeRule rule) {
        return changes.stream().filter(c -> c.rule() == rule).toList();
    }
}
