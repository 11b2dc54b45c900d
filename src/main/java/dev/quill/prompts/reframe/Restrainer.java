package dev.quill.prompts.reframe;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.OutputConstraints;
import dev.quill.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The restrain rule: each declared output constraint becomes an explicit statement in the prompt,
 * and what the engine can enforce becomes a setting:
 * <ul>
 *   <li>allowed answers (or the yes-no / choice formats) → "Answer with Yes or No." and the
 *       allowed-answers setting, which the engine enforces by constrained decoding; with a
 *       tokenizer, max_tokens becomes the longest answer's token count + 1 (for end of text)</li>
 *   <li>max_words N → "Answer in at most N words." and max_tokens 2·N + 10 (two tokens per word
 *       covers English in every supported tokenizer; the 10 leave room for punctuation)</li>
 *   <li>max_sentences N → "Answer in at most N sentences." and max_tokens 60·N</li>
 *   <li>max_tokens → max_tokens (no statement: a user cannot count tokens)</li>
 *   <li>format number / json / list → a statement of the format</li>
 *   <li>stop → stop sequences</li>
 * </ul>
 * A max_tokens the template already sets is only ever lowered.
 */
public final class Restrainer {
    public static final int TOKENS_PER_WORD = 2;
    public static final int WORD_SLACK_TOKENS = 10;
    public static final int TOKENS_PER_SENTENCE = 60;

    public record Result(List<String> statements, GenerationSettings settings, List<Change> changes) {
        public String paragraph() {
            return String.join("\n", statements);
        }
    }

    private Restrainer() {
    }

    /** @param tokenizer the model's tokenizer, or null when not known (then allowed answers do not set max_tokens) */
    public static Result apply(OutputConstraints c, GenerationSettings settings, Tokenizer tokenizer) {
        List<String> statements = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<String> allowed = c.effectiveAllowedAnswers();
        if (!allowed.isEmpty()) {
            statements.add(allowed.size() == 2 ? "Answer with " + allowed.get(0) + " or " + allowed.get(1) + "."
                    : "Answer with one of: " + String.join(", ", allowed) + ".");
        } else if (c.format() == AnswerFormat.NUMBER) {
            statements.add("Answer with a number only, in arabic numerals.");
        }
        if (c.format() == AnswerFormat.JSON) {
            statements.add("Answer with a single JSON object and nothing else.");
        } else if (c.format() == AnswerFormat.LIST) {
            statements.add("Answer with a list, one item per line.");
        }
        if (c.maxWords() != null) {
            statements.add(c.maxWords() == 1 ? "Answer in one word." : "Answer in at most " + c.maxWords() + " words.");
        }
        if (c.maxSentences() != null) {
            statements.add(c.maxSentences() == 1 ? "Answer in one sentence." : "Answer in at most " + c.maxSentences() + " sentences.");
        }

        GenerationSettings out = settings;
        Integer limit = null;
        String why = null;
        if (c.maxTokens() != null) {
            limit = c.maxTokens();
            why = "max_tokens constraint";
        }
        if (c.maxWords() != null && (limit == null || TOKENS_PER_WORD * c.maxWords() + WORD_SLACK_TOKENS < limit)) {
            limit = TOKENS_PER_WORD * c.maxWords() + WORD_SLACK_TOKENS;
            why = "at most " + c.maxWords() + " words × " + TOKENS_PER_WORD + " tokens + " + WORD_SLACK_TOKENS;
        }
        if (c.maxSentences() != null && (limit == null || TOKENS_PER_SENTENCE * c.maxSentences() < limit)) {
            limit = TOKENS_PER_SENTENCE * c.maxSentences();
            why = "at most " + c.maxSentences() + " sentences × " + TOKENS_PER_SENTENCE + " tokens";
        }
        if (!allowed.isEmpty() && tokenizer != null) {
            int longest = 0;
            for (String a : allowed) {
                // Counted with a leading space too: that is how an answer usually follows "Answer:".
                longest = Math.max(longest, Math.max(tokenizer.encode(a, false, false).length, tokenizer.encode(" " + a, false, false).length));
            }
            if (limit == null || longest + 1 < limit) {
                limit = longest + 1;
                why = "longest allowed answer is " + longest + " tokens, + 1 for the end";
            }
        }
        if (limit != null && (settings.maxTokens() == null || limit < settings.maxTokens())) {
            out = out.withMaxTokens(limit);
            changes.add(new Change(ReframeRule.RESTRAIN, Change.Type.SETTING, "settings",
                    "max_tokens: " + (settings.maxTokens() == null ? "(server default)" : settings.maxTokens()),
                    "max_tokens: " + limit, "enforces the length: " + why));
        }
        if (!c.stop().isEmpty()) {
            GenerationSettings withStop = out.withStop(c.stop());
            if (!withStop.stop().equals(out.stop())) {
                changes.add(new Change(ReframeRule.RESTRAIN, Change.Type.SETTING, "settings", "stop: " + out.stop(),
                        "stop: " + withStop.stop(), "stop sequences from the constraints"));
            }
            out = withStop;
        }
        if (!allowed.isEmpty()) {
            out = out.withAllowedAnswers(allowed);
            changes.add(new Change(ReframeRule.RESTRAIN, Change.Type.SETTING, "settings", "allowed answers: any",
                    "allowed answers: " + allowed, "constrained decoding: the model can only produce one of these"));
        }
        return new Result(List.copyOf(statements), out, changes);
    }
}
