package dev.quill.api.openai;

import dev.quill.engine.ChatTurn;
import java.util.List;

/** A checked POST /v1/chat/completions body. */
record ChatRequest(List<ChatTurn> messages, GenerationOptions options) {
}
