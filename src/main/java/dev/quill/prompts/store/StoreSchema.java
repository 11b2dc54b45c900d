package dev.quill.prompts.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Creates or upgrades the store's tables with the Flyway migrations in {@code db/migration}, for
 * callers outside the server (the CLI, tests); the server has Quarkus run the same migrations at start.
 */
public final class StoreSchema {
    private StoreSchema() {
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }
}
