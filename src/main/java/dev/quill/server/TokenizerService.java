package dev.quill.server;

import dev.quill.engine.TokenizerCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tokenizer inspector's catalog for the server: the served models' tokenizers, the GGUF files
 * of {@code quill.tokenizer-files} and the shipped reference tokenizers; and the largest text one
 * request may tokenize ({@code quill.tokenize-max-chars}).
 */
@ApplicationScoped
public class TokenizerService {
    private final TokenizerCatalog catalog;
    private final int maxChars;

    public TokenizerService(ModelService models,
            @ConfigProperty(name = "quill.tokenizer-files") Optional<List<String>> files,
            @ConfigProperty(name = "quill.tokenize-max-chars", defaultValue = "100000") int maxChars) {
        this.catalog = new TokenizerCatalog(models.registry(),
                files.orElse(List.of()).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList());
        this.maxChars = maxChars;
    }

    public TokenizerCatalog catalog() {
        return catalog;
    }

    public int maxChars() {
        return maxChars;
    }
}
