package dev.quill.prompts;

/** One message of a chat template; the body is Qute. */
public record MessageTemplate(Role role, String body) {
    public MessageTemplate {
        if (role == null) {
            throw new InvalidTemplateException("messages", "a message needs a role (system, user or assistant)");
        }
        body = Text.normalizeBody(body == null ? "" : body);
    }
}
