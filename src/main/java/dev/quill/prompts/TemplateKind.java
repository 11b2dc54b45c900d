package dev.quill.prompts;

/** A TEXT template renders one completion prompt; a CHAT template renders a list of messages. */
public enum TemplateKind {
    TEXT, CHAT;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
