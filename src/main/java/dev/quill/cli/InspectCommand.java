package dev.quill.cli;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufInspector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code quill inspect FILE}: metadata and tensor table of a GGUF file. */
final class InspectCommand implements Quill.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("inspect", args, Set.of(), Set.of());
        if (cl.positional().size() != 1) {
            throw new UsageException("'inspect' takes exactly one GGUF file");
        }
        try (GgufFile file = GgufFile.open(Path.of(cl.positional().get(0)))) {
            out.print(GgufInspector.describe(file));
        }
        return 0;
    }

    @Override
    public String summary() {
        return "print a GGUF file's metadata and tensor table";
    }

    @Override
    public String usage() {
        return "usage: quill inspect FILE.gguf";
    }
}
