package dev.quill.tokenizer;

/**
 * One step of a pre-tokenizer chain. Like llama.cpp's {@code unicode_regex_split}, every step
 * refines the previous partition: it only splits inside the chunks it is given, never across them.
 */
interface SplitStage {
    /**
     * @param text   the fragment being split
     * @param chunks the current partition, as consecutive lengths in code points
     * @return the refined partition, as consecutive lengths in code points
     */
    IntList refine(SplitText text, IntList chunks);
}
