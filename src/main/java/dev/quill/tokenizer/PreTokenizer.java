package dev.quill.tokenizer;

import java.util.List;

/**
 * Splits a text fragment into the words that byte-level BPE merges within, as llama.cpp's
 * {@code unicode_regex_split} does with a chain of {@link SplitStage}s.
 */
final class PreTokenizer {
    private final String name;
    private final List<SplitStage> stages;

    PreTokenizer(String name, List<SplitStage> stages) {
        this.name = name;
        this.stages = List.copyOf(stages);
    }

    String name() {
        return name;
    }

    /** The words' lengths in code points, in order, covering all of {@code text}. */
    IntList split(SplitText text) {
        IntList chunks = new IntList(1);
        if (text.length() == 0) {
            return chunks;
        }
        chunks.add(text.length());
        for (SplitStage stage : stages) {
            chunks = stage.refine(text, chunks);
        }
        return chunks;
    }

    @Override
    public String toString() {
        return name + stages;
    }
}
