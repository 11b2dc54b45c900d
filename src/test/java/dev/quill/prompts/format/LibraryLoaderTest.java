package dev.quill.prompts.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryLoaderTest {
    @TempDir
    Path dir;

    private void write(String rel, String content) throws Exception {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void loadsTemplatesAndPersonasByPath() throws Exception {
        write("qa/check.md", "---\nname: qa/check\npersona: tutor\n---\nIs {x} right?\n");
        write("personas/tutor.md", "---\nname: tutor\n---\nYou teach.\n");
        write("README.md", "# not a template\n");
        PromptLibrary lib = new LibraryLoader().load(dir);
        assertEquals(List.of("qa/check"), List.copyOf(lib.templates().keySet()));
        assertEquals("You teach.", lib.persona("tutor").orElseThrow().systemPrompt());
    }

    @Test
    void reportsEveryProblemWithFileAndLine() throws Exception {
        write("qa/check.md", "---\nname: qa/other\n---\nHi\n");
        write("qa/broken.md", "---\nname: qa/broken\ntags: [a\n---\nHi\n");
        write("qa/syntax.md", "---\nname: qa/syntax\n---\n{#if x}unclosed\n");
        write("qa/lonely.md", "---\nname: qa/lonely\npersona: ghost\n---\nHi\n");
        write("personas/p.md", "---\nname: q\n---\nYou.\n");
        LibraryLoader.LibraryException e = assertThrows(LibraryLoader.LibraryException.class, () -> new LibraryLoader().load(dir));
        List<String> problems = e.problems();
        assertEquals(5, problems.size(), String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(p -> p.contains("broken.md:3: malformed YAML")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("check.md:2: template name 'qa/other' does not match its path; expected 'qa/check'")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("syntax.md") && p.contains("line 1")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("persona 'ghost' is not in")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("p.md:2: persona name 'q' does not match the file name")), problems.toString());
    }
}
