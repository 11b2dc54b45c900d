package dev.quill.api.openai;

import dev.quill.chat.ChatMessage;
import java.util.List;

/** A checked POST /v1/chat/completions body. */
record ChatRequest(List<ChatMessage> messages, GenerationOptions options) {
}
