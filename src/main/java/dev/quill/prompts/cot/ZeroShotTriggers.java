package dev.quill.prompts.cot;

import java.util.List;
import java.util.Optional;

/**
 * The reasoning triggers of Kojima et al. 2022, Table 4: zero-shot-CoT accuracy on MultiArith with
 * text-davinci-002 for each trigger, as the paper reports it. The plain zero-shot baseline (no
 * trigger) scored 17.7. Misleading and irrelevant triggers are listed too, as controls for
 * comparisons: they show that the wording matters.
 */
public final class ZeroShotTriggers {
    public enum Category { INSTRUCTIVE, MISLEADING, IRRELEVANT }

    public record Trigger(int number, Category category, String text, double multiArithAccuracy) {
    }

    /** Kojima's best trigger. */
    public static final String DEFAULT = "Let's think step by step.";

    public static final List<Trigger> KOJIMA_TABLE_4 = List.of(
            new Trigger(1, Category.INSTRUCTIVE, "Let's think step by step.", 78.7),
            new Trigger(2, Category.INSTRUCTIVE, "First,", 77.3),
            new Trigger(3, Category.INSTRUCTIVE, "Let's think about this logically.", 74.5),
            new Trigger(4, Category.INSTRUCTIVE, "Let's solve this problem by splitting it into steps.", 72.2),
            new Trigger(5, Category.INSTRUCTIVE, "Let's be realistic and think step by step.", 70.8),
            new Trigger(6, Category.INSTRUCTIVE, "Let's think like a detective step by step.", 70.3),
            new Trigger(7, Category.INSTRUCTIVE, "Let's think", 57.5),
            new Trigger(8, Category.INSTRUCTIVE, "Before we dive into the answer,", 55.7),
            new Trigger(9, Category.INSTRUCTIVE, "The answer is after the proof.", 45.7),
            new Trigger(10, Category.MISLEADING, "Don't think. Just feel.", 18.8),
            new Trigger(11, Category.MISLEADING, "Let's think step by step but reach an incorrect answer.", 18.7),
            new Trigger(12, Category.MISLEADING, "Let's count the number of \"0\" in the answer.", 16.7),
            new Trigger(13, Category.MISLEADING, "By the fact that the earth is round,", 9.3),
            new Trigger(14, Category.IRRELEVANT, "By using the fact that the earth is round,", 17.5),
            new Trigger(15, Category.IRRELEVANT, "By the way, I found a good restaurant nearby.", 17.5),
            new Trigger(16, Category.IRRELEVANT, "Abrakadabra!", 15.5),
            new Trigger(17, Category.IRRELEVANT, "It's a beautiful day.", 13.1));

    private ZeroShotTriggers() {
    }

    /** The trigger with this number in Table 4. */
    public static Optional<Trigger> byNumber(int number) {
        return KOJIMA_TABLE_4.stream().filter(t -> t.number() == number).findFirst();
    }

    public static List<Trigger> instructive() {
        return KOJIMA_TABLE_4.stream().filter(t -> t.category() == Category.INSTRUCTIVE).toList();
    }
}
