package dev.quill.cli;

import dev.quill.prompts.store.LibraryImporter;
import dev.quill.prompts.store.PromptStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code quill prompts export DIR}: writes the store's templates (latest versions) and personas as
 * files. Opens the database with plain JDBC and the server's settings ({@code QUILL_DB_KIND},
 * {@code QUILL_DB_URL}, {@code QUILL_DB_USER}, {@code QUILL_DB_PASSWORD}, {@code QUILL_DATA_DIR}),
 * so it needs no running server; options override them.
 */
final class PromptsCommand implements Quill.Command {
    private final Map<String, String> env;

    PromptsCommand() {
        this(System.getenv());
    }

    PromptsCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("prompts", args, Set.of("db-url", "db-user", "db-password", "data-dir"), Set.of());
        if (cl.positional().size() != 2 || !cl.positional().get(0).equals("export")) {
            throw new UsageException("expected 'prompts export DIR'");
        }
        DataSource ds = dataSource(cl);
        try (Connection c = ds.getConnection()) {
            if (!c.getMetaData().getTables(null, null, "%", null).next()) {
                throw new SQLException("the database is empty");
            }
        } catch (SQLException e) {
            err.println("quill prompts: cannot open the prompt store: " + e.getMessage());
            return 1;
        }
        Path dir = Path.of(cl.positional().get(1));
        int files = new LibraryImporter(new PromptStore(ds)).exportTo(dir);
        out.println("exported " + files + " files to " + dir);
        return 0;
    }

    private DataSource dataSource(CommandLine cl) {
        String url = cl.string("db-url", env.get("QUILL_DB_URL"));
        String kind = env.getOrDefault("QUILL_DB_KIND", "h2").toLowerCase(Locale.ROOT);
        if (url == null || (kind.equals("h2") && !cl.has("db-url"))) {
            String dataDir = cl.string("data-dir", env.getOrDefault("QUILL_DATA_DIR", "./data"));
            // IFEXISTS: exporting must never create an empty database where the user mistyped a path.
            url = "jdbc:h2:file:" + dataDir + "/quill;IFEXISTS=TRUE";
        }
        String user = cl.string("db-user", env.get("QUILL_DB_USER"));
        String password = cl.string("db-password", env.get("QUILL_DB_PASSWORD"));
        if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(url);
            if (user != null) {
                pg.setUser(user);
            }
            if (password != null) {
                pg.setPassword(password);
            }
            return pg;
        }
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            h2.setUser(user == null ? "" : user);
            h2.setPassword(password == null ? "" : password);
            return h2;
        }
        throw new UsageException("--db-url must be a jdbc:h2: or jdbc:postgresql: URL, got " + url);
    }

    @Override
    public String summary() {
        return "export the prompt store to template and persona files";
    }

    @Override
    public String usage() {
        return """
                usage: quill prompts export DIR [--data-dir DIR | --db-url URL [--db-user U] [--db-password P]]
                  writes every template's latest version as DIR/<name>.md and every persona as DIR/personas/<name>.md
                  default database: the server's (QUILL_DB_KIND, QUILL_DB_URL, ... ; else the H2 file under ./data)""";
    }
}
