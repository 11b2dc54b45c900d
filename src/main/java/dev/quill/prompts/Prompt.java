package dev.quill.prompts;

import java.util.List;

/** What is sent to the model: a completion text or a list of chat messages. */
public sealed interface Prompt {
    record Text(String text) implements Prompt {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text must not be null");
            }
        }
    }

    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    static Prompt text(String text) {
        return new Text(text);
    }

    static Prompt chat(List<ChatMessage> messages) {
        return new Chat(messages);
    }
}
