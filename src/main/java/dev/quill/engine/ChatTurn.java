package dev.quill.engine;

import java.util.Objects;

/** One message of a conversation: its role ({@code system}, {@code user}, {@code assistant}) and text. */
public record ChatTurn(String role, String content) {
    public ChatTurn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
