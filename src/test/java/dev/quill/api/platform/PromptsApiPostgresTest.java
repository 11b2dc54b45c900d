package dev.quill.api.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.server.ServerTestProfile;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same HTTP scenarios as {@link PromptsApiTest}, against a server whose prompt store is
 * PostgreSQL ({@code quill.db.kind=postgresql}), at {@code QUILL_TEST_POSTGRES_URL}: .ci/run starts a
 * throw-away cluster and sets it (see .ci/postgres.sh). Without it the class is skipped, with
 * that reason in the report.
 */
@QuarkusTest
@TestProfile(PromptsApiPostgresTest.PostgresProfile.class)
@EnabledIfEnvironmentVariable(named = PromptsApiPostgresTest.POSTGRES_ENV, matches = ".+",
        disabledReason = PromptsApiPostgresTest.POSTGRES_ENV + " is not set: the prompt API is not tested on PostgreSQL"
                + " (H2 only). Source .ci/postgres.sh to start a throw-away PostgreSQL and set it.")
class PromptsApiPostgresTest extends PromptStoreApiScenarios {
    static final String POSTGRES_ENV = "QUILL_TEST_POSTGRES_URL";

    /** The shared server profile with the store on PostgreSQL. */
    public static class PostgresProfile extends ServerTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            String url = System.getenv(POSTGRES_ENV);
            // Quarkus prepares every profile while it discovers the tests, also for a class that is
            // then skipped: without a URL the profile stays on H2 and is never started.
            if (url != null && !url.isBlank()) {
                config.put("quill.db.kind", "postgresql");
                // A JDBC URL with the user (and password, if any) in it, as the store tests take it.
                config.put("quill.db.url", url);
            }
            return config;
        }
    }

    @Inject
    @DataSource("postgresql")
    AgroalDataSource postgresql;

    /** What the API saved is in PostgreSQL's tables: the server did not fall back to H2. */
    @Test
    void theServersStoreIsPostgresql() throws Exception {
        String name = prefix + "/where";
        ObjectNode req = obj().put("name", name).put("body", "Hello {who}.");
        req.putArray("variables").addObject().put("name", "who");
        assertStatus(201, http.post("/api/prompts", req.toString()));
        assertStatus(201, edit(name, 1, "Hi {who}."));
        try (Connection c = postgresql.getConnection();
             PreparedStatement st = c.prepareStatement(
                     "SELECT count(*) FROM versions WHERE prompt = ?")) {
            assertEquals("PostgreSQL", c.getMetaData().getDatabaseProductName());
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
    }
}
