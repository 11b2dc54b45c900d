package dev.quill.prompts.cot;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.CallPart;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Generator;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.Prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chain-of-thought prompting (Kojima et al. 2022, "Large Language Models are Zero-Shot Reasoners";
 * few-shot CoT after Wei et al. 2022). The model call is the {@link Generator} given to the
 * constructor.
 * <ul>
 *   <li>OFF: {@code Q: {question}\nA: The answer (arabic numerals) is}, the format's direct trigger
 *       (Kojima's zero-shot baseline); the answer is cleaned from the output.</li>
 *   <li>ZERO_SHOT: one call, {@code Q: {question}\nA: Let's think step by step.}; the answer is read
 *       from the reasoning ({@link AnswerCleaner#fromReasoning}).</li>
 *   <li>TWO_STAGE: Kojima's method. Stage 1 (reasoning extraction) as ZERO_SHOT; stage 2 (answer
 *       extraction) sends stage 1's prompt + the reasoning + the format's answer trigger, e.g.
 *       "Therefore, the answer (arabic numerals) is", and cleans the output.</li>
 *   <li>FEW_SHOT: worked examples {@code Q: … A: {rationale} The answer is {output}.} before
 *       {@code Q: {question}\nA:}; the answer follows the last "The answer is".</li>
 * </ul>
 */
public final class ChainOfThought {
    /** Stops a few-shot completion before it writes the next example. */
    public static final String NEXT_QUESTION_STOP = "\n\nQ:";
    private static final Pattern THE_ANSWER_IS = Pattern.compile("(?i)the answer is");

    /**
     * @param mode              the mode
     * @param trigger           reasoning trigger for ZERO_SHOT and TWO_STAGE; null for "Let's think step by step."
     * @param format            the answer's format, for the answer trigger and cleaning
     * @param examples          FEW_SHOT examples, each with a rationale
     * @param reasoningSettings settings of the reasoning call
     * @param answerSettings    settings of the answer-extraction call (TWO_STAGE) and of OFF
     */
    public record Options(CotMode mode, String trigger, AnswerFormat format, List<FewShotExample> examples,
                          GenerationSettings reasoningSettings, GenerationSettings answerSettings) {
        public Options {
            trigger = trigger == null || trigger.isBlank() ? ZeroShotTriggers.DEFAULT : trigger.strip();
            format = format == null ? AnswerFormat.TEXT : format;
            examples = examples == null ? List.of() : List.copyOf(examples);
            reasoningSettings = reasoningSettings == null ? DEFAULT_REASONING : reasoningSettings;
            answerSettings = answerSettings == null ? DEFAULT_ANSWER : answerSettings;
            if (mode == CotMode.FEW_SHOT && examples.isEmpty()) {
                throw new IllegalArgumentException("few-shot chain-of-thought needs examples with rationales");
            }
        }

        /** Options for OFF, ZERO_SHOT or TWO_STAGE with the default trigger and settings. */
        public static Options of(CotMode mode, AnswerFormat format) {
            return new Options(mode, null, format, List.of(), null, null);
        }

        public static Options fewShot(AnswerFormat format, List<FewShotExample> examples) {
            return new Options(CotMode.FEW_SHOT, null, format, examples, null, null);
        }

        public Options withTrigger(String t) {
            return new Options(mode, t, format, examples, reasoningSettings, answerSettings);
        }

        public Options withExamples(List<FewShotExample> e) {
            return new Options(mode, trigger, format, e, reasoningSettings, answerSettings);
        }
    }

    /** 256 tokens of reasoning. */
    public static final GenerationSettings DEFAULT_REASONING = GenerationSettings.of(
            new ModelDefaults(null, null, null, null, 256, List.of(), null, null, null, null));
    /** A short answer, ending at the line. */
    public static final GenerationSettings DEFAULT_ANSWER = GenerationSettings.of(
            new ModelDefaults(null, null, null, null, 32, List.of("\n"), null, null, null, null));

    private final Generator generator;

    public ChainOfThought(Generator generator) {
        this.generator = generator;
    }

    /** Kojima's answer-extraction trigger for the format. */
    public static String answerTrigger(AnswerFormat format) {
        return switch (format) {
            case NUMBER -> "Therefore, the answer (arabic numerals) is";
            case CHOICE -> "Therefore, among A through E, the answer is";
            case YES_NO -> "Therefore, the answer (Yes or No) is";
            default -> "Therefore, the answer is";
        };
    }

    /** The direct trigger of the no-reasoning baseline: the answer trigger without "Therefore, ". */
    public static String directTrigger(AnswerFormat format) {
        String t = answerTrigger(format).substring("Therefore, ".length());
        return Character.toUpperCase(t.charAt(0)) + t.substring(1);
    }

    /** Stage 1: {@code Q: {question}\nA: {trigger}}. */
    public static String reasoningPrompt(String question, String trigger) {
        return "Q: " + question.strip() + "\nA: " + trigger;
    }

    /** Stage 2: the stage-1 prompt, the generated reasoning, then the answer trigger. */
    public static String answerPrompt(String reasoningPrompt, String reasoning, AnswerFormat format) {
        String r = reasoning.stripTrailing();
        String sep = r.isEmpty() || Character.isWhitespace(r.charAt(0)) ? "" : " ";
        return reasoningPrompt + sep + r + "\n" + answerTrigger(format);
    }

    public static String fewShotPrompt(String question, List<FewShotExample> examples) {
        StringBuilder b = new StringBuilder();
        for (FewShotExample e : examples) {
            String rationale = e.rationale() == null ? "" : e.rationale().strip() + " ";
            String output = e.output().strip();
            b.append("Q: ").append(e.input().strip()).append("\nA: ").append(rationale)
                    .append("The answer is ").append(output).append(output.endsWith(".") ? "" : ".").append("\n\n");
        }
        return b.append("Q: ").append(question.strip()).append("\nA:").toString();
    }

    public CotResult run(String question, Options o) {
        List<CotResult.Call> calls = new ArrayList<>();
        return switch (o.mode()) {
            case OFF -> {
                String prompt = reasoningPrompt(question, directTrigger(o.format()));
                String out = call(CallPart.ANSWER, prompt, o.answerSettings(), calls);
                yield new CotResult(o.mode(), "", out, AnswerCleaner.clean(o.format(), out), calls);
            }
            case ZERO_SHOT -> {
                String prompt = reasoningPrompt(question, o.trigger());
                String reasoning = call(CallPart.REASONING, prompt, o.reasoningSettings(), calls);
                yield new CotResult(o.mode(), reasoning.strip(), reasoning, AnswerCleaner.fromReasoning(o.format(), reasoning), calls);
            }
            case TWO_STAGE -> {
                String stage1 = reasoningPrompt(question, o.trigger());
                String reasoning = call(CallPart.REASONING, stage1, o.reasoningSettings(), calls);
                String out = call(CallPart.ANSWER, answerPrompt(stage1, reasoning, o.format()), o.answerSettings(), calls);
                yield new CotResult(o.mode(), reasoning.strip(), out, AnswerCleaner.clean(o.format(), out), calls);
            }
            case FEW_SHOT -> {
                String prompt = fewShotPrompt(question, o.examples());
                String out = call(CallPart.REASONING, prompt, o.reasoningSettings().withStop(List.of(NEXT_QUESTION_STOP)), calls);
                Matcher m = THE_ANSWER_IS.matcher(out);
                int start = -1;
                int end = -1;
                while (m.find()) {
                    start = m.start();
                    end = m.end();
                }
                String reasoning = start < 0 ? out.strip() : out.substring(0, start).strip();
                Optional<String> answer = start < 0 ? AnswerCleaner.fromReasoning(o.format(), out)
                        : AnswerCleaner.clean(o.format(), out.substring(end));
                yield new CotResult(o.mode(), reasoning, start < 0 ? out : out.substring(end).strip(), answer, calls);
            }
        };
    }

    private String call(CallPart part, String prompt, GenerationSettings settings, List<CotResult.Call> calls) {
        String out = generator.generate(part, Prompt.text(prompt), settings);
        calls.add(new CotResult.Call(prompt, out));
        return out;
    }
}
