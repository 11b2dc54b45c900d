package dev.quill.prompts.format;

import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptException;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.render.SandboxedRenderer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads a prompt library folder: every {@code *.md} file below it is a template, except
 * {@code README.md} files and the files under {@code personas/}, which are personas. A file's name
 * must match its path: {@code qa/answer-check.md} holds the template {@code qa/answer-check},
 * {@code personas/socratic-tutor.md} the persona {@code socratic-tutor}.
 *
 * <p>Every problem in the folder is collected and reported together (one line each, starting with
 * {@code file:line:}), so a user fixes them in one pass: malformed files, names that do not match
 * paths, Qute syntax errors in bodies, templates naming a persona that does not exist.
 */
public final class LibraryLoader {
    public static final String PERSONAS_DIR = "personas";

    /** The library failed to load; {@link #problems()} lists every problem found. */
    public static final class LibraryException extends PromptException {
        private final List<String> problems;

        LibraryException(Path dir, List<String> problems) {
            super("prompt library " + dir + " has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                    + ":\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final PromptFileParser parser = new PromptFileParser();
    private final SandboxedRenderer renderer;

    public LibraryLoader() {
        this(new SandboxedRenderer());
    }

    /** @param renderer checks that every body parses as Qute */
    public LibraryLoader(SandboxedRenderer renderer) {
        this.renderer = renderer;
    }

    public PromptLibrary load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new LibraryException(dir, List.of(dir + ": not a folder"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, PromptTemplate> templates = new TreeMap<>();
        Map<String, Persona> personas = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(p -> !p.getFileName().toString().equalsIgnoreCase("README.md"))
                    .sorted().toList();
        }
        for (Path file : files) {
            Path rel = dir.relativize(file);
            String relName = rel.toString().replace('\\', '/');
            String expected = relName.substring(0, relName.length() - ".md".length());
            try {
                if (relName.startsWith(PERSONAS_DIR + "/")) {
                    Persona p = parser.parsePersona(file);
                    String name = expected.substring(PERSONAS_DIR.length() + 1);
                    if (!p.name().equals(name)) {
                        problems.add(file + ":2: persona name '" + p.name() + "' does not match the file name; expected '" + name + "'");
                    } else {
                        personas.put(p.name(), p);
                    }
                } else {
                    PromptTemplate t = parser.parseTemplate(file);
                    if (!t.name().equals(expected)) {
                        problems.add(file + ":2: template name '" + t.name() + "' does not match its path; expected '" + expected + "'");
                        continue;
                    }
                    checkBodies(file, t, problems);
                    templates.put(t.name(), t);
                }
            } catch (PromptException e) {
                problems.add(e.getMessage());
            }
        }
        for (PromptTemplate t : templates.values()) {
            if (t.persona() != null && !personas.containsKey(t.persona())) {
                problems.add(dir.resolve(t.name() + ".md") + ": persona '" + t.persona() + "' is not in " + dir.resolve(PERSONAS_DIR)
                        + " (known: " + String.join(", ", personas.keySet()) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new LibraryException(dir, problems);
        }
        return new PromptLibrary(templates, personas);
    }

    private void checkBodies(Path file, PromptTemplate t, List<String> problems) {
        List<String> bodies = new ArrayList<>();
        if (!t.body().isEmpty()) {
            bodies.add(t.body());
        }
        t.messages().forEach(m -> bodies.add(m.body()));
        t.steps().forEach(s -> bodies.add(s.body()));
        for (String body : bodies) {
            try {
                renderer.check(file.toString(), body);
            } catch (PromptException e) {
                problems.add(e.getMessage());
            }
        }
    }
}
