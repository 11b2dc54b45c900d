package dev.quill.prompts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.diff.PromptVersion;
import dev.quill.prompts.diff.TemplateDiff;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store against H2 always, and against PostgreSQL when {@code QUILL_TEST_POSTGRES_URL} is set
 * (a JDBC URL with user and password in it; .ci/run starts a throw-away cluster and sets it). Each
 * test uses names under a fresh random prefix, so runs can share a PostgreSQL database.
 */
class PromptStoreTest {
    static final String POSTGRES_ENV = "QUILL_TEST_POSTGRES_URL";
    private static DataSource h2;
    private static DataSource postgres;

    static synchronized Stream<Arguments> databases() {
        if (h2 == null) {
            JdbcDataSource ds = new JdbcDataSource();
            // LOCK_TIMEOUT: writers waiting for a prompt's row lock wait, not fail after H2's default 1 s.
            ds.setURL("jdbc:h2:mem:store-test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000");
            StoreSchema.migrate(ds);
            h2 = ds;
        }
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("h2", h2));
        String url = System.getenv(POSTGRES_ENV);
        if (url != null && !url.isBlank()) {
            if (postgres == null) {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setURL(url);
                StoreSchema.migrate(ds);
                postgres = ds;
            }
            out.add(Arguments.of("postgresql", postgres));
        } else {
            System.err.println("PromptStoreTest: " + POSTGRES_ENV + " is not set; PostgreSQL cases skipped (H2 only)");
        }
        return out.stream();
    }

    /** Shows in the test report as skipped, with the reason, when PostgreSQL is not configured. */
    @Test
    void postgresqlIsUsedWhenConfigured() throws Exception {
        String url = System.getenv(POSTGRES_ENV);
        assumeTrue(url != null && !url.isBlank(), POSTGRES_ENV + " is not set: the PostgreSQL cases of PromptStoreTest"
                + " are skipped and the store is tested on H2 only (.ci/run sets it)");
        List<Arguments> dbs = databases().toList();
        assertEquals("postgresql", dbs.get(1).get()[0]);
        try (var c = ((DataSource) dbs.get(1).get()[1]).getConnection()) {
            assertEquals("PostgreSQL", c.getMetaData().getDatabaseProductName());
        }
    }

    private static String prefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static PromptTemplate text(String name, String body) {
        return PromptTemplate.builder(name).description("Checks answers").tag("qa").body(body).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void createEditLabelAndRollBack(String db, DataSource ds) {
        PromptStore store = new PromptStore(ds);
        String name = prefix() + "/answer-check";
        Saved v1 = store.create(text(name, "Is {answer} correct?"), "first");
        assertEquals(1, v1.version().number());
        Saved v2 = store.newVersion(name, 1, text(name, "Is {answer} right? Answer Yes or No."), "restrain");
        assertTrue(v2.created());
        assertEquals(2, v2.version().number());
        assertEquals(1, v2.version().parent());

        store.moveLabel(name, "production", 2);
        assertEquals(2, store.resolve(name, "production").number());
        assertEquals(2, store.resolve(name, null).number());
        // Rollback: production goes back to version 1, latest stays 2.
        store.moveLabel(name, "production", 1);
        assertEquals("Is {answer} correct?", store.resolve(name, "production").template().body());
        assertEquals(2, store.labels(name).get("latest"));
        assertEquals(1, store.labels(name).get("production"));

        assertThrows(PromptNotFoundException.class, () -> store.moveLabel(name, "production", 7));
        assertThrows(PromptNotFoundException.class, () -> store.resolve(name, "staging"));
        assertThrows(RuntimeException.class, () -> store.moveLabel(name, "latest", 1));
        assertThrows(VersionConflictException.class, () -> store.create(text(name, "again"), ""));
        assertThrows(PromptNotFoundException.class, () -> store.versions(prefix() + "/missing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void staleBaseIsAConflictNamingTheCurrentVersionAndUnchangedContentMakesNoVersion(String db, DataSource ds) {
        PromptStore store = new PromptStore(ds);
        String name = prefix() + "/x";
        store.create(text(name, "one"), "");
        store.newVersion(name, 1, text(name, "two"), "");
        VersionConflictException e = assertThrows(VersionConflictException.class,
                () -> store.newVersion(name, 1, text(name, "three"), ""));
        assertEquals(2, e.currentVersion());
        Saved same = store.newVersion(name, 2, text(name, "two"), "no change");
        assertFalse(same.created());
        assertEquals(2, same.version().number());
        assertEquals(2, store.versions(name).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void diffSearchArchiveAndPersonas(String db, DataSource ds) {
        PromptStore store = new PromptStore(ds);
        String p = prefix();
        store.create(text(p + "/a", "line one\nline two"), "");
        store.newVersion(p + "/a", 1, text(p + "/a", "line one\nline 2"), "");
        TemplateDiff d = store.diff(p + "/a", 1, 2);
        assertEquals(1, d.sections().size());
        assertEquals("prompt", d.sections().getFirst().section());
        store.create(PromptTemplate.builder(p + "/b").description("Summarises news").tag("summary").body("x").build(), "");

        assertEquals(List.of(p + "/a", p + "/b"), store.list(p, false).stream().map(PromptSummary::name).toList());
        assertEquals(List.of(p + "/b"), store.list(p, false).stream().filter(s -> s.description().contains("news"))
                .map(PromptSummary::name).toList());
        assertTrue(store.list("SUMMARY", false).stream().anyMatch(s -> s.name().equals(p + "/b")), "tags match, ignoring case");
        assertTrue(store.list("50%_off", false).isEmpty(), "LIKE wildcards in the query are literal");

        store.archive(p + "/b");
        assertEquals(List.of(p + "/a"), store.list(p, false).stream().map(PromptSummary::name).toList());
        assertEquals(2, store.list(p, true).size());
        assertThrows(VersionConflictException.class, () -> store.newVersion(p + "/b", 1, text(p + "/b", "y"), ""));
        assertEquals("x", store.resolve(p + "/b", null).template().body(), "archived versions stay readable");

        Persona tutor = new Persona(p + "-tutor", "A tutor", List.of(), "You ask questions.");
        assertTrue(store.savePersona(tutor));
        assertFalse(store.savePersona(tutor));
        assertTrue(store.savePersona(new Persona(p + "-tutor", "A tutor", List.of(), "You ask more questions.")));
        assertEquals("You ask more questions.", store.persona(p + "-tutor").orElseThrow().systemPrompt());
    }

    /**
     * N writers each make M edits, each from the latest version they read, retrying on conflict:
     * the history holds exactly the accepted edits, each once, in a single parent chain.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void parallelWritersLoseNoUpdate(String db, DataSource ds) throws Exception {
        PromptStore store = new PromptStore(ds);
        String name = prefix() + "/contended";
        store.create(text(name, "start"), "");
        int writers = 4;
        int edits = 8;
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        int[] conflicts = new int[1];
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < edits; i++) {
                        String body = "writer " + writer + " edit " + i;
                        while (true) {
                            int base = store.latest(name).orElseThrow().number();
                            try {
                                Saved s = store.newVersion(name, base, text(name, body), body);
                                assertTrue(s.created());
                                accepted.add(body);
                                break;
                            } catch (VersionConflictException e) {
                                synchronized (conflicts) {
                                    conflicts[0]++;
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        List<PromptVersion> history = store.versions(name);
        assertEquals(1 + writers * edits, history.size());
        assertEquals(writers * edits, accepted.size());
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            PromptVersion v = history.get(i);
            assertEquals(i + 1, v.number());
            assertEquals(i, v.parent(), "each version is made from the one before it");
            bodies.add(v.template().body());
        }
        assertEquals(new HashSet<>(accepted), new HashSet<>(bodies.stream().filter(b -> !b.equals("start")).toList()));
    }
}
