package dev.quill.chat;

import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it: {@code message.role} and
 * {@code message.content}. A null content renders as Jinja2's {@code none} (some templates test
 * {@code message.content is none} for tool-call turns).
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
