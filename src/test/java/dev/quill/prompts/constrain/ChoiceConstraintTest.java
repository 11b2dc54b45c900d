package dev.quill.prompts.constrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Against real vocabularies: a SentencePiece model (stories260K, 512 tokens, so answers span several tokens) and Llama 3's BPE. */
class ChoiceConstraintTest {
    private static final List<String> ANSWERS = List.of("Yes", "No", "None of the above", "positive", "negative", "neutral");

    private static Tokenizer tokenizer(String file) throws Exception {
        Path p = SharedData.require(file);
        return Tokenizers.fromGguf(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "conformance/tokenizer/ggml-vocab-llama3.gguf"})
    void everyAllowedPathSpellsAnAllowedAnswer(String file) throws Exception {
        Tokenizer tok = tokenizer(file);
        ChoiceConstraint c = ChoiceConstraint.of(tok, ANSWERS);
        Map<List<Integer>, String> paths = c.paths();
        // Each answer as written and with a leading space.
        assertEquals(ANSWERS.size() * 2, paths.size(), paths.toString());
        Set<String> spelled = new HashSet<>();
        for (Map.Entry<List<Integer>, String> e : paths.entrySet()) {
            int[] body = e.getKey().subList(0, e.getKey().size() - 1).stream().mapToInt(Integer::intValue).toArray();
            String text = tok.decode(body).strip();
            assertEquals(e.getValue(), text);
            spelled.add(text);
            // Walking the path with a cursor is accepted to the end.
            ChoiceConstraint.Cursor cur = c.start();
            for (int t : e.getKey()) {
                cur.accept(t);
            }
            assertTrue(cur.isFinished());
            assertEquals(e.getValue(), cur.answer().orElseThrow());
        }
        assertEquals(new HashSet<>(ANSWERS), spelled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "conformance/tokenizer/ggml-vocab-llama3.gguf"})
    void maskedGreedyDecodingOfRandomLogitsAlwaysEndsInAnAnswer(String file) throws Exception {
        Tokenizer tok = tokenizer(file);
        ChoiceConstraint c = ChoiceConstraint.of(tok, ANSWERS);
        Random random = new Random(7);
        Set<String> reached = new HashSet<>();
        for (int trial = 0; trial < 120; trial++) {
            ChoiceConstraint.Cursor cur = c.start();
            int steps = 0;
            while (!cur.isFinished()) {
                float[] logits = new float[tok.vocabSize()];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = (float) random.nextGaussian();
                }
                cur.maskLogits(logits);
                int best = 0;
                for (int i = 1; i < logits.length; i++) {
                    if (logits[i] > logits[best]) {
                        best = i;
                    }
                }
                cur.accept(best);
                assertTrue(++steps < 40, "did not finish");
            }
            List<Integer> toks = cur.tokens();
            int[] body = toks.subList(0, toks.size() - 1).stream().mapToInt(Integer::intValue).toArray();
            String text = tok.decode(body).strip();
            assertTrue(ANSWERS.contains(text), text);
            assertEquals(text, cur.answer().orElseThrow());
            reached.add(text);
        }
        assertEquals(new HashSet<>(ANSWERS), reached, "random logits reach every answer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "conformance/tokenizer/ggml-vocab-llama3.gguf"})
    void endOfTextOnlyWhereAnAnswerIsCompleteAndPrefixesMayContinue(String file) throws Exception {
        Tokenizer tok = tokenizer(file);
        ChoiceConstraint c = ChoiceConstraint.of(tok, List.of("No", "No, never"), false);
        int[] no = tok.encode("No", false, false);
        assertTrue(Arrays.equals(no, Arrays.copyOf(tok.encode("No, never", false, false), no.length)), "test needs a token-level prefix");
        int eos = c.endTokens()[0];
        ChoiceConstraint.Cursor cur = c.start();
        assertFalse(cur.isAllowed(eos), "nothing spelled yet");
        for (int t : no) {
            cur.accept(t);
        }
        assertTrue(cur.isComplete());
        int[] allowed = cur.allowedTokens();
        assertTrue(Arrays.binarySearch(allowed, eos) >= 0, "No may end here");
        assertTrue(allowed.length >= 2, "and may go on to No, never");
        int unrelated = tok.encode(" banana", false, false)[0];
        assertThrows(IllegalArgumentException.class, () -> cur.accept(unrelated));
    }
}
