package dev.quill.api.openai;

import java.util.List;

/** A checked POST /v1/completions body: one choice per prompt. */
record CompletionRequest(List<String> prompts, GenerationOptions options) {
}
