package dev.quill.prompts.persona;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.Persona;

import java.util.List;

import org.junit.jupiter.api.Test;

class PersonaMergerTest {
    private static final Persona EDITOR = new Persona("plain-language-editor", "", List.of(), "You edit for plain language.");

    @Test
    void personaComesFirstAsTheSystemMessage() {
        assertEquals(List.of(ChatMessage.system("You edit for plain language."), ChatMessage.user("Fix this.")),
                PersonaMerger.withPersona(EDITOR, List.of(ChatMessage.user("Fix this."))));
    }

    @Test
    void withoutASystemRoleSystemTextJoinsTheFirstUserTurn() {
        List<ChatMessage> messages = List.of(ChatMessage.system("A."), ChatMessage.assistant("Hello!"), ChatMessage.system("B."),
                ChatMessage.user("Question?"), ChatMessage.user("Another?"));
        assertEquals(List.of(ChatMessage.assistant("Hello!"), ChatMessage.user("A.\n\nB.\n\nQuestion?"), ChatMessage.user("Another?")),
                PersonaMerger.forTemplate(messages, false));
        assertEquals(messages, PersonaMerger.forTemplate(messages, true));
        assertEquals(List.of(ChatMessage.user("A.")), PersonaMerger.forTemplate(List.of(ChatMessage.system("A.")), false));
    }

    @Test
    void recognisesTheChatTemplateError() {
        assertTrue(PersonaMerger.isSystemRoleUnsupported(new RuntimeException("render failed", new IllegalStateException("System role not supported"))));
        assertFalse(PersonaMerger.isSystemRoleUnsupported(new RuntimeException("something else")));
    }
}
