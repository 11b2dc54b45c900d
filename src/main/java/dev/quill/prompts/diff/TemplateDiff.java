package dev.quill.prompts.diff;

import java.util.List;

/**
 * The difference between two versions of a template, for the API and the UI.
 *
 * @param fromHash content hash of the old version
 * @param toHash   content hash of the new version
 * @param fields   settings that differ, field by field
 * @param sections bodies that differ, each as hunks with old and new line numbers
 */
public record TemplateDiff(String fromHash, String toHash, List<FieldChange> fields, List<SectionDiff> sections) {
    public TemplateDiff {
        fields = List.copyOf(fields);
        sections = List.copyOf(sections);
    }

    public boolean isEmpty() {
        return fields.isEmpty() && sections.isEmpty();
    }
}
