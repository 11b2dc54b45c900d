package dev.quill.cli;

import dev.quill.engine.CancellationToken;
import dev.quill.engine.GenerationListener;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.Generator;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** {@code quill generate}: complete a prompt, streaming the text to stdout. */
final class GenerateCommand implements Quill.Command {
    private static final Set<String> VALUED = Set.of("model", "prompt", "prompt-file", "max-tokens", "temperature",
            "top-k", "top-p", "min-p", "repeat-penalty", "repeat-last-n", "presence-penalty", "frequency-penalty",
            "seed", "stop", "threads", "ctx-size", "batch-size");
    private static final Set<String> FLAGS = Set.of("no-echo", "parse-special");

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("generate", args, VALUED, FLAGS);
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        Path modelPath = Path.of(cl.required("model"));
        String prompt;
        if (cl.has("prompt-file")) {
            prompt = Files.readString(Path.of(cl.string("prompt-file", null)));
        } else {
            prompt = cl.required("prompt");
        }
        SamplingParams params = SamplingParams.builder()
                .temperature(cl.number("temperature", 0.8f))
                .topK(cl.integer("top-k", 40))
                .topP(cl.number("top-p", 0.95f))
                .minP(cl.number("min-p", 0.05f))
                .repetitionPenalty(cl.number("repeat-penalty", 1.0f))
                .penaltyLastN(cl.integer("repeat-last-n", 64))
                .presencePenalty(cl.number("presence-penalty", 0f))
                .frequencyPenalty(cl.number("frequency-penalty", 0f))
                .seed(cl.longValue("seed"))
                .build();
        int maxTokens = cl.integer("max-tokens", 256);
        ModelOptions options = new ModelOptions(cl.integer("ctx-size", 0), cl.integer("threads", 0),
                cl.integer("batch-size", ModelOptions.DEFAULT_MAX_BATCH));

        try (Model model = Model.load(modelPath, options)) {
            Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
            params.validate(model.config().vocabSize());
            int[] tokens = tokenizer.encode(prompt, true, cl.flag("parse-special"));
            GenerationRequest request = new GenerationRequest(tokens, params, maxTokens, cl.strings("stop"));
            Generator generator = new Generator(model, tokenizer);
            if (!cl.flag("no-echo")) {
                out.print(prompt);
                out.flush();
            }
            GenerationResult result = generator.generate(request, new GenerationListener() {
                @Override
                public void onToken(int token, String text, Sampler sampler) {
                    if (!text.isEmpty()) {
                        out.print(text);
                        out.flush();
                    }
                }

                @Override
                public void onTrailingText(String text) {
                    out.print(text);
                    out.flush();
                }
            }, new CancellationToken());
            out.println();
            err.printf("[prompt: %d tokens, %.1f tok/s | generated: %d tokens, %.1f tok/s | finish: %s]%n",
                    result.promptTokens(), result.promptTokensPerSecond(), result.completionTokens(),
                    result.generationTokensPerSecond(), result.finishReason().apiName());
        }
        return 0;
    }

    @Override
    public String summary() {
        return "complete a prompt with a GGUF model, streaming to stdout";
    }

    @Override
    public String usage() {
        return """
                usage: quill generate --model FILE.gguf --prompt TEXT [options]

                  --model FILE           GGUF model to load (required)
                  --prompt TEXT          prompt text (or --prompt-file FILE)
                  --max-tokens N         tokens to generate, -1 = until the context is full (default 256)
                  --temperature T        0 = greedy (default 0.8)
                  --top-k K              0 = off (default 40)
                  --top-p P              1 = off (default 0.95)
                  --min-p P              0 = off (default 0.05)
                  --repeat-penalty R     1 = off (default 1.0)
                  --repeat-last-n N      penalty window, -1 = whole history (default 64)
                  --presence-penalty X   OpenAI semantics (default 0)
                  --frequency-penalty X  OpenAI semantics (default 0)
                  --seed N               makes sampling reproducible (default: random)
                  --stop TEXT            stop string, repeatable; never printed
                  --threads N            compute threads (default: all cores)
                  --ctx-size N           context length (default: the model's, at most 4096)
                  --batch-size N         prompt tokens per forward step (default 64)
                  --parse-special        recognise special tokens such as <|eot_id|> in the prompt
                  --no-echo              do not print the prompt before the completion

                The completion streams to stdout; a line of figures (tokens, tokens/s) goes to stderr.""";
    }
}
