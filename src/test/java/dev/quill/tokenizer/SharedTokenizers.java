package dev.quill.tokenizer;

import dev.quill.testutil.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tokenizers read from ../shared, each loaded once per test run (Llama 3's takes a moment). */
final class SharedTokenizers {
    private static final Map<Path, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private SharedTokenizers() {
    }

    /** A vocabulary from conformance/tokenizer/, e.g. "llama3" for ggml-vocab-llama3.gguf. */
    static Tokenizer conformanceVocab(String name) {
        return load(SharedData.require("conformance/tokenizer/ggml-vocab-" + name + ".gguf"));
    }

    static Tokenizer model(String fileName) {
        return load(SharedData.model(fileName));
    }

    static Tokenizer load(Path gguf) {
        return CACHE.computeIfAbsent(gguf, p -> {
            try {
                return Tokenizers.fromGguf(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
