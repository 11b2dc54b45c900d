package dev.quill.prompts.diff;

import dev.quill.prompts.PromptException;
import dev.quill.prompts.PromptTemplate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The version history of one template, in memory: the rules a store follows (the database store
 * keeps the same records). Every change of content is a new numbered version whose parent is the
 * version it was edited from; saving unchanged content makes no version. Not thread-safe.
 */
public final class VersionLog {
    private final String name;
    private final Clock clock;
    private final List<PromptVersion> versions = new ArrayList<>();

    public VersionLog(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    /**
     * Records the template as a new version made from {@code parent} (0 for the first version).
     *
     * @return the new version, or the parent itself when the content is unchanged
     * @throws PromptException when the name differs or the parent does not exist
     */
    public PromptVersion commit(PromptTemplate template, String message, int parent) {
        if (!template.name().equals(name)) {
            throw new PromptException("version log of " + name + " cannot take template " + template.name());
        }
        if (parent < 0 || parent > versions.size() || (parent == 0 && !versions.isEmpty())) {
            throw new PromptException("template " + name + " has no version " + parent + " to edit (versions 1.." + versions.size() + ")");
        }
        String hash = ContentHash.of(template);
        if (parent > 0 && versions.get(parent - 1).hash().equals(hash)) {
            return versions.get(parent - 1);
        }
        PromptVersion v = new PromptVersion(versions.size() + 1, hash, message == null ? "" : message.strip(), clock.instant(), parent, template);
        versions.add(v);
        return v;
    }

    public Optional<PromptVersion> version(int number) {
        return number >= 1 && number <= versions.size() ? Optional.of(versions.get(number - 1)) : Optional.empty();
    }

    public Optional<PromptVersion> latest() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
    }

    public List<PromptVersion> versions() {
        return List.copyOf(versions);
    }

    /** The diff between two versions by number. */
    public TemplateDiff diff(int from, int to) {
        PromptVersion a = version(from).orElseThrow(() -> new PromptException(name + " has no version " + from));
        PromptVersion b = version(to).orElseThrow(() -> new PromptException(name + " has no version " + to));
        return PromptDiff.between(a.template(), b.template());
    }
}
