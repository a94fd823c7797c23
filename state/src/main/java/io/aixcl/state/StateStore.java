package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The daemon's state database. Opening it brings the schema up to date with the one set of migrations that serves
 * SQLite and PostgreSQL alike; the repositories then share a few pooled connections.
 */
public final class StateStore implements AutoCloseable {
    static final String MIGRATIONS = "classpath:io/aixcl/state/migrations";

    private final StateDatabase database;
    private final ConnectionPool pool;
    private final ApiTokens tokens;
    private final ApiKeys keys;
    private final String schemaVersion;

    private StateStore(StateDatabase database, ConnectionPool pool, String schemaVersion) {
        this.database = database;
        this.pool = pool;
        this.schemaVersion = schemaVersion;
        Jdbc jdbc = new Jdbc(pool, database.describe());
        this.tokens = new ApiTokens(jdbc);
        this.keys = new ApiKeys(jdbc);
    }

    public static StateStore open(StateDatabase database) {
        Objects.requireNonNull(database, "database is null");
        String version;
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(database.migrationDataSource())
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    .validateMigrationNaming(true)
                    .load()
                    .migrate();
            version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        } catch (FlywayException e) {
            throw new AixclException.Failed("cannot bring the state database (" + database.describe()
                    + ") up to date: " + e.getMessage(), e);
        }
        return new StateStore(database, new ConnectionPool(database.dataSource(), database.idleConnections()), version);
    }

    public ApiTokens tokens() {
        return tokens;
    }

    public ApiKeys keys() {
        return keys;
    }

    public StateDatabase database() {
        return database;
    }

    /** The version of the last migration applied, e.g. "2". */
    public String schemaVersion() {
        return schemaVersion;
    }

    @Override
    public void close() {
        pool.close();
    }
}
