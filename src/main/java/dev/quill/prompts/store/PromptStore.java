package dev.quill.prompts.store;

import dev.quill.prompts.InvalidTemplateException;
import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.diff.ContentHash;
import dev.quill.prompts.diff.PromptDiff;
import dev.quill.prompts.diff.PromptVersion;
import dev.quill.prompts.diff.TemplateDiff;
import dev.quill.prompts.format.PromptFileParser;
import dev.quill.prompts.format.PromptFileWriter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Prompt templates with numbered immutable versions and movable labels, in a SQL database (H2 or
 * PostgreSQL, schema {@code db/migration/V1__prompt_store.sql}). Plain JDBC: every write is one
 * transaction, committed before the method returns, so a write that returned is never lost.
 *
 * <p>Concurrent edits: a new version is made from a base version, and is refused with
 * {@link VersionConflictException} when the base is no longer the latest. The check holds the
 * prompt's row lock ({@code SELECT ... FOR UPDATE}) until commit, so two writers from the same base
 * cannot both pass it; the unique key on (prompt, number) is the backstop should a database not
 * lock as asked. Versions follow the rules of {@link dev.quill.prompts.diff.VersionLog}: unchanged
 * content makes no version.
 *
 * <p>Thread-safe: state lives only in the database.
 */
public final class PromptStore {
    /** Computed, never stored: always the highest version. */
    public static final String LATEST = "latest";
    public static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    /** SQLSTATE for a unique or primary key violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Clock clock;
    private final PromptFileWriter writer = new PromptFileWriter();

    public PromptStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public PromptStore(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    // ---- writes

    /** Stores a new prompt as version 1; a name that exists (archived or not) is a conflict. */
    public Saved create(PromptTemplate template, String message) {
        return tx(c -> {
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO prompts (name, archived, created, description, tags) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, template.name());
                ps.setBoolean(2, false);
                ps.setLong(3, now);
                ps.setString(4, clip(template.description()));
                ps.setString(5, clip(String.join(",", template.tags())));
                ps.executeUpdate();
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new VersionConflictException("prompt " + template.name()
                            + " exists already; add a version with POST /api/prompts/" + template.name() + "/versions", -1);
                }
                throw e;
            }
            return new Saved(template.name(), insertVersion(c, template, 1, 0, message, now), true);
        });
    }

    /**
     * Stores the template as a new version made from {@code baseVersion}.
     *
     * @return the new version; or the latest, with {@code created=false}, when the content equals it
     * @throws VersionConflictException when {@code baseVersion} is not the latest
     */
    public Saved newVersion(String name, int baseVersion, PromptTemplate template, String message) {
        if (!template.name().equals(name)) {
            throw new InvalidTemplateException("name", "the template is named " + template.name() + " but is saved as " + name
                    + "; a template cannot be renamed by a new version");
        }
        return tx(c -> {
            boolean archived = lockPrompt(c, name);
            PromptVersion latest = latest(c, name).orElseThrow();
            if (baseVersion != latest.number()) {
                throw new VersionConflictException("version " + baseVersion + " of " + name + " is not the latest: version "
                        + latest.number() + " is; fetch it, apply your change and save with base_version " + latest.number(),
                        latest.number());
            }
            if (archived) {
                throw new VersionConflictException("prompt " + name + " is archived; it takes no new versions", latest.number());
            }
            String hash = ContentHash.of(template);
            if (hash.equals(latest.hash())) {
                return new Saved(name, latest, false);
            }
            try {
                PromptVersion v = insertVersion(c, template, latest.number() + 1, latest.number(), message, clock.millis());
                try (PreparedStatement ps = c.prepareStatement("UPDATE prompts SET description = ?, tags = ? WHERE name = ?")) {
                    ps.setString(1, clip(template.description()));
                    ps.setString(2, clip(String.join(",", template.tags())));
                    ps.setString(3, name);
                    ps.executeUpdate();
                }
                return new Saved(name, v, true);
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new VersionConflictException("another edit of " + name + " saved version " + (latest.number() + 1)
                            + " first; fetch it and retry", latest.number() + 1);
                }
                throw e;
            }
        });
    }

    /** Points {@code label} at an existing version (rollback is moving {@code production} back). */
    public void moveLabel(String name, String label, int version) {
        requireLabel(label);
        tx(c -> {
            lockPrompt(c, name);
            if (version(c, name, version).isEmpty()) {
                throw new PromptNotFoundException(name + " has no version " + version + " (latest is "
                        + latest(c, name).map(PromptVersion::number).orElse(0) + ")");
            }
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE labels SET version_number = ? WHERE prompt = ? AND label = ?")) {
                ps.setInt(1, version);
                ps.setString(2, name);
                ps.setString(3, label);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO labels (prompt, label, version_number) VALUES (?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setString(2, label);
                    ps.setInt(3, version);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Hides the prompt from lists and refuses new versions; its versions stay readable. */
    public void archive(String name) {
        tx(c -> {
            lockPrompt(c, name);
            try (PreparedStatement ps = c.prepareStatement("UPDATE prompts SET archived = ? WHERE name = ?")) {
                ps.setBoolean(1, true);
                ps.setString(2, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Stores the template unless the latest version has the same content: version 1 for a new
     * name, else a version made from the latest. For importing files, where the file is the truth.
     */
    public Saved save(PromptTemplate template, String message) {
        for (int attempt = 0; ; attempt++) {
            Optional<PromptVersion> latest = latest(template.name());
            try {
                return latest.isEmpty() ? create(template, message)
                        : newVersion(template.name(), latest.get().number(), template, message);
            } catch (VersionConflictException e) {
                // Someone saved in between: the file still wins, made from the newer version.
                if (attempt >= 3 || isArchived(template.name())) {
                    throw e;
                }
            }
        }
    }

    /** Stores or replaces a persona; true when its content changed. */
    public boolean savePersona(Persona persona) {
        String content = writer.write(persona);
        String hash = ContentHash.of(persona);
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE personas SET content = ?, content_hash = ?, updated = ? "
                    + "WHERE name = ? AND content_hash <> ?")) {
                ps.setString(1, content);
                ps.setString(2, hash);
                ps.setLong(3, clock.millis());
                ps.setString(4, persona.name());
                ps.setString(5, hash);
                if (ps.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM personas WHERE name = ?")) {
                ps.setString(1, persona.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO personas (name, content, content_hash, updated) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, persona.name());
                ps.setString(2, content);
                ps.setString(3, hash);
                ps.setLong(4, clock.millis());
                ps.executeUpdate();
            }
            return true;
        });
    }

    // ---- reads

    public Optional<PromptVersion> latest(String name) {
        return tx(c -> latest(c, name));
    }

    public Optional<PromptVersion> version(String name, int number) {
        return tx(c -> version(c, name, number));
    }

    /**
     * The version a reference names: {@code null} or {@code latest} for the latest, else a label.
     *
     * @throws PromptNotFoundException when the prompt or label does not exist
     */
    public PromptVersion resolve(String name, String label) {
        return tx(c -> {
            PromptVersion latest = latest(c, name).orElseThrow(() -> notFound(name));
            if (label == null || label.equals(LATEST)) {
                return latest;
            }
            Integer number = labels(c, name).get(label);
            if (number == null) {
                throw new PromptNotFoundException(name + " has no label '" + label + "' (labels: "
                        + String.join(", ", labelNames(c, name)) + ")");
            }
            return version(c, name, number).orElseThrow();
        });
    }

    /** A version by number, or a 404-style error naming the versions that exist. */
    public PromptVersion get(String name, int number) {
        return tx(c -> {
            PromptVersion latest = latest(c, name).orElseThrow(() -> notFound(name));
            return version(c, name, number).orElseThrow(() -> new PromptNotFoundException(
                    name + " has no version " + number + " (versions 1.." + latest.number() + ")"));
        });
    }

    /** Every version, oldest first. */
    public List<PromptVersion> versions(String name) {
        return tx(c -> {
            List<PromptVersion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT number, content, content_hash, message, created, parent_number FROM versions WHERE prompt = ? ORDER BY number")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(name, rs));
                    }
                }
            }
            if (out.isEmpty()) {
                throw notFound(name);
            }
            return out;
        });
    }

    /** Label to version number, {@code latest} included, in label order. */
    public Map<String, Integer> labels(String name) {
        return tx(c -> {
            PromptVersion latest = latest(c, name).orElseThrow(() -> notFound(name));
            Map<String, Integer> out = new LinkedHashMap<>(labels(c, name));
            out.put(LATEST, latest.number());
            return out;
        });
    }

    public TemplateDiff diff(String name, int from, int to) {
        return PromptDiff.between(get(name, from).template(), get(name, to).template());
    }

    public boolean isArchived(String name) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT archived FROM prompts WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw notFound(name);
                    }
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /**
     * Prompts whose name, description or tags contain {@code query} (ignoring case), by name;
     * archived ones only when asked for.
     */
    public List<PromptSummary> list(String query, boolean includeArchived) {
        String q = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        return tx(c -> {
            List<PromptSummary> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT p.name, p.description, p.tags, p.archived, p.created, "
                    + "(SELECT MAX(v.number) FROM versions v WHERE v.prompt = p.name) FROM prompts p "
                    + "WHERE (LOWER(p.name) LIKE ? ESCAPE '!' OR LOWER(p.description) LIKE ? ESCAPE '!' OR LOWER(p.tags) LIKE ? ESCAPE '!') "
                    + (includeArchived ? "" : "AND p.archived = FALSE ") + "ORDER BY p.name")) {
                String like = "%" + q.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
                ps.setString(1, like);
                ps.setString(2, like);
                ps.setString(3, like);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String tags = rs.getString(3);
                        out.add(new PromptSummary(rs.getString(1), rs.getString(2),
                                tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")), rs.getBoolean(4),
                                rs.getInt(6), Instant.ofEpochMilli(rs.getLong(5))));
                    }
                }
            }
            return out;
        });
    }

    public Optional<Persona> persona(String name) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT content FROM personas WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new PromptFileParser().parsePersona("personas/" + name + ".md", rs.getString(1)))
                            : Optional.<Persona>empty();
                }
            }
        });
    }

    public List<Persona> personas() {
        return tx(c -> {
            List<Persona> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, content FROM personas ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                PromptFileParser parser = new PromptFileParser();
                while (rs.next()) {
                    out.add(parser.parsePersona("personas/" + rs.getString(1) + ".md", rs.getString(2)));
                }
            }
            return out;
        });
    }

    // ---- inside a transaction

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T tx(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("prompt store: " + e.getMessage(), e);
        }
    }

    /** Takes the prompt's row lock until commit; returns whether it is archived. */
    private boolean lockPrompt(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT archived FROM prompts WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw notFound(name);
                }
                return rs.getBoolean(1);
            }
        }
    }

    private PromptVersion insertVersion(Connection c, PromptTemplate t, int number, int parent, String message, long now)
            throws SQLException {
        String content = writer.write(t);
        String hash = ContentHash.of(t);
        String msg = message == null ? "" : clip(message.strip());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO versions (prompt, number, content, content_hash, message, created, "
                + "parent_number) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.name());
            ps.setInt(2, number);
            ps.setString(3, content);
            ps.setString(4, hash);
            ps.setString(5, msg);
            ps.setLong(6, now);
            ps.setInt(7, parent);
            ps.executeUpdate();
        }
        return new PromptVersion(number, hash, msg, Instant.ofEpochMilli(now), parent, t);
    }

    private Optional<PromptVersion> latest(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT number, content, content_hash, message, created, parent_number "
                + "FROM versions WHERE prompt = ? AND number = (SELECT MAX(number) FROM versions WHERE prompt = ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(name, rs)) : Optional.empty();
            }
        }
    }

    private Optional<PromptVersion> version(Connection c, String name, int number) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT number, content, content_hash, message, created, parent_number "
                + "FROM versions WHERE prompt = ? AND number = ?")) {
            ps.setString(1, name);
            ps.setInt(2, number);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(name, rs)) : Optional.empty();
            }
        }
    }

    private static Map<String, Integer> labels(Connection c, String name) throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT label, version_number FROM labels WHERE prompt = ? ORDER BY label")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return out;
    }

    private static List<String> labelNames(Connection c, String name) throws SQLException {
        List<String> names = new ArrayList<>(labels(c, name).keySet());
        names.add(LATEST);
        return names;
    }

    private PromptVersion row(String name, ResultSet rs) throws SQLException {
        // The stored text was written by PromptFileWriter from a valid template, so it parses back.
        PromptTemplate t = new PromptFileParser().parseTemplate(name + ".md", rs.getString(2));
        return new PromptVersion(rs.getInt(1), rs.getString(3), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)),
                rs.getInt(6), t);
    }

    private static PromptNotFoundException notFound(String name) {
        return new PromptNotFoundException("no prompt named '" + name + "'; GET /api/prompts lists them");
    }

    private static void requireLabel(String label) {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new InvalidTemplateException("label", "label '" + label + "' is not valid: use a-z, 0-9, '.', '_' and '-',"
                    + " starting with a letter or digit, at most 100 characters");
        }
        if (label.equals(LATEST)) {
            throw new InvalidTemplateException("label", "'latest' always means the newest version and cannot be moved");
        }
    }

    private static String clip(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
