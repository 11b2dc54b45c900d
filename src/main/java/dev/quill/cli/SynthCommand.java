package dev.quill.cli;

import dev.quill.bench.ModelPreset;
import dev.quill.bench.SynthType;
import dev.quill.bench.SyntheticModelWriter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** {@code quill synth}: a GGUF with a real model's shapes and random weights, for benchmarks. */
final class SynthCommand implements Quill.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("synth", args, Set.of("preset", "type", "out", "vocab-from", "seed"), Set.of("force"));
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        ModelPreset preset = ModelPreset.byName(cl.required("preset"));
        SynthType type = SynthType.parse(cl.required("type"));
        Path target = Path.of(cl.required("out"));
        if (Files.exists(target) && !cl.flag("force")) {
            throw new UsageException(target + " already exists (use --force to overwrite)");
        }
        Path vocab = cl.has("vocab-from") ? Path.of(cl.string("vocab-from", null)) : null;
        Long seed = cl.longValue("seed");
        long t0 = System.nanoTime();
        SyntheticModelWriter writer = SyntheticModelWriter.create(preset, type, seed == null ? 42 : seed, vocab);
        err.printf("writing %s: %s (%s), %,d parameters, vocabulary %,d%s%n", target, preset.name(), type,
                writer.preset().parameterCount(), writer.preset().vocabSize(),
                vocab == null ? " (synthetic SentencePiece)" : " from " + vocab.getFileName());
        writer.write(target);
        err.printf("wrote %,d bytes in %.1f s%n", Files.size(target), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    @Override
    public String summary() {
        return "write a GGUF with a real model's shapes and random weights (for benchmarks)";
    }

    @Override
    public String usage() {
        return """
                usage: quill synth --preset NAME --type TYPE --out FILE [--vocab-from GGUF] [--seed N] [--force]

                  --preset NAME      %s
                  --type TYPE        F16, Q8_0, Q4_0, Q4_K_M, Q6_K (llama.cpp's usual tensor mixes)
                  --out FILE         where to write the GGUF
                  --vocab-from GGUF  copy the tokenizer from this file (its vocabulary size wins),
                                     e.g. ../shared/conformance/tokenizer/ggml-vocab-llama3.gguf;
                                     default: a synthetic SentencePiece vocabulary of the preset's size
                  --seed N           random seed (default 42): the same seed writes the same file""".formatted(ModelPreset.names());
    }
}
