package dev.quill.prompts.store;

import java.time.Instant;
import java.util.List;

/** One line of the prompt list: what search matches on, and where the prompt stands. */
public record PromptSummary(String name, String description, List<String> tags, boolean archived, int latestVersion,
                            Instant created) {
    public PromptSummary {
        tags = List.copyOf(tags);
    }
}
