package dev.quill.prompts.format;

import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Templates and personas loaded from a folder, by name, in name order. */
public record PromptLibrary(Map<String, PromptTemplate> templates, Map<String, Persona> personas) {
    public PromptLibrary {
        templates = Collections.unmodifiableMap(new LinkedHashMap<>(templates));
        personas = Collections.unmodifiableMap(new LinkedHashMap<>(personas));
    }

    public Optional<PromptTemplate> template(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    public Optional<Persona> persona(String name) {
        return Optional.ofNullable(personas.get(name));
    }
}
