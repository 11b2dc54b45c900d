package dev.quill.prompts;

import java.util.List;

/** A reusable system prompt: the character or role the model takes on. */
public record Persona(String name, String description, List<String> tags, String systemPrompt) {
    public Persona {
        Names.requireSlug("name", name);
        description = Text.normalizeLine(description);
        tags = tags == null ? List.of() : List.copyOf(tags);
        systemPrompt = Text.normalizeBody(systemPrompt == null ? "" : systemPrompt);
        if (systemPrompt.isEmpty()) {
            throw new InvalidTemplateException("system prompt", "persona " + name + " has an empty system prompt");
        }
    }
}
