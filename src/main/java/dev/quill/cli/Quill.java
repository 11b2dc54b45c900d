package dev.quill.cli;

import dev.quill.gguf.GgufFormatException;
import dev.quill.model.ContextLengthExceededException;
import dev.quill.model.ModelLoadException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code quill} command: dispatches to sub-commands and turns failures into clear messages. */
public final class Quill {
    /** A sub-command: runs with its own arguments and returns the exit status. */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;

        String summary();

        String usage();
    }

    static Map<String, Command> commands() {
        Map<String, Command> m = new LinkedHashMap<>();
        m.put("serve", new ServeCommand());
        m.put("generate", new GenerateCommand());
        m.put("inspect", new InspectCommand());
        m.put("pull", new PullCommand());
        m.put("synth", new SynthCommand());
        m.put("bench", new BenchCommand());
        m.put("prompts", new PromptsCommand());
        m.put("loadtest", new LoadTestCommand());
        m.put("health", new HealthCommand());
        return m;
    }

    private Quill() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status = run(args, out, err);
        out.flush();
        System.exit(status);
    }

    /** Runs a command line; returns the exit status (0 ok, 1 failure, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printHelp(commands, args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("quill: unknown command '" + args[0] + "'; commands: " + String.join(", ", commands.keySet()));
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help")) {
            out.println(command.usage());
            return 0;
        }
        try {
            return command.run(rest, out, err);
        } catch (UsageException | IllegalArgumentException e) {
            err.println("quill " + args[0] + ": " + e.getMessage());
            err.println();
            err.println(command.usage());
            return 2;
        } catch (NoSuchFileException e) {
            err.println("quill " + args[0] + ": file not found: " + e.getFile());
            return 1;
        } catch (GgufFormatException | ModelLoadException | ContextLengthExceededException e) {
            err.println("quill " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("quill " + args[0] + ": I/O error: " + e.getMessage());
            return 1;
        } catch (Exception | OutOfMemoryError e) {
            err.println("quill " + args[0] + ": internal error: " + e);
            if (System.getenv("QUILL_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static void printHelp(Map<String, Command> commands, PrintStream out) {
        out.println("usage: quill <command> [options]   (quill <command> --help for its options)");
        out.println();
        for (var e : commands.entrySet()) {
            out.printf("  %-10s %s%n", e.getKey(), e.getValue().summary());
        }
    }
}
