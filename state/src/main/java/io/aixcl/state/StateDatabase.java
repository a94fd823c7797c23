package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Where the daemon's state lives: an embedded SQLite file (the default) or a PostgreSQL server. */
public sealed interface StateDatabase permits StateDatabase.Sqlite, StateDatabase.Postgres {

    DataSource dataSource();

    /** PostgreSQL when a JDBC URL is configured, else SQLite at {@code data/state.db}. */
    static StateDatabase of(Optional<String> jdbcUrl, Optional<Path> passwordFile, Path dataDir) {
        return jdbcUrl.<StateDatabase>map(url -> new Postgres(url, passwordFile))
                .orElseGet(() -> new Sqlite(dataDir.resolve("state.db")));
    }

    /** What Flyway migrates through: it manages its own transactions, on more than one connection. */
    default DataSource migrationDataSource() {
        return dataSource();
    }

    /** For logs and status: says where, never a password. */
    String describe();

    /** How many connections the store keeps open between uses. */
    int idleConnections();

    /** SQLite in WAL mode, so readers never wait for the writer; writers wait up to the busy timeout. */
    record Sqlite(Path file) implements StateDatabase {
        static final int BUSY_TIMEOUT_MILLIS = 5_000;

        public Sqlite {
            Objects.requireNonNull(file, "file is null");
        }

        @Override
        public DataSource dataSource() {
            return sqlite(true);
        }

        @Override
        public DataSource migrationDataSource() {
            return sqlite(false);
        }

        private DataSource sqlite(boolean immediateTransactions) {
            createPrivately(file);
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            config.enforceForeignKeys(true);
            // A write transaction takes the write lock at BEGIN: a deferred one that reads and then writes cannot
            // be upgraded while another writer holds it, and fails at once instead of waiting out the busy timeout.
            if (immediateTransactions) {
                config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            }
            SQLiteDataSource ds = new SQLiteDataSource(config);
            ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
            return ds;
        }

        @Override
        public String describe() {
            return "SQLite " + file;
        }

        @Override
        public int idleConnections() {
            return 2;
        }

        /** The file holds token hashes and usage: owner-only from the first byte (SQLite's -wal/-shm follow it). */
        private static void createPrivately(Path file) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                if (!Files.exists(file)) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                }
            } catch (IOException e) {
                throw new AixclException.Failed("cannot create the state database " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * PostgreSQL by JDBC URL; the password comes from a file, so it is in neither the URL, the settings, nor a log.
     */
    record Postgres(String jdbcUrl, Optional<Path> passwordFile) implements StateDatabase {
        public Postgres {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl is null");
            Objects.requireNonNull(passwordFile, "passwordFile is null");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new AixclException.InvalidInput("expected a jdbc:postgresql: URL, found '" + jdbcUrl + "'");
            }
            if (jdbcUrl.toLowerCase(Locale.ROOT).contains("password=")) {
                throw new AixclException.InvalidInput("the state database URL must not carry a password: "
                        + "put it in a file and name the file as state.password_file");
            }
        }

        @Override
        public DataSource dataSource() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(jdbcUrl);
            passwordFile.ifPresent(f -> ds.setPassword(readPassword(f)));
            return ds;
        }

        @Override
        public String describe() {
            return "PostgreSQL " + jdbcUrl;
        }

        @Override
        public int idleConnections() {
            return 4;
        }

        private static String readPassword(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new AixclException.Failed("cannot read the state database password file " + file + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
