package dev.quill.prompts.persona;

import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.Persona;
import dev.quill.prompts.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Puts a persona's system prompt where the model can read it. Most chat templates take a system
 * message; some (Gemma's, for one) raise "System role not supported". For those, the system text
 * is merged into the first user turn, separated by a blank line, which is what such models' own
 * documentation recommends.
 */
public final class PersonaMerger {
    /** The text chat templates raise when they have no system role. */
    public static final String SYSTEM_ROLE_NOT_SUPPORTED = "System role not supported";

    private PersonaMerger() {
    }

    /**
     * Adds the persona as the system message: before the messages, or in front of an existing system
     * message (persona first, then the template's own system text).
     */
    public static List<ChatMessage> withPersona(Persona persona, List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages);
        if (!out.isEmpty() && out.getFirst().role() == Role.SYSTEM) {
            out.set(0, ChatMessage.system(persona.systemPrompt() + "\n\n" + out.getFirst().content()));
        } else {
            out.addFirst(ChatMessage.system(persona.systemPrompt()));
        }
        return List.copyOf(out);
    }

    /**
     * Returns the messages unchanged when the template supports a system role. Otherwise removes
     * every system message and puts their text, in order, at the start of the first user message
     * (a user message is created when there is none).
     */
    public static List<ChatMessage> forTemplate(List<ChatMessage> messages, boolean systemRoleSupported) {
        if (systemRoleSupported || messages.stream().noneMatch(m -> m.role() == Role.SYSTEM)) {
            return List.copyOf(messages);
        }
        List<String> system = new ArrayList<>();
        List<ChatMessage> rest = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role() == Role.SYSTEM) {
                system.add(m.content());
            } else {
                rest.add(m);
            }
        }
        String prefix = String.join("\n\n", system);
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).role() == Role.USER) {
                rest.set(i, ChatMessage.user(prefix + "\n\n" + rest.get(i).content()));
                return List.copyOf(rest);
            }
        }
        rest.addFirst(ChatMessage.user(prefix));
        return List.copyOf(rest);
    }

    /** Whether an error from rendering a chat template means it has no system role. */
    public static boolean isSystemRoleUnsupported(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(SYSTEM_ROLE_NOT_SUPPORTED.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
