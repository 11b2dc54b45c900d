/**
 * Tokenizers for GGUF vocabularies that reproduce llama.cpp's token ids exactly.
 *
 * <p>{@link dev.quill.tokenizer.Tokenizers#fromGguf} reads {@code tokenizer.ggml.*} metadata and
 * returns a {@link dev.quill.tokenizer.Tokenizer}: SentencePiece for {@code llama} vocabularies
 * (Llama 2, Phi-3, TinyStories), byte-level BPE for {@code gpt2} ones (Llama 3, Qwen2, GPT-2)
 * with the pre-tokenizer {@code tokenizer.ggml.pre} names. Special tokens in text are recognised
 * only when asked ({@code parseSpecial}), so user content cannot inject template tokens.
 * {@link dev.quill.tokenizer.StreamingDetokenizer} turns generated ids into text without ever
 * splitting a character.
 */
package dev.quill.tokenizer;
