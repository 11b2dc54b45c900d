package dev.quill.server;

import dev.quill.prompts.store.PromptStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Hands the plain-Java {@link PromptStore} the datasource {@code quill.db.kind} selects: the
 * default (embedded H2) or the named {@code postgresql} one. Both are looked up lazily, so the
 * inactive one is never touched. Quarkus' Flyway has migrated both at start.
 */
@Singleton
public class PromptStoreProducer {
    @Produces
    @Singleton
    PromptStore promptStore(QuillConfig config, Instance<AgroalDataSource> h2,
            @DataSource("postgresql") Instance<AgroalDataSource> postgresql) {
        String kind = config.db().kind().strip().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "h2" -> new PromptStore(h2.get());
            case "postgresql", "postgres" -> {
                if (config.db().url().isEmpty()) {
                    throw new IllegalStateException("quill.db.kind=postgresql needs quill.db.url (QUILL_DB_URL), "
                            + "e.g. jdbc:postgresql://localhost:5432/quill");
                }
                yield new PromptStore(postgresql.get());
            }
            default -> throw new IllegalStateException("quill.db.kind must be h2 or postgresql, got '" + kind + "'");
        };
    }
}
